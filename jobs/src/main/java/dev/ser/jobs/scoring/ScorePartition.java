package dev.ser.jobs.scoring;

import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.spark.HadoopConf;
import dev.ser.jobs.spark.HadoopSeekableChannel;

import dev.ser.pipeline.archive.ArchiveFormat;
import dev.ser.pipeline.archive.ArchiveLimits;
import dev.ser.pipeline.archive.ArchiveReader;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.RecordingScorer;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.model.OrtSessions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.sql.Timestamp;
import java.util.Collections;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * Scores the recordings of one partition with the executor's shared model session: listing
 * rows (path, length, modification time, then any columns a manifest carries) in, one scored
 * row per recording out, lazily, so a task holds one recording at a time. Audio is read on
 * the executor through Hadoop's FileSystem; it never passes through the driver.
 *
 * <p>A listed file that is a tar, tar.gz or zip archive (by content) yields one row per
 * entry, {@code archive!entry}, read in place through {@link ArchiveReader}'s limits; an
 * archive that cannot be read at all, or holds no recordings, yields one error row under its
 * own path. The manifest's columns are copied to every row the file yields.
 */
public final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 2L;
    /** One scorer per model, options and settings in each executor JVM. */
    private static final Map<String, RecordingScorer> SCORERS = new ConcurrentHashMap<>();
    /** The listing's own columns; manifest columns follow them. */
    static final int LISTING_COLUMNS = 3;

    private final Broadcast<ModelPackage> model;
    private final Broadcast<HadoopConf> hadoopConf;
    private final OnnxRuntimeOptions options;
    private final ScoringConfig config;
    private final ArchiveLimits limits;
    private final String runId;
    private final SkippedByRule skippedByRule;

    ScorePartition(Broadcast<ModelPackage> model, Broadcast<HadoopConf> hadoopConf, OnnxRuntimeOptions options,
                   ScoringConfig config, ArchiveLimits limits, String runId, SkippedByRule skippedByRule) {
        this.skippedByRule = skippedByRule;
        this.model = model;
        this.hadoopConf = hadoopConf;
        this.options = options;
        this.config = config;
        this.limits = limits;
        this.runId = runId;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> listing) {
        ModelPackage pkg = model.value();
        RecordingScorer scorer = SCORERS.computeIfAbsent(pkg.identity() + options + config,
                k -> new RecordingScorer(OrtSessions.emotionModel(pkg, options), config));
        Configuration conf = hadoopConf.value().get();
        return new Iterator<>() {
            private Iterator<Row> rows = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!rows.hasNext()) {
                    if (!listing.hasNext()) {
                        return false;
                    }
                    rows = rowsOf(listing.next(), scorer, conf);
                }
                return true;
            }

            @Override
            public Row next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                return rows.next();
            }
        };
    }

    /** The rows one listed file yields: one for a recording, one per entry for an archive. */
    private Iterator<Row> rowsOf(Row file, RecordingScorer scorer, Configuration conf) {
        String path = file.getString(0);
        long length = file.getLong(1);
        Object modified = file.get(2);
        Object[] extras = new Object[file.length() - LISTING_COLUMNS];
        for (int i = 0; i < extras.length; i++) {
            extras[i] = file.get(LISTING_COLUMNS + i);
        }
        InputStream in;
        byte[] head;
        FileSystem fs;
        Path p = new Path(URI.create(path));
        try {
            fs = p.getFileSystem(conf);
            in = new BufferedInputStream(fs.open(p), 1 << 16);
            in.mark(ArchiveFormat.SNIFF_BYTES);
            head = in.readNBytes(ArchiveFormat.SNIFF_BYTES);
            in.reset();
        } catch (IOException | RuntimeException e) {
            return List.of(toRow(path, length, modified, RecordingResult.error("cannot read: " + e), extras))
                    .iterator();
        }
        Optional<ArchiveFormat> archive = ArchiveFormat.sniff(head);
        if (archive.isEmpty()) {
            InputStream once = in;
            RecordingResult result = scorer.score(() -> once);
            closeQuietly(in);
            return List.of(toRow(path, length, modified, result, extras)).iterator();
        }
        try {
            ArchiveReader reader;
            if (archive.get() == ArchiveFormat.ZIP) {
                closeQuietly(in);
                reader = new ArchiveReader(new HadoopSeekableChannel(fs.open(p), length), limits);
            } else {
                reader = new ArchiveReader(in, archive.get(), limits);
            }
            return new ArchiveRows(reader, path, length, modified, extras, scorer);
        } catch (IOException | RuntimeException e) {
            closeQuietly(in);
            return List.of(toRow(path, length, modified, RecordingResult.error(e.getMessage()), extras)).iterator();
        }
    }

    /** An archive's rows, one entry at a time. */
    private final class ArchiveRows implements Iterator<Row> {
        private final ArchiveReader reader;
        private final String path;
        private final long length;
        private final Object modified;
        private final Object[] extras;
        private final RecordingScorer scorer;
        private Row next;
        private boolean done;

        ArchiveRows(ArchiveReader reader, String path, long length, Object modified, Object[] extras,
                    RecordingScorer scorer) {
            this.reader = reader;
            this.path = path;
            this.length = length;
            this.modified = modified;
            this.extras = extras;
            this.scorer = scorer;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = advance();
            }
            return next != null;
        }

        @Override
        public Row next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            Row r = next;
            next = null;
            return r;
        }

        private Row advance() {
            try {
                ArchiveReader.ArchiveEntry entry = reader.next();
                if (entry != null) {
                    RecordingResult result = entry.rejection() != null ? RecordingResult.error(entry.rejection())
                            : scorer.score(entry.source());
                    String afterwards = entry.finish(); // a lying size or a bomb shows once the entry is read
                    if (afterwards != null) {
                        result = RecordingResult.error(afterwards);
                    }
                    Object time = entry.modified() == null ? null : Timestamp.from(entry.modified());
                    return toRow(path + "!" + entry.name(), entry.size(), time, result, extras);
                }
                finish();
                List<String> skipped = reader.skippedByRule();
                skipped.forEach(name -> skippedByRule.add(path + "!" + name));
                return reader.entries() > 0 ? null : toRow(path, length, modified, RecordingResult.error(
                        skipped.isEmpty() ? "archive holds no recordings" : "archive holds no recordings: its "
                                + skipped.size() + " file entr" + (skipped.size() == 1 ? "y is" : "ies are")
                                + " hidden names, __MACOSX or Hadoop/Spark markers (e.g. " + skipped.get(0) + ")"),
                        extras);
            } catch (IOException | RuntimeException e) {
                finish();
                // the archive's own row: its entries so far have theirs
                return toRow(path, length, modified, RecordingResult.error(e.getMessage()), extras);
            }
        }

        private void finish() {
            done = true;
            closeQuietly(reader);
        }
    }

    private static void closeQuietly(java.io.Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing left to read from it
        }
    }

    private Row toRow(String path, long size, Object modified, RecordingResult r, Object[] extras) {
        ModelManifest manifest = model.value().manifest();
        boolean ok = r.emotion() != null;
        List<Row> windows = new ArrayList<>(r.windows().size());
        for (WindowScore w : r.windows()) {
            windows.add(RowFactory.create(w.index(), w.startSeconds(), w.endSeconds(), w.speechSeconds(),
                    probabilities(w.probabilities())));
        }
        Object[] values = {path, RecordingId.of(path), r.status().label(), r.error(),
                finite(r.durationSeconds()), finite(r.speechSeconds()), r.windows().size(),
                r.sourceSampleRate() > 0 ? r.sourceSampleRate() : null,
                r.sourceChannels() > 0 ? r.sourceChannels() : null, size, modified,
                ok ? probabilities(r.emotion().probabilities()) : null,
                ok ? r.emotion().emotion() : null, ok ? r.emotion().confidence() : null,
                ok ? r.emotion().arousal() : null,
                manifest.displayName(), model.value().sha256(), manifest.trained(), runId,
                scala.jdk.javaapi.CollectionConverters.asScala(windows)}; // Spark's Row arrays are Scala Seqs
        Object[] all = java.util.Arrays.copyOf(values, values.length + extras.length);
        System.arraycopy(extras, 0, all, values.length, extras.length);
        return RowFactory.create(all);
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
}
