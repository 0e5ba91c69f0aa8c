package dev.ser.jobs.demo;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.scoring.ScoreJob;
import dev.ser.jobs.scoring.ScoreRequest;
import dev.ser.jobs.scoring.ScoreSummary;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.SparkSessions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser demo}: generates the demo archive and scores it with the score job in embedded Spark.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Generate a demo archive of long-form voice notes (no corpus or network needed) and score",
            "it as 'ser score' does, with embedded local Spark and the default model."
        })
public final class DemoCommand implements Callable<Integer> {

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            defaultValue = "target/demo",
            description =
                    "Where the archive (DIR/archive) and the output (DIR/output) go. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model directory. Default: the bundled default model.")
    String model;

    @Override
    public Integer call() throws Exception {
        Path archive = dir.resolve("archive").toAbsolutePath();
        List<Path> files = DemoArchive.write(archive);
        System.out.printf("ser demo: wrote %d voice notes to %s%n", files.size(), archive);
        String output = dir.resolve("output").toAbsolutePath().toString();
        JobSettings settings = JobSettings.load(null);
        SparkSession spark = SparkSessions.start("ser demo", "local[*]", settings);
        try {
            ScoreSummary summary =
                    ScoreJob.run(
                            spark,
                            new ScoreRequest(
                                    List.of(archive.toString()),
                                    output,
                                    model,
                                    OutputDirectory.newRunId(),
                                    true),
                            settings);
            summary.print(System.out, output, false);
        } finally {
            spark.stop();
        }
        System.out.printf(
                "  read it with Spark SQL: SELECT path, status, emotion, confidence, probabilities "
                        + "FROM parquet.`%s`%n",
                dir.resolve("output/recordings").toAbsolutePath());
        return 0;
    }
}
