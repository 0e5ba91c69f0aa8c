package dev.ser.jobs.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.input.InputLister;
import dev.ser.jobs.input.ManifestLister;
import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The score job: list the inputs (directories in parallel, or a manifest), leave out those an
 * earlier run scored when incremental, spread the recordings over tasks, score each partition with
 * the executor's model session, and write {@code OUT/recordings/} and {@code OUT/windows/} (a
 * {@code run_id=} partition per run), then {@code OUT/inputs/} (the ledger of scored inputs) and
 * {@code OUT/summary.json}.
 */
public final class ScoreJob {
    private static final Logger LOG = LoggerFactory.getLogger(ScoreJob.class);

    /** Recordings per output file (windows follow their recordings). */
    private static final long ROWS_PER_FILE = 100_000;

    /** The manifest column per-speaker normalisation reads. */
    private static final String SPEAKER = "speaker";

    private ScoreJob() {}

    public static ScoreSummary run(SparkSession spark, ScoreRequest request, JobSettings settings) {
        long started = System.nanoTime();
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        ModelPackage model = ModelLocator.load(request.modelDir(), hadoop);
        ModelManifest manifest = model.manifest();
        RecordingScoring.Setup setup = RecordingScoring.check(spark, model, settings);
        long checkedAt = System.nanoTime();
        OnnxRuntimeOptions options = setup.options();
        LOG.info(
                "model {} ({}), sha256 {}, labels {}, {} intra-op thread(s) per task, batch {}",
                manifest.displayName(),
                model.source(),
                model.sha256(),
                manifest.labels(),
                options.intraOpThreads(),
                options.batchSize());

        SkippedByRule skippedByRule = SkippedByRule.register(spark.sparkContext());
        Dataset<Row> listed =
                request.manifest() != null
                        ? ManifestLister.list(
                                spark,
                                request.manifest(),
                                hadoop,
                                Arrays.asList(OutputSchema.scored(List.of()).fieldNames()))
                        : InputLister.list(spark, request.inputs(), hadoop, skippedByRule);
        boolean perSpeaker =
                ArchiveNormalisedScores.applies(manifest, settings)
                        && settings.featureNormalisation()
                                == JobSettings.FeatureNormalisation.SPEAKER;
        if (perSpeaker && !Arrays.asList(listed.columns()).contains(SPEAKER)) {
            throw new ConfigurationException(
                    "ser.feature-normalisation=speaker needs to know who speaks: score a --manifest"
                            + " with a 'speaker' column, or use ser.feature-normalisation=archive");
        }
        Path out = new Path(request.output());
        Dataset<Row> previous = null;
        if (request.incremental() != null) {
            previous = ScoredInputs.previous(spark, out, model.sha256(), request.runId(), hadoop);
        } else {
            OutputDirectory.prepare(out, hadoop, request.overwrite());
        }
        ScoredInputs.Key key =
                request.incremental() == null ? ScoredInputs.Key.STAT : request.incremental();
        Dataset<Row> keyed =
                ScoredInputs.keyed(spark, listed, key, hadoop)
                        .persist(StorageLevel.MEMORY_AND_DISK());
        long listedCount = keyed.count();
        Dataset<Row> todo =
                previous == null
                        ? keyed
                        : ScoredInputs.notScored(keyed, previous, key)
                                .persist(StorageLevel.MEMORY_AND_DISK());
        long count = previous == null ? listedCount : todo.count();
        long skipped = listedCount - count;
        if (request.incremental() != null) {
            LOG.info(
                    "incremental run: {} listed input(s), {} scored before with this model and skipped",
                    listedCount,
                    skipped);
        }
        Dataset<Row> files = todo.drop(ScoredInputs.HASH);
        int partitions = RecordingScoring.partitions(spark, count, settings);
        int outputFiles =
                (int)
                        Math.max(
                                1,
                                Math.min(partitions, (count + ROWS_PER_FILE - 1) / ROWS_PER_FILE));
        long listedAt = System.nanoTime();
        RunProgress progress = RunProgress.register(spark.sparkContext());
        LOG.info(
                "{} input file(s) in {} partition(s), listed in {} s",
                count,
                partitions,
                seconds(started));

        Dataset<Row> firstPass =
                RecordingScoring.score(
                                spark,
                                files,
                                partitions,
                                model,
                                options,
                                settings,
                                request.runId(),
                                hadoop,
                                skippedByRule,
                                progress)
                        .persist(StorageLevel.MEMORY_AND_DISK());
        try {
            long scoredCount;
            try (RunProgress.Watch watch =
                    progress.watch(
                            spark.sparkContext(),
                            "scoring",
                            count,
                            settings.progressSeconds(),
                            System.out)) {
                scoredCount = firstPass.count(); // scores every recording once, into the cache
            }
            ArchiveNormalisedScores.Result normalised =
                    ArchiveNormalisedScores.applies(manifest, settings)
                            ? ArchiveNormalisedScores.apply(
                                    firstPass,
                                    manifest,
                                    settings.scoring().weightBySpeech(),
                                    perSpeaker ? SPEAKER : null)
                            : ArchiveNormalisedScores.Result.unchanged(firstPass);
            Dataset<Row> scored = normalised.rows();
            if (normalised.standardisation() != null) {
                LOG.info("features standardised: {}", normalised.summary());
            }
            long scoredAt = System.nanoTime();
            LOG.info("{} recordings scored at {} s", scoredCount, seconds(started));
            // each run is a partition of its own (run_id=...), beside earlier runs' in incremental
            // mode
            scored.drop("windows")
                    .coalesce(outputFiles)
                    .write()
                    .mode("append")
                    .partitionBy("run_id")
                    .parquet(new Path(out, "recordings").toString());
            scored.coalesce(outputFiles)
                    .filter(size(col("windows")).gt(0))
                    .select(col("recording_id"), col("run_id"), explode(col("windows")).as("w"))
                    .select(
                            col("recording_id"),
                            col("w.window_index"),
                            col("w.start_seconds"),
                            col("w.end_seconds"),
                            col("w.speech_seconds"),
                            col("w.probabilities"),
                            col("run_id"))
                    .write()
                    .mode("append")
                    .partitionBy("run_id")
                    .parquet(new Path(out, "windows").toString());
            Map<String, Double> stages = new LinkedHashMap<>();
            stages.put("model_loading", (checkedAt - started) / 1e9);
            stages.put("listing", (listedAt - checkedAt) / 1e9);
            stages.put("scoring", (scoredAt - listedAt) / 1e9);
            progress.taskSeconds().forEach((stage, seconds) -> stages.put(stage, seconds));
            stages.put("writing", (System.nanoTime() - scoredAt) / 1e9);
            ScoreSummary summary =
                    summarise(
                            scored,
                            request,
                            skipped,
                            skippedByRule,
                            model,
                            started,
                            spark.sparkContext().master(),
                            settings,
                            setup,
                            stages,
                            normalised.summary());
            if (summary.skippedByRule() > 0) {
                LOG.info(
                        "{} listed file(s) or archive entries skipped as not recordings (hidden names, __MACOSX, "
                                + "Hadoop/Spark markers), e.g. {}",
                        summary.skippedByRule(),
                        summary.skippedByRuleSample());
            }
            ScoredInputs.append(
                    todo, out, model.sha256(), request.runId()); // last: marks the run finished
            LOG.info("recordings, windows and inputs written at {} s", seconds(started));
            writeSummary(new Path(out, "summary.json"), hadoop, summary); // the latest run's
            writeSummary(new Path(out, "summaries/" + request.runId() + ".json"), hadoop, summary);
            return summary;
        } finally {
            firstPass.unpersist();
            todo.unpersist();
            keyed.unpersist();
        }
    }

