package dev.ser.jobs.prepare;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.corpus.CorpusSpec;
import dev.ser.jobs.corpus.LabelledCorpus;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.pipeline.FrontEndSettings;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.SpeechFrontEnd;
import dev.ser.pipeline.SpeechWindowing;
import dev.ser.pipeline.corpus.EmotionClass;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The prepare job: labelled corpora in, training windows out. Each 4-class clip goes through the
 * serving pipeline's own decoding, VAD, windowing and preprocessing, and every window is
 * zero-padded (or cut) to the window length, as the study trains. The front end is built by {@link
 * SpeechFrontEnd}, as scoring builds it, from the run's settings ({@code --conf}: the detector, its
 * region rules, the hop). Writes {@code OUT/shards/*.npy} (int16 [windows, samples]), {@code
 * OUT/index.jsonl} (one line per window, or per clip that gave none) and {@code OUT/prepare.json}
 * (the front end's settings, which the trainer copies into the model's manifest as {@code
 * front_end}, the run's settings and the counts).
 */
public final class PrepareJob {
    static final StructType INDEX =
            new StructType()
                    .add("shard", DataTypes.StringType, true)
                    .add("row", DataTypes.IntegerType, false)
                    .add("path", DataTypes.StringType, false)
                    .add("corpus", DataTypes.StringType, false)
                    .add("speaker", DataTypes.StringType, false)
                    .add("gender", DataTypes.StringType, false)
                    .add("fold", DataTypes.IntegerType, false)
                    .add("label", DataTypes.StringType, false)
                    .add("corpus_label", DataTypes.StringType, false)
                    .add("window", DataTypes.IntegerType, false)
                    .add("speech_seconds", DataTypes.DoubleType, false)
                    .add("status", DataTypes.StringType, false)
                    .add("error", DataTypes.StringType, true);

    private PrepareJob() {}

    /**
     * The study's window length and preprocessing, which the trainer writes into the model's
     * manifest.
     */
    public static final double WINDOW_SECONDS = 8.0;

    public static ObjectNode run(
            SparkSession spark,
            List<CorpusSpec> specs,
            int folds,
            String output,
            boolean overwrite,
            JobSettings settings)
            throws IOException {
        PreprocessingConfig preprocessing = PreprocessingConfig.STUDY;
        double windowSeconds = WINDOW_SECONDS;
        ScoringConfig scoring = settings.scoring();
        // built here first so that a bad detector setting fails on the driver, once
        FrontEndSettings frontEnd =
                SpeechFrontEnd.forTraining(windowSeconds, preprocessing, scoring).settings();
        List<LabelledCorpus> corpora = LabelledCorpus.read(specs, folds);
        Configuration hadoop = spark.sparkContext().hadoopConfiguration();
        Path out = new Path(output);
        FileSystem fs = OutputDirectory.prepare(out, hadoop, overwrite);
        List<Row> clipRows = LabelledCorpus.clipRows(corpora);
        Map<String, String> conf = new HashMap<>();
        hadoop.forEach(e -> conf.put(e.getKey(), e.getValue()));
        RunProgress progress = RunProgress.register(spark.sparkContext());
        int partitions =
                Math.max(
                        1,
                        Math.min(clipRows.size(), 4 * spark.sparkContext().defaultParallelism()));
        Dataset<Row> index =
                spark.createDataFrame(clipRows, LabelledCorpus.CLIPS)
                        .repartition(partitions)
                        .mapPartitions(
                                new PreparePartition(
                                        out.toString(),
                                        conf,
                                        preprocessing,
                                        windowSeconds,
                                        scoring,
                                        progress),
                                Encoders.row(INDEX));
        List<Row> rows;
        try (RunProgress.Watch watch =
                progress.watch(
                        spark.sparkContext(),
                        "preparing",
                        clipRows.size(),
                        settings.progressSeconds(),
                        System.out)) {
            rows = index.collectAsList();
        }

        ObjectMapper json = new ObjectMapper();
        Map<String, Map<String, Integer>> windowsByCorpusLabel = new TreeMap<>();
        Map<String, Map<String, Integer>> skipped = new TreeMap<>();
        try (OutputStream o = fs.create(new Path(out, "index.jsonl"), true)) {
            for (Row r : rows) {
                ObjectNode line = json.createObjectNode();
                for (String column : INDEX.fieldNames()) {
                    line.set(column, json.valueToTree(r.getAs(column)));
                }
                o.write((json.writeValueAsString(line) + "\n").getBytes(StandardCharsets.UTF_8));
                String corpus = r.getAs("corpus");
                String status = r.getAs("status");
                if (status.equals("ok")) {
                    windowsByCorpusLabel
                            .computeIfAbsent(corpus, k -> new TreeMap<>())
                            .merge(r.<String>getAs("label"), 1, Integer::sum);
                } else {
                    skipped.computeIfAbsent(corpus, k -> new TreeMap<>())
                            .merge(status, 1, Integer::sum);
                }
            }
        }
        ObjectNode meta = json.createObjectNode();
        meta.put("sample_rate", SpeechWindowing.SAMPLE_RATE)
                .put("window_seconds", windowSeconds)
                .put("padding", "zero_pad_to_window")
                .put("sample_format", "int16 / 32767");
        meta.set("labels", json.valueToTree(EmotionClass.LABELS));
        ObjectNode pre = meta.putObject("preprocessing");
        pre.put("trim_top_db", preprocessing.trimTopDb())
                .put("trim_frame_length", preprocessing.trimFrameLength())
                .put("trim_hop_length", preprocessing.trimHopLength())
                .put("pre_emphasis", preprocessing.preEmphasis())
                .put("peak_normalize", preprocessing.peakNormalize());
        meta.set("front_end", json.valueToTree(frontEnd.toMap()));
        meta.set("settings", json.valueToTree(settings.effective()));
        ObjectNode corporaNode = meta.putObject("corpora");
        for (LabelledCorpus c : corpora) {
            ObjectNode n = corporaNode.putObject(c.name());
            n.put("root", c.spec().root().toString()).put("folds", c.foldCount());
            n.set("reader_options", json.valueToTree(c.listing().options()));
            n.set("fold_speakers", json.valueToTree(speakersByFold(c.folds())));
            n.set(
                    "windows_by_label",
                    json.valueToTree(windowsByCorpusLabel.getOrDefault(c.name(), Map.of())));
            n.set(
                    "clips_without_windows",
                    json.valueToTree(skipped.getOrDefault(c.name(), Map.of())));
            n.set("excluded_by_label", json.valueToTree(c.listing().excludedByCorpusLabel()));
        }
        try (OutputStream o = fs.create(new Path(out, "prepare.json"), true)) {
            o.write(json.enable(SerializationFeature.INDENT_OUTPUT).writeValueAsBytes(meta));
        }
        return meta;
    }

    private static Map<Integer, List<String>> speakersByFold(Map<String, Integer> folds) {
        Map<Integer, List<String>> out = new TreeMap<>();
        folds.forEach((s, f) -> out.computeIfAbsent(f, k -> new java.util.ArrayList<>()).add(s));
        return out;
    }
}
