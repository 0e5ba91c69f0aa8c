package dev.ser.jobs.scoring;

import dev.ser.jobs.input.InputColumns;
import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.spark.HadoopConf;
import dev.ser.jobs.spark.HadoopSeekableChannel;
import dev.ser.jobs.spark.RunProgress;
import dev.ser.jobs.spark.TaskResources;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.RecordingScorer;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.archive.ArchiveEntry;
import dev.ser.pipeline.archive.ArchiveFormat;
import dev.ser.pipeline.archive.ArchiveLimits;
import dev.ser.pipeline.archive.ArchiveReader;
import dev.ser.pipeline.archive.TarArchiveReader;
import dev.ser.pipeline.archive.ZipArchiveReader;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.model.OrtSessions;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.sql.Timestamp;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores the recordings of one partition with the executor's shared model session: listing rows
 * ({@link InputColumns}, then any columns a manifest carries) in, one scored row per recording out,
 * lazily, so a task holds one recording at a time. Audio is read on the executor through Hadoop's
 * FileSystem; it never passes through the driver. Every stream and archive reader it opens is
 * closed when done, and by a task-completion listener when the task ends first ({@link
 * TaskResources}).
 *
 * <p>A listed file that is a tar, tar.gz or zip archive (by content) yields one row per entry,
 * {@code archive!entry}, read in place through the archive readers' limits; an archive that cannot
 * be read at all, or holds no recordings, yields one error row under its own path. The manifest's
 * columns are copied to every row the file yields.
 */
final class ScorePartition implements MapPartitionsFunction<Row, Row> {
    private static final long serialVersionUID = 3L;
    private static final Logger LOG = LoggerFactory.getLogger(ScorePartition.class);

    /** One scorer per model, options and settings in each executor JVM. */
    private static final Map<String, RecordingScorer> SCORERS = new ConcurrentHashMap<>();

    private final Broadcast<ModelPackage> model;
    private final Broadcast<HadoopConf> hadoopConf;
    private final OnnxRuntimeOptions options;
    private final ScoringConfig config;
    private final ArchiveLimits limits;
    private final String runId;
    private final SkippedByRule skippedByRule;
    private final RunProgress progress;
    private final StructType output;

    ScorePartition(
            Broadcast<ModelPackage> model,
            Broadcast<HadoopConf> hadoopConf,
            OnnxRuntimeOptions options,
            ScoringConfig config,
            ArchiveLimits limits,
            String runId,
            SkippedByRule skippedByRule,
            RunProgress progress,
            StructType output) {
        this.model = model;
        this.hadoopConf = hadoopConf;
        this.options = options;
        this.config = config;
        this.limits = limits;
        this.runId = runId;
        this.skippedByRule = skippedByRule;
        this.progress = progress;
        this.output = output;
    }

