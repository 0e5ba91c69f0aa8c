package dev.ser.jobs.score;

import dev.ser.jobs.JobSettings;
import dev.ser.jobs.OutputDirectory;
import dev.ser.jobs.SparkJobOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ser score}: scores recordings into Parquet. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score voice notes: one emotion per recording, with window probabilities, in Parquet.",
                "Writes OUT/recordings/, OUT/windows/ and OUT/summary.json."})
public final class ScoreCommand implements Callable<Integer> {

    @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
            description = "Audio files, directories (read recursively) or globs; local, hdfs:// or s3a:// paths.")
    List<String> inputs;

    @Option(names = "--output", required = true, paramLabel = "OUT", description = "Output directory.")
    String output;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Model directory (model.onnx + model.json). Default: the bundled default model.")
    String model;



    @Option(names = "--run-id", paramLabel = "ID", description = "Id written in every row. Default: time and a random suffix.")
    String runId;


    @Mixin
    SparkJobOptions job;

    @Override
    public Integer call() {
        JobSettings settings = job.settings();
        String id = runId != null ? runId : OutputDirectory.newRunId();
        SparkSession spark = job.start("ser score", settings);
        try {
            ScoreSummary s = ScoreJob.run(spark, new ScoreRequest(inputs, output, model, id, job.overwrite()), settings);
            System.out.printf("ser score: %d recording(s): %d ok, %d no_speech, %d error; %.1f s of audio "
                            + "(%.1f s speech, %d windows) in %.1f s; model %s%n  output: %s%n",
                    s.inputs(), s.ok(), s.noSpeech(), s.error(), s.audioSeconds(), s.speechSeconds(), s.windows(),
                    s.wallSeconds(), s.model().name(), output);
            if (!s.model().trained()) {
                System.out.println("  note: the model is UNTRAINED; its emotions mean nothing.");
            }
            return 0;
        } finally {
            spark.stop();
        }
    }
}
