package dev.ser.jobs.scoring;

import static org.apache.spark.sql.functions.col;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.input.InputColumns;
import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.spark.HadoopConf;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.pipeline.FrontEndSettings;
import dev.ser.pipeline.SpeechFrontEnd;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.model.OrtSessions;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores listed recordings (rows of path, length, modification time) with one model, in balanced
 * tasks over the executors' shared sessions: the one way recordings are scored, by the score job
 * and by evaluation alike. Archives among the files yield a row per entry. Returns rows of {@link
 * OutputSchema#scored}, followed by any columns the listing carries beyond its own three.
 */
public final class RecordingScoring {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingScoring.class);

    private RecordingScoring() {}

    /**
     * What a run scores with, as checked on the driver: the ONNX Runtime options tasks use, the
     * effective front-end settings, and how they differ from those the model was trained with
     * (empty when they agree, or when the model does not record its own).
     */
    public record Setup(
            OnnxRuntimeOptions options,
            FrontEndSettings frontEnd,
            List<String> differsFromTraining) {}

    /**
     * Checks the model and the settings on the driver (so a bad model or VAD path fails here, once,
     * with its message), and warns when the run's front end differs from the model's training: a
     * model scored on windows cut otherwise than it learnt from is measured on something else.
     */
    public static Setup check(SparkSession spark, ModelPackage model, JobSettings settings) {
        OnnxRuntimeOptions options = onnxOptions(spark, settings);
        // in local mode the tasks then share this very session
        OrtSessions.emotionModel(model, options);
        FrontEndSettings frontEnd =
                SpeechFrontEnd.forModel(model.manifest(), settings.scoring()).settings();
        List<String> differences = frontEnd.differencesFrom(model.manifest().trainedFrontEnd());
        if (!differences.isEmpty()) {
            LOG.warn(
                    "model {} was trained on windows cut with other settings than this run's: {}; its scores may "
                            + "not mean what its card says (align --conf with the model's model.json front_end)",
                    model.manifest().displayName(),
                    String.join("; ", differences));
        }
        return new Setup(options, frontEnd, differences);
    }

    /** Tasks for {@code count} recordings: small enough to balance, at least a recording each. */
    public static int partitions(SparkSession spark, long count, JobSettings settings) {
        int parallelism = spark.sparkContext().defaultParallelism();
        // Up to 16 tasks per core (a recording each in small runs) let Spark balance long and
        // short recordings; ser.recordings-per-partition sets their size in large archives.
        return (int)
                Math.max(
                        1,
                        Math.min(
                                count,
                                Math.max(
                                        16L * parallelism,
                                        (count + settings.recordingsPerPartition() - 1)
                                                / settings.recordingsPerPartition())));
    }

    /**
     * The scored rows of {@code listing}, lazily: each task adds what it skips by rule to {@code
     * skippedByRule} and each recording it finishes to {@code progress}.
     */
    public static Dataset<Row> score(
            SparkSession spark,
            Dataset<Row> listing,
            int partitions,
            ModelPackage model,
            OnnxRuntimeOptions options,
            JobSettings settings,
            String runId,
            Configuration hadoop,
            SkippedByRule skippedByRule,
            RunProgress progress) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        // Range partitions by size, largest first: Spark launches tasks in partition order, so
        // long recordings start early and the last tasks are short.
        // columns after the listing's own (a manifest's) are carried to every row
        StructField[] extras =
                java.util.Arrays.stream(listing.schema().fields())
                        .filter(f -> !InputColumns.isListingColumn(f.name()))
                        .toArray(StructField[]::new);
        // an archive-normalised model's tasks return each window's features for the second pass
        StructType output =
                OutputSchema.scored(
                        model.manifest().labels(),
                        extras,
                        ArchiveNormalisedScores.applies(model.manifest(), settings));
        return listing.repartitionByRange(partitions, col("length").desc())
                .mapPartitions(
                        new ScorePartition(
                                jsc.broadcast(model),
                                jsc.broadcast(new HadoopConf(hadoop)),
                                options,
                                settings.scoring(),
                                settings.archiveLimits(),
                                runId,
                                skippedByRule,
                                progress,
                                output),
                        Encoders.row(output));
    }

    private static OnnxRuntimeOptions onnxOptions(SparkSession spark, JobSettings settings) {
        if (settings.intraOpThreads() != null) {
            return new OnnxRuntimeOptions(settings.intraOpThreads(), settings.batchSize());
        }
        var conf = spark.sparkContext().getConf();
        int taskCpus = conf.getInt("spark.task.cpus", 1);
        int cores =
                conf.getInt(
                        "spark.executor.cores",
                        spark.sparkContext().isLocal()
                                ? spark.sparkContext().defaultParallelism()
                                : Runtime.getRuntime().availableProcessors());
        return OnnxRuntimeOptions.forExecutor(
                cores, Math.max(1, cores / taskCpus), settings.batchSize());
    }
}