    @Override
    public Iterator<Row> call(Iterator<Row> listing) {
        ModelPackage pkg = model.value();
        RecordingScorer scorer =
                SCORERS.computeIfAbsent(
                        pkg.identity() + options + config,
                        k -> new RecordingScorer(OrtSessions.emotionModel(pkg, options), config));
        Configuration conf = hadoopConf.value().get();
        TaskResources resources = TaskResources.forCurrentTask();
        return new Iterator<>() {
            private Iterator<Row> rows = Collections.emptyIterator();

            @Override
            public boolean hasNext() {
                while (!rows.hasNext()) {
                    if (!listing.hasNext()) {
                        return false;
                    }
                    rows = rowsOf(new Listed(listing.next()), scorer, conf, resources);
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

    /** A listing row, read by column name. */
    private static final class Listed {
        final Row row;
        final String path;
        final long length;
        final Object modified;

        Listed(Row row) {
            this.row = row;
            this.path = row.getAs(InputColumns.PATH);
            this.length = row.<Long>getAs(InputColumns.LENGTH);
            this.modified = row.getAs(InputColumns.MODIFICATION_TIME);
        }
    }

    /** The rows one listed file yields: one for a recording, one per entry for an archive. */
    private Iterator<Row> rowsOf(
            Listed file, RecordingScorer scorer, Configuration conf, TaskResources resources) {
        String path = file.path;
        InputStream in;
        byte[] head;
        FileSystem fs;
        Path p = new Path(URI.create(path));
        try {
            fs = p.getFileSystem(conf);
            in = resources.track(new BufferedInputStream(fs.open(p), 1 << 16));
            in.mark(ArchiveFormat.SNIFF_BYTES);
            head = in.readNBytes(ArchiveFormat.SNIFF_BYTES);
            in.reset();
        } catch (IOException | RuntimeException e) {
            return one(
                    file,
                    path,
                    file.length,
                    file.modified,
                    RecordingResult.error("cannot read: " + e));
        }
        Optional<ArchiveFormat> archive = ArchiveFormat.sniff(head);
        if (archive.isEmpty()) {
            InputStream once = in;
            RecordingResult result = scorer.score(() -> once, path);
            resources.close(in);
            return one(file, path, file.length, file.modified, result);
        }
        try {
            ArchiveReader reader;
            if (archive.get() == ArchiveFormat.ZIP) {
                resources.close(in);
                reader =
                        new ZipArchiveReader(
                                new HadoopSeekableChannel(fs.open(p), file.length), limits);
            } else {
                reader = new TarArchiveReader(in, archive.get(), limits);
                resources.release(in); // the reader owns it now, and is tracked instead
            }
            resources.track(reader);
            return new ArchiveRows(reader, file, scorer, resources);
        } catch (IOException e) {
            resources.close(in);
            return one(
                    file, path, file.length, file.modified, RecordingResult.error(e.getMessage()));
        } catch (RuntimeException e) {
            resources.close(in);
            return one(file, path, file.length, file.modified, internalError(path, e));
        }
    }

    private static RecordingResult internalError(String path, RuntimeException bug) {
        LOG.error("internal error while reading {}", path, bug);
        return RecordingResult.internalError(bug);
    }

    private Iterator<Row> one(
            Listed file, String path, long size, Object modified, RecordingResult result) {
        return List.of(row(file, path, size, modified, result)).iterator();
    }

    /** An archive's rows, one entry at a time. */
    private final class ArchiveRows implements Iterator<Row> {
        private final ArchiveReader reader;
        private final Listed file;
        private final RecordingScorer scorer;
        private final TaskResources resources;
        private Row next;
        private boolean done;

        ArchiveRows(
                ArchiveReader reader,
                Listed file,
                RecordingScorer scorer,
                TaskResources resources) {
            this.reader = reader;
            this.file = file;
            this.scorer = scorer;
            this.resources = resources;
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
                ArchiveEntry entry = reader.next();
                if (entry != null) {
                    String name = file.path + "!" + entry.name();
                    RecordingResult result =
                            entry.rejection() != null
                                    ? RecordingResult.error(entry.rejection())
                                    : scorer.score(entry.source(), name);
                    String afterwards =
                            entry.finish(); // a lying size or a bomb shows once the entry is read
                    if (afterwards != null) {
                        result = RecordingResult.error(afterwards);
                    }
                    Object time =
                            entry.modified() == null ? null : Timestamp.from(entry.modified());
                    return row(file, name, entry.size(), time, result);
                }
                finish();
                List<String> skipped = reader.skippedByRule();
                skipped.forEach(n -> skippedByRule.add(file.path + "!" + n));
                return reader.entries() > 0
                        ? null
                        : row(
                                file,
                                file.path,
                                file.length,
                                file.modified,
                                RecordingResult.error(
                                        skipped.isEmpty()
                                                ? "archive holds no recordings"
                                                : "archive holds no recordings: its "
                                                        + skipped.size()
                                                        + " file entr"
                                                        + (skipped.size() == 1 ? "y is" : "ies are")
                                                        + " hidden names, __MACOSX or Hadoop/Spark markers (e.g. "
                                                        + skipped.get(0)
                                                        + ")"));
            } catch (IOException e) {
                finish();
                // the archive's own row: its entries so far have theirs
                return row(
                        file,
                        file.path,
                        file.length,
                        file.modified,
                        RecordingResult.error(e.getMessage()));
            } catch (RuntimeException e) {
                finish();
                return row(
                        file, file.path, file.length, file.modified, internalError(file.path, e));
            }
        }

        private void finish() {
            done = true;
            resources.close(reader);
        }
    }

    private Row row(Listed file, String path, long size, Object modified, RecordingResult result) {
        progress.add(result.durationSeconds(), result.times());
        return OutputSchema.scoredRow(
                output, file.row, path, size, modified, result, model.value(), runId);
    }
}
