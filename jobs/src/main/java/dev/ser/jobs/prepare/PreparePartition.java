package dev.ser.jobs.prepare;

import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.SpeechWindowing;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.vad.EnergyVad;
import dev.ser.pipeline.window.Window;
import dev.ser.pipeline.window.WindowConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Cuts one partition's labelled clips into training windows with the serving pipeline's own
 * code (decoding, resampling, VAD, windowing, preprocessing), writes them as one .npy shard,
 * and returns an index row per window (or one row with status no_speech/error per clip that
 * gave none).
 */
final class PreparePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 1L;

    private final String outputDir;
    private final Map<String, String> hadoopConf;
    private final PreprocessingConfig preprocessing;
    private final double windowSeconds;

    PreparePartition(String outputDir, Map<String, String> hadoopConf, PreprocessingConfig preprocessing,
                     double windowSeconds) {
        this.outputDir = outputDir;
        this.hadoopConf = hadoopConf;
        this.preprocessing = preprocessing;
        this.windowSeconds = windowSeconds;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> clips) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        ScoringConfig scoring = ScoringConfig.DEFAULT;
        SpeechWindowing windowing = new SpeechWindowing(EnergyVad::new, scoring.vad(),
                new WindowConfig(windowSeconds, windowSeconds, scoring.minLastWindowSeconds()));
        Preprocessor preprocessor = new Preprocessor(preprocessing);
        int samples = (int) Math.round(windowSeconds * SpeechWindowing.SAMPLE_RATE);
        TaskContext task = TaskContext.get();
        String shard = String.format("shard-%05d-%d.npy", task.partitionId(), task.attemptNumber());
        List<Row> index = new ArrayList<>();
        try (NpyShardWriter writer = new NpyShardWriter(samples)) {
            while (clips.hasNext()) {
                Row clip = clips.next();
                String path = clip.getString(0);
                List<Window> windows = new ArrayList<>();
                String status = "ok";
                String error = null;
                try {
                    windowing.cut(() -> {
                        Path p = new Path(URI.create(path));
                        return p.getFileSystem(conf).open(p);
                    }, windows::add);
                } catch (IOException | RuntimeException e) {
                    status = "error";
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                    windows.clear(); // a clip that fails part-way gives no windows at all
                }
                if (status.equals("ok") && windows.isEmpty()) {
                    status = "no_speech";
                }
                if (!status.equals("ok")) {
                    index.add(row(clip, null, -1, -1, 0, status, error));
                }
                for (Window w : windows) {
                    int at = writer.append(preprocessor.apply(w.samples()));
                    index.add(row(clip, shard, at, w.index(), w.speechSeconds(), status, null));
                }
            }
            if (writer.count() > 0) {
                Path target = new Path(new Path(outputDir, "shards"), shard);
                try (OutputStream o = target.getFileSystem(conf).create(target, true)) {
                    writer.finish(o);
                }
            }
        }
        return index.iterator();
    }

    private static Row row(Row clip, String shard, int shardRow, int window, double speech, String status,
                           String error) {
        return RowFactory.create(shard, shardRow, clip.getString(0), clip.getString(3), clip.getString(4),
                clip.getString(5), clip.getInt(6), clip.getString(7), clip.getString(8), window, speech, status, error);
    }

}
