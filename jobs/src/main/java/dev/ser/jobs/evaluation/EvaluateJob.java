package dev.ser.jobs.evaluation;

import static org.apache.spark.sql.functions.col;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.corpus.LabelledCorpus;
import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.scoring.ArchiveNormalisedScores;
import dev.ser.jobs.scoring.ModelLocator;
import dev.ser.jobs.scoring.RecordingScoring;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.pipeline.corpus.EmotionClass;
import dev.ser.pipeline.metrics.ArousalAnalysis;
import dev.ser.pipeline.metrics.ClassificationMetrics;
import dev.ser.pipeline.metrics.ConfusionMatrix;
import dev.ser.pipeline.model.ModelPackage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluate job: read labelled corpora, assign speaker-independent folds, score every 4-class
 * clip exactly as the score job scores a voice note (each fold's test speakers with that fold's
 * model when one is given per fold), and write {@code predictions/} (Parquet), {@code
 * metrics.json}, confusion-matrix PNGs and {@code report.html}.
 */
public final class EvaluateJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateJob.class);
    private static final ObjectMapper JSON =
            new ObjectMapper()
                    .enable(SerializationFeature.INDENT_OUTPUT)
                    .setSerializationInclusion(
                            com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL);

    private EvaluateJob() {}

    public static EvaluationResult run(
            SparkSession spark, EvaluateRequest request, JobSettings settings) throws IOException {
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        List<LabelledCorpus> corpora = LabelledCorpus.read(request.corpora(), request.folds());
        int maxFolds = corpora.stream().mapToInt(LabelledCorpus::foldCount).max().orElse(1);
        Map<Integer, ModelPackage> modelByFold = models(request.model(), maxFolds, hadoop);

        Path out = new Path(request.output());
        FileSystem fs = OutputDirectory.prepare(out, hadoop, request.overwrite());

        Dataset<Row> clips =
                spark.createDataFrame(LabelledCorpus.clipRows(corpora), LabelledCorpus.CLIPS)
                        .persist(StorageLevel.MEMORY_AND_DISK());
        List<Part> parts = new ArrayList<>();
        Map<String, RecordingScoring.Setup> checked = new LinkedHashMap<>();
        RunProgress progress = RunProgress.register(spark.sparkContext());
        SkippedByRule skippedByRule = SkippedByRule.register(spark.sparkContext());
        long clipCount = 0;
        for (Map.Entry<ModelPackage, List<Integer>> e : foldsByModel(modelByFold).entrySet()) {
            ModelPackage model = e.getKey();
            checked.computeIfAbsent(
                    model.sha256(), k -> RecordingScoring.check(spark, model, settings));
            // each corpus apart: an archive-normalised model standardises a corpus's features
            // with that corpus's own statistics, as the score job does an archive's (or each
            // speaker's with their own, the corpus's standing in for speakers of few windows)
            for (LabelledCorpus corpus : corpora) {
                Dataset<Row> listing =
                        clips.filter(
                                        col("fold")
                                                .isin(e.getValue().toArray())
                                                .and(col("corpus").equalTo(corpus.name())))
                                .select("path", "length", "modification_time", "speaker");
                long count = listing.count();
                if (count == 0) {
                    continue;
                }
                Dataset<Row> part =
                        RecordingScoring.score(
                                        spark,
                                        listing,
                                        RecordingScoring.partitions(spark, count, settings),
                                        model,
                                        checked.get(model.sha256()).options(),
                                        settings,
                                        request.runId(),
                                        hadoop,
                                        skippedByRule,
                                        progress)
                                .persist(StorageLevel.MEMORY_AND_DISK());
                clipCount += count;
                parts.add(new Part(model, corpus.name(), part));
            }
        }
        Dataset<Row> predictions = null;
        try {
            // Score every clip first, in the scoring's own balanced tasks (a coalesce before
            // this would pull the scoring into one task), into the first passes' caches.
            try (RunProgress.Watch watch =
                    progress.watch(
                            spark.sparkContext(),
                            "evaluating",
                            clipCount,
                            settings.progressSeconds(),
                            System.out)) {
                long scoredClips = 0;
                for (Part p : parts) {
                    scoredClips += p.firstPass().count();
                }
                LOG.info("{} clips scored", scoredClips);
            }
            Dataset<Row> scored = null;
            // per model as given (a fold's own package), then per corpus
            Map<ModelPackage, Map<String, Map<String, Object>>> normalisation =
                    new LinkedHashMap<>();
            for (Part p : parts) {
                Dataset<Row> rows = p.firstPass();
                if (ArchiveNormalisedScores.applies(p.model().manifest(), settings)) {
                    ArchiveNormalisedScores.Result r =
                            ArchiveNormalisedScores.apply(
                                    rows,
                                    p.model().manifest(),
                                    settings.scoring().weightBySpeech(),
                                    settings.featureNormalisation()
                                                    == JobSettings.FeatureNormalisation.SPEAKER
                                            ? "speaker"
                                            : null);
                    rows = r.rows();
                    normalisation
                            .computeIfAbsent(p.model(), k -> new LinkedHashMap<>())
                            .put(p.corpus(), r.summary());
                }
                scored = scored == null ? rows : scored.unionByName(rows);
            }
            predictions =
                    clips.drop("length", "modification_time")
                            .join(
                                    scored.select(
                                            col("path"),
                                            col("status"),
                                            col("error"),
                                            col("emotion").as("predicted"),
                                            col("probabilities"),
                                            col("confidence"),
                                            col("window_count"),
                                            col("model_name"),
                                            col("model_sha256"),
                                            col("run_id")),
                                    "path")
                            .persist(StorageLevel.MEMORY_AND_DISK());
            predictions.coalesce(1).write().parquet(new Path(out, "predictions").toString());
            List<Row> rows =
                    predictions
                            .select("corpus", "fold", "label", "predicted", "status")
                            .collectAsList();
            EvaluationResult metrics =
                    metrics(
                            corpora,
                            rows,
                            modelByFold,
                            checked,
                            normalisation,
                            request,
                            settings,
                            out,
                            fs);
            write(fs, new Path(out, "metrics.json"), JSON.writeValueAsBytes(metrics));
            write(
                    fs,
                    new Path(out, "report.html"),
                    EvaluationReport.html(metrics)
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return metrics;
        } finally {
            if (predictions != null) {
                predictions.unpersist();
            }
            parts.forEach(p -> p.firstPass().unpersist());
            clips.unpersist();
        }
    }

    /** The clips of one corpus scored by one model, before archive normalisation. */
    private record Part(ModelPackage model, String corpus, Dataset<Row> firstPass) {}

    /** The model of each fold, by 1-based fold number. */
    private static Map<Integer, ModelPackage> models(
            String model, int folds, Configuration hadoop) {
        Map<Integer, ModelPackage> byFold = new TreeMap<>();
        ModelPackage single =
                model == null || !model.contains("{fold}")
                        ? ModelLocator.load(model, hadoop)
                        : null;
        for (int f = 1; f <= folds; f++) {
            ModelPackage m =
                    single != null
                            ? single
                            : ModelLocator.load(model.replace("{fold}", String.valueOf(f)), hadoop);
            if (!new HashSet<>(m.manifest().labels()).equals(new HashSet<>(EmotionClass.LABELS))) {
                throw new ConfigurationException(
                        "model "
                                + m.source()
                                + " has labels "
                                + m.manifest().labels()
                                + "; evaluation needs the 4 classes "
                                + EmotionClass.LABELS);
            }
            byFold.put(f, m);
        }
        return byFold;
    }

    private static Map<ModelPackage, List<Integer>> foldsByModel(
            Map<Integer, ModelPackage> byFold) {
        Map<ModelPackage, List<Integer>> out = new LinkedHashMap<>();
        byFold.forEach((fold, m) -> out.computeIfAbsent(m, k -> new ArrayList<>()).add(fold));
        return out;
    }

    private static EvaluationResult metrics(
            List<LabelledCorpus> corpora,
            List<Row> rows,
            Map<Integer, ModelPackage> models,
            Map<String, RecordingScoring.Setup> setups,
            Map<ModelPackage, Map<String, Map<String, Object>>> normalisation,
            EvaluateRequest request,
            JobSettings settings,
            Path out,
            FileSystem fs)
            throws IOException {
        List<EvaluationResult.ModelUsed> used = new ArrayList<>();
        foldsByModel(models)
                .forEach(
                        (m, folds) ->
                                used.add(
                                        new EvaluationResult.ModelUsed(
                                                m.manifest().displayName(),
                                                m.sha256(),
                                                m.manifest().trained(),
                                                m.source(),
                                                folds,
                                                setups.get(m.sha256()).differsFromTraining(),
                                                normalisation.get(m))));
        Map<String, EvaluationResult.CorpusResult> byCorpus = new LinkedHashMap<>();
        for (LabelledCorpus c : corpora) {
            byCorpus.put(c.name(), corpus(c, rows, models, request, out, fs));
        }
        Map<String, Object> frontEnd = setups.values().iterator().next().frontEnd().toMap();
        return new EvaluationResult(
                request.runId(),
                used,
                String.join(",", EmotionClass.LABELS),
                byCorpus,
                settings.effective(),
                frontEnd);
    }

    private static EvaluationResult.CorpusResult corpus(
            LabelledCorpus c,
            List<Row> rows,
            Map<Integer, ModelPackage> models,
            EvaluateRequest request,
            Path out,
            FileSystem fs)
            throws IOException {
        String name = c.name();
        Map<Integer, List<String>> speakers = new TreeMap<>();
        c.folds().forEach((s, f) -> speakers.computeIfAbsent(f, k -> new ArrayList<>()).add(s));

        ConfusionMatrix all = new ConfusionMatrix(EmotionClass.LABELS);
        Map<Integer, ConfusionMatrix> perFold = new TreeMap<>();
        Map<String, Integer> notScored = new TreeMap<>();
        int used = 0;
        for (Row r : rows) {
            if (!r.<String>getAs("corpus").equals(name)) {
                continue;
            }
            used++;
            String status = r.getAs("status");
            if (!status.equals("ok")) {
                notScored.merge(status, 1, Integer::sum);
                continue;
            }
            String label = r.getAs("label");
            String predicted = r.getAs("predicted");
            all.add(label, predicted);
            perFold.computeIfAbsent(
                            r.<Integer>getAs("fold"), k -> new ConfusionMatrix(EmotionClass.LABELS))
                    .add(label, predicted);
        }
        EvaluationResult.Clips clips =
                new EvaluationResult.Clips(
                        c.listing().clips().size(),
                        used,
                        all.total(),
                        c.listing().excludedByCorpusLabel(),
                        notScored);

        ClassificationMetrics pooled = ClassificationMetrics.of(all);
        Map<String, Double> truthShare = new LinkedHashMap<>();
        Map<String, Double> predictedShare = new LinkedHashMap<>();
        for (int k = 0; k < all.labels().size(); k++) {
            double total = Math.max(1, all.total());
            truthShare.put(all.labels().get(k), all.support(k) / total);
            predictedShare.put(all.labels().get(k), all.predictedCount(k) / total);
        }
        List<EvaluationResult.Metrics> folds = new ArrayList<>();
        List<Double> wa = new ArrayList<>();
        List<Double> ua = new ArrayList<>();
        List<Double> f1 = new ArrayList<>();
        Map<String, List<Double>> classF1 = new LinkedHashMap<>();
        for (Map.Entry<Integer, ConfusionMatrix> e : perFold.entrySet()) {
            ClassificationMetrics m = ClassificationMetrics.of(e.getValue());
            folds.add(EvaluationResult.Metrics.of(m, e.getKey(), models.get(e.getKey()).sha256()));
            wa.add(m.accuracy());
            ua.add(m.balancedAccuracy());
            f1.add(m.macroF1());
            m.perClass()
                    .forEach(
                            (label, pc) ->
                                    classF1.computeIfAbsent(label, k -> new ArrayList<>())
                                            .add(pc.f1()));
            if (request.foldPlots()) {
                chart(
                        fs,
                        new Path(out, "confusion-" + name + "-fold" + e.getKey() + ".png"),
                        name + ", fold " + e.getKey(),
                        e.getValue());
            }
        }
        Map<String, ClassificationMetrics.Spread> perClassF1 = new LinkedHashMap<>();
        classF1.forEach((label, v) -> perClassF1.put(label, ClassificationMetrics.Spread.of(v)));
        EvaluationResult.OverFolds over =
                new EvaluationResult.OverFolds(
                        ClassificationMetrics.Spread.of(wa),
                        ClassificationMetrics.Spread.of(ua),
                        ClassificationMetrics.Spread.of(f1),
                        perClassF1);

        String png = "confusion-" + name + ".png";
        chart(fs, new Path(out, png), name + " (" + all.total() + " clips, all folds)", all);
        LOG.info(
                "{}: WA {} UA {} macro F1 {} over {} scored clips",
                name,
                pooled.accuracy(),
                pooled.balancedAccuracy(),
                pooled.macroF1(),
                all.total());
        return new EvaluationResult.CorpusResult(
                c.spec().root().toString(),
                c.listing().options(),
                c.foldCount(),
                speakers,
                clips,
                EvaluationResult.Metrics.of(pooled, null, null),
                new EvaluationResult.ClassShares(truthShare, predictedShare),
                folds,
                over,
                EvaluationResult.Arousal.of(ArousalAnalysis.of(all)),
                png);
    }

    private static void chart(FileSystem fs, Path file, String title, ConfusionMatrix m)
            throws IOException {
        java.nio.file.Path tmp = Files.createTempFile("confusion", ".png");
        try {
            ConfusionMatrixChart.write(tmp, title, m.labels(), m.counts());
            write(fs, file, Files.readAllBytes(tmp));
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void write(FileSystem fs, Path file, byte[] bytes) throws IOException {
        try (OutputStream o = fs.create(file, true)) {
            o.write(bytes);
        }
    }
}