    private static String seconds(long startedNanos) {
        return String.format("%.1f", (System.nanoTime() - startedNanos) / 1e9);
    }

    private static ScoreSummary summarise(
            Dataset<Row> scored,
            ScoreRequest request,
            long skipped,
            SkippedByRule skippedByRule,
            ModelPackage model,
            long started,
            String master,
            JobSettings settings,
            RecordingScoring.Setup setup,
            Map<String, Double> stageSeconds,
            Map<String, Object> featureNormalisation) {
        long inputs = 0;
        long ok = 0;
        long noSpeech = 0;
        long error = 0;
        long internalErrors = 0;
        double audio = 0;
        double speech = 0;
        long windows = 0;
        for (Row r :
                scored.groupBy("status")
                        .agg(
                                count("*").as("recordings"),
                                sum(when(col("error").startsWith(RecordingResult.INTERNAL_ERROR), 1)
                                                .otherwise(0))
                                        .as("bugs"),
                                sum("duration_seconds").as("audio"),
                                sum("speech_seconds").as("speech"),
                                sum("window_count").as("windows"))
                        .collectAsList()) {
            long n = r.<Long>getAs("recordings");
            inputs += n;
            switch (r.<String>getAs("status")) {
                case "ok" -> ok = n;
                case "no_speech" -> noSpeech = n;
                default -> error = n;
            }
            internalErrors += r.isNullAt(r.fieldIndex("bugs")) ? 0 : r.<Long>getAs("bugs");
            audio += r.isNullAt(r.fieldIndex("audio")) ? 0 : r.<Double>getAs("audio");
            speech += r.isNullAt(r.fieldIndex("speech")) ? 0 : r.<Double>getAs("speech");
            windows += r.isNullAt(r.fieldIndex("windows")) ? 0 : r.<Long>getAs("windows");
        }
        ModelManifest m = model.manifest();
        return new ScoreSummary(
                request.runId(),
                inputs,
                skipped,
                skippedByRule.count(),
                skippedByRule.sample(),
                ok,
                noSpeech,
                error,
                internalErrors,
                audio,
                speech,
                windows,
                (System.nanoTime() - started) / 1e9,
                new ScoreSummary.Model(
                        m.displayName(), model.sha256(), m.trained(), model.source(), m.labels()),
                master,
                settings.effective(),
                setup.frontEnd().toMap(),
                setup.differsFromTraining(),
                stageSeconds,
                featureNormalisation);
    }

    private static void writeSummary(Path file, Configuration hadoop, ScoreSummary summary) {
        try (OutputStream o = file.getFileSystem(hadoop).create(file, true)) {
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o, summary);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
