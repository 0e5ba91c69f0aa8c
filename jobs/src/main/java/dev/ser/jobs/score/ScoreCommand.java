package dev.ser.jobs.score;

import dev.ser.jobs.JobSettings;
import dev.ser.jobs.OutputDirectory;
import dev.ser.jobs.SparkJobOptions;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import dev.ser.jobs.ConfigurationException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ser score}: scores recordings into Parquet. */
@Command(name = "score", mixinStandardHelpOptions = true,
        description = {"Score voice notes: one emotion per recording, with window probabilities, in Parquet.",
                "Writes OUT/recordings/, OUT/windows/ and OUT/summary.json."})
public final class ScoreCommand implements Callable<Integer> {

    @ArgGroup(exclusive = true, multiplicity = "1")
    Inputs in;

    /** Where the recordings come from: paths, or a manifest that lists them. */
    static final class Inputs {
        @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
                description = {"Audio files, archives (tar, tar.gz, zip), directories (read recursively) or globs;",
                        "local, hdfs:// or s3a:// paths."})
        List<String> inputs;

        @Option(names = "--manifest", required = true, paramLabel = "FILE",
                description = {"A CSV (with a header line) or Parquet list of recordings: a 'path' column, and any",
                        "other columns, which are copied to every output row."})
        String manifest;
    }

    @Option(names = "--incremental", arity = "0..1", paramLabel = "KEY", fallbackValue = "stat",
            description = {"Skip inputs already scored into OUT with the same model, and add this run's rows",
                    "beside the earlier runs' (run_id=... partitions). KEY: 'stat' (default: same path, size",
                    "and modification time) or 'hash' (same content, SHA-256)."})
    String incremental;

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
        ScoredInputs.Key key = null;
        if (incremental != null) {
            if (job.overwrite()) {
                throw new ConfigurationException("--incremental adds to OUT and --overwrite replaces it; pass one of them");
            }
            key = switch (incremental) {
                case "stat" -> ScoredInputs.Key.STAT;
                case "hash" -> ScoredInputs.Key.HASH;
                default -> throw new ConfigurationException("--incremental=" + incremental
                        + " is not a key; use --incremental (same path, size and time) or --incremental=hash");
            };
        }
        SparkSession spark = job.start("ser score", settings);
        try {
            ScoreSummary s = ScoreJob.run(spark, new ScoreRequest(in.inputs == null ? List.of() : in.inputs,
                    in.manifest, output, model, id, job.overwrite(), key), settings);
            System.out.printf("ser score: %d recording(s): %d ok, %d no_speech, %d error; %.1f s of audio "
                            + "(%.1f s speech, %d windows) in %.1f s; model %s%n",
                    s.inputs(), s.ok(), s.noSpeech(), s.error(), s.audioSeconds(), s.speechSeconds(), s.windows(),
                    s.wallSeconds(), s.model().name());
            if (key != null) {
                System.out.printf("  incremental: %d input file(s) scored before with this model, skipped%n",
                        s.skipped());
            }
            if (s.skippedByRule() > 0) {
                System.out.printf("  skipped_by_rule: %d file(s) or archive entries that are not recordings (hidden "
                        + "names, __MACOSX, Hadoop/Spark markers), e.g. %s%n", s.skippedByRule(),
                        String.join(", ", s.skippedByRuleSample()));
            }
            System.out.printf("  output: %s (run_id=%s)%n", output, id);
            if (!s.model().trained()) {
                System.out.println("  note: the model is UNTRAINED; its emotions mean nothing.");
            }
            return 0;
        } finally {
            spark.stop();
        }
    }
}
