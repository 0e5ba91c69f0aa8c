package dev.ser.jobs.score;

import dev.ser.pipeline.AudioSource;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.RecordingScorer;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.model.OrtSessions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores the recordings of one partition with the executor's shared model session: listing
 * rows (path, length, modificationTime) in, one scored row per recording out, lazily, so a
 * task holds one recording at a time. Audio is read on the executor through Hadoop's
 * FileSystem; it never passes through the driver.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;
    /** One scorer per model, options and settings in each executor JVM. */
    private static final Map<String, RecordingScorer> SCORERS = new ConcurrentHashMap<>();

    private final Broadcast<ModelPackage> model;
    private final Broadcast<HadoopConf> hadoopConf;
    private final OnnxRuntimeOptions options;
    private final ScoringConfig config;
    private final String runId;

    ScorePartition(Broadcast<ModelPackage> model, Broadcast<HadoopConf> hadoopConf, OnnxRuntimeOptions options,
                   ScoringConfig config, String runId) {
        this.model = model;
        this.hadoopConf = hadoopConf;
        this.options = options;
        this.config = config;
        this.runId = runId;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> listing) {
        ModelPackage pkg = model.value();
        RecordingScorer scorer = SCORERS.computeIfAbsent(pkg.sha256() + options + config,
                k -> new RecordingScorer(OrtSessions.emotionModel(pkg, options), config));
        var conf = hadoopConf.value().get();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return listing.hasNext();
            }

            @Override
            public Row next() {
                Row file = listing.next();
                String path = file.getString(0);
                AudioSource source = () -> {
                    Path p = new Path(URI.create(path));
                    FileSystem fs = p.getFileSystem(conf);
                    return fs.open(p);
                };
                return toRow(path, file.getLong(1), file.get(2), scorer.score(source), pkg.manifest());
            }
        };
    }

    private Row toRow(String path, long size, Object modified, RecordingResult r, ModelManifest manifest) {
        boolean ok = r.emotion() != null;
        List<Row> windows = new ArrayList<>(r.windows().size());
        for (WindowScore w : r.windows()) {
            windows.add(RowFactory.create(w.index(), w.startSeconds(), w.endSeconds(), w.speechSeconds(),
                    probabilities(w.probabilities())));
        }
        return RowFactory.create(path, recordingId(path), r.status().label(), r.error(),
                finite(r.durationSeconds()), finite(r.speechSeconds()), r.windows().size(),
                r.sourceSampleRate() > 0 ? r.sourceSampleRate() : null,
                r.sourceChannels() > 0 ? r.sourceChannels() : null, size, modified,
                ok ? probabilities(r.emotion().probabilities()) : null,
                ok ? r.emotion().emotion() : null, ok ? r.emotion().confidence() : null,
                ok ? r.emotion().arousal() : null,
                manifest.displayName(), model.value().sha256(), manifest.trained(), runId,
                scala.jdk.javaapi.CollectionConverters.asScala(windows)); // Spark's Row arrays are Scala Seqs
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Row probabilities(float[] p) {
        Object[] values = new Object[p.length];
        for (int i = 0; i < p.length; i++) {
            values[i] = p[i];
        }
        return RowFactory.create(values);
    }

    /** Stable across runs and machines: the first 16 hex digits of the path's SHA-256. */
    static String recordingId(String path) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(path.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
