package dev.ser.jobs.prepare;

import dev.ser.jobs.spark.RowBuilder;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.jobs.spark.TaskResources;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.SpeechFrontEnd;
import dev.ser.pipeline.SpeechWindowing;
import dev.ser.pipeline.StageTimes;
import dev.ser.pipeline.audio.UnsupportedAudioException;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.window.Window;
import java.io.IOException;
import java.io.InputStream;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts one partition's labelled clips into training windows with the serving pipeline's own code
 * (decoding, resampling, VAD, windowing, preprocessing), writes them as one .npy shard, and returns
 * an index row per window (or one row with status no_speech/error per clip that gave none).
 */
final class PreparePartition implements MapPartitionsFunction<Row, Row> {
    private static final Logger LOG = LoggerFactory.getLogger(PreparePartition.class);
    private static final long serialVersionUID = 1L;

    private final String outputDir;
    private final Map<String, String> hadoopConf;
    private final PreprocessingConfig preprocessing;
    private final double windowSeconds;
    private final ScoringConfig scoring;
    private final RunProgress progress;

    PreparePartition(
            String outputDir,
            Map<String, String> hadoopConf,
            PreprocessingConfig preprocessing,
            double windowSeconds,
            ScoringConfig scoring,
            RunProgress progress) {
        this.outputDir = outputDir;
        this.hadoopConf = hadoopConf;
        this.preprocessing = preprocessing;
        this.windowSeconds = windowSeconds;
        this.scoring = scoring;
        this.progress = progress;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> clips) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        SpeechFrontEnd frontEnd = SpeechFrontEnd.forTraining(windowSeconds, preprocessing, scoring);
        SpeechWindowing windowing = frontEnd.windowing();
        Preprocessor preprocessor = frontEnd.preprocessor();
        TaskResources resources = TaskResources.forCurrentTask();
        int samples = (int) Math.round(windowSeconds * SpeechWindowing.SAMPLE_RATE);
        TaskContext task = TaskContext.get();
        String shard = String.format("shard-%05d-%d.npy", task.partitionId(), task.attemptNumber());
        List<Row> index = new ArrayList<>();
        try (NpyShardWriter writer = new NpyShardWriter(samples)) {
            while (clips.hasNext()) {
                Row clip = clips.next();
                String path = clip.getAs("path");
                List<Window> windows = new ArrayList<>();
                String status = "ok";
                String error = null;
                List<InputStream> opened = new ArrayList<>(1);
                long started = System.nanoTime();
                try {
                    SpeechWindowing.Cut cut =
                            windowing.cut(
                                    () -> {
                                        Path p = new Path(URI.create(path));
                                        InputStream in =
                                                resources.track(p.getFileSystem(conf).open(p));
                                        opened.add(in);
                                        return in;
                                    },
                                    windows::add);
                    progress.add(
                            cut.durationSeconds(),
                            new StageTimes(
                                    System.nanoTime() - started - cut.vadNanos(),
                                    cut.vadNanos(),
                                    0));
                } catch (IOException | UnsupportedAudioException e) {
                    progress.add(Double.NaN, StageTimes.NONE);
                    status = "error";
                    error = e.getClass().getSimpleName() + ": " + e.getMessage();
                    windows.clear(); // a clip that fails part-way gives no windows at all
                } catch (RuntimeException e) {
                    progress.add(Double.NaN, StageTimes.NONE);
                    LOG.error("internal error while preparing {}", path, e);
                    status = "error";
                    error = RecordingResult.internalError(e).error();
                    windows.clear();
                } finally {
                    opened.forEach(resources::close);
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

    private static Row row(
            Row clip,
            String shard,
            int shardRow,
            int window,
            double speech,
            String status,
            String error) {
        RowBuilder row =
                new RowBuilder(PrepareJob.INDEX)
                        .set("shard", shard)
                        .set("row", shardRow)
                        .set("window", window)
                        .set("speech_seconds", speech)
                        .set("status", status)
                        .set("error", error);
        for (String column :
                List.of("path", "corpus", "speaker", "gender", "fold", "label", "corpus_label")) {
            row.set(column, clip.getAs(column));
        }
        return row.build();
    }
}
