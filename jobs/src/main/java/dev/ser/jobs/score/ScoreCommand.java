package dev.ser.jobs.score;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.scoring.ScoreJob;
import dev.ser.jobs.scoring.ScoreRequest;
import dev.ser.jobs.scoring.ScoreSummary;
import dev.ser.jobs.scoring.ScoredInputs;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.SparkJobOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ser score}: scores recordings into Parquet. */
@Command(
        name = "score",
        mixinStandardHelpOptions = true,
        description = {
            "Score voice notes: one emotion per recording, with window probabilities, in Parquet.",
            "Writes OUT/recordings/, OUT/windows/ and OUT/summary.json."
        })
public final class ScoreCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs in;

    /** Where the recordings come from: paths, or a manifest that lists them. */
    static final class Inputs {
        @Option(
                names = "--input",
                required = true,
                arity = "1..*",
                paramLabel = "PATH",
                description = {
                    "Audio files, archives (tar, tar.gz, zip), directories (read recursively) or globs;",
                    "local, hdfs:// or s3a:// paths."
                })
        List<String> inputs;

        @Option(
                names = "--manifest",
                required = true,
                paramLabel = "FILE",
                description = {
                    "A CSV (with a header line) or Parquet list of recordings: a 'path' column, and any",
                    "other columns, which are copied to every output row."
                })
        String manifest;
    }

    @Option(
            names = "--incremental",
            arity = "0..1",
            paramLabel = "KEY",
            fallbackValue = "stat",
            description = {
                "Skip inputs already scored into OUT with the same model, and add this run's rows",
                "beside the earlier runs' (run_id=... partitions). KEY: 'stat' (default: same path, size",
                "and modification time) or 'hash' (same content, SHA-256)."
            })
    String incremental;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "OUT",
            description = "Output directory.")
    String output;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description =
                    "Model directory (model.onnx + model.json). Default: the bundled default model.")
    String model;

    @Option(
            names = "--run-id",
            paramLabel = "ID",
            description = "Id written in every row. Default: time and a random suffix.")
    String runId;

    @Mixin SparkJobOptions job;

    @Override
    public Integer call() {
        JobSettings settings = job.settings();
        String id = runId != null ? runId : OutputDirectory.newRunId();
        ScoredInputs.Key key = null;
        if (incremental != null) {
            if (job.overwrite()) {
                throw new ConfigurationException(
                        "--incremental adds to OUT and --overwrite replaces it; pass one of them");
            }
            key =
                    switch (incremental) {
                        case "stat" -> ScoredInputs.Key.STAT;
                        case "hash" -> ScoredInputs.Key.HASH;
                        default ->
                                throw new ConfigurationException(
                                        "--incremental="
                                                + incremental
                                                + " is not a key; use --incremental (same path, size and time) or --incremental=hash");
                    };
        }
        SparkSession spark = job.start("ser score", settings);
        try {
            ScoreSummary s =
                    ScoreJob.run(
                            spark,
                            new ScoreRequest(
                                    in.inputs == null ? List.of() : in.inputs,
                                    in.manifest,
                                    output,
                                    model,
                                    id,
                                    job.overwrite(),
                                    key),
                            settings);
            s.print(System.out, output, key != null);
            return 0;
        } finally {
            spark.stop();
        }
    }
}
