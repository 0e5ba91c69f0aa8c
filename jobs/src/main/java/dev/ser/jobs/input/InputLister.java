package dev.ser.jobs.input;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.spark.HadoopConf;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * Lists the files of the inputs (files, directories, globs; any Hadoop file system) as rows of
 * path, length and modification time, without reading them. The driver expands globs and the first
 * level of each directory; the sub-directories are listed recursively by tasks, so a deep archive
 * is listed in parallel. Every file is listed, empty ones too (Spark's {@code binaryFile} source
 * silently drops zero-length files, and every input file must get its row). Hidden names and
 * Hadoop's and Spark's markers ({@code .x}, {@code _SUCCESS}, {@code _temporary}) are skipped by
 * {@link dev.ser.pipeline.archive.SkippedNames}'s rule; other names starting with '_' ({@code
 * _call.wav}) are recordings.
 */
public final class InputLister {
    private InputLister() {}

    public static Dataset<Row> list(
            SparkSession spark, List<String> inputs, Configuration conf, SkippedByRule skipped) {
        // every matched file and directory, each once, whatever the overlap of the inputs
        Map<String, FileStatus> matchedFiles = new LinkedHashMap<>();
        Map<String, FileStatus> matchedDirectories = new LinkedHashMap<>();
        Map<String, FileSystem> fileSystems = new LinkedHashMap<>();
        for (String input : inputs) {
            try {
                Path pattern = new Path(input);
                FileSystem fs = pattern.getFileSystem(conf);
                FileStatus[] matches = fs.globStatus(pattern);
                if (matches == null || matches.length == 0) {
                    throw new ConfigurationException(
                            "input does not exist: "
                                    + input
                                    + "; check --input (files, directories or globs)");
                }
                for (FileStatus match : matches) {
                    String key = match.getPath().toString();
                    (match.isDirectory() ? matchedDirectories : matchedFiles).put(key, match);
                    fileSystems.put(key, fs);
                }
            } catch (IOException e) {
                throw new ConfigurationException(
                        "cannot list input " + input + ": " + e.getMessage());
            }
        }
        List<Row> files = new ArrayList<>();
        List<String> directories = new ArrayList<>();
        for (FileStatus file : matchedFiles.values()) {
            if (!under(file.getPath(), matchedDirectories)) {
                files.add(row(file));
            }
        }
        for (FileStatus dir : matchedDirectories.values()) {
            if (under(dir.getPath(), matchedDirectories)) {
                continue; // listed with the directory above it
            }
            String key = dir.getPath().toString();
            try {
                // one bulk listing call; FileStatus, not LocatedFileStatus, whose permission
                // lookup forks a process per file on the local file system
                for (FileStatus child : fileSystems.get(key).listStatus(dir.getPath())) {
                    if (hidden(child.getPath().getName())) {
                        skipped.add(child.getPath().toString());
                    } else if (child.isDirectory()) {
                        directories.add(child.getPath().toString());
                    } else {
                        files.add(row(child));
                    }
                }
            } catch (IOException e) {
                throw new ConfigurationException(
                        "cannot list input " + key + ": " + e.getMessage());
            }
        }
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<HadoopConf> hadoop = jsc.broadcast(new HadoopConf(conf));
        JavaRDD<Row> nested =
                jsc.parallelize(
                                directories,
                                Math.max(
                                        1,
                                        Math.min(
                                                directories.size(),
                                                4 * spark.sparkContext().defaultParallelism())))
                        .flatMap(
                                dir ->
                                        listRecursively(
                                                new Path(dir), hadoop.value().get(), skipped));
        // disjoint by construction: no shuffle to remove duplicates
        return spark.createDataFrame(jsc.parallelize(files, 1).union(nested), InputColumns.SCHEMA);
    }

    /** Whether one of {@code directories} is a proper ancestor of {@code path}. */
    private static boolean under(Path path, Map<String, FileStatus> directories) {
        for (Path p = path.getParent(); p != null; p = p.getParent()) {
            if (directories.containsKey(p.toString())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Lists a directory tree with the file system's bulk listing ({@code listStatusIterator}:
     * batched on HDFS and object stores), depth first, skipping (and counting) the files with
     * hidden names or under a directory with one.
     */
    private static Iterator<Row> listRecursively(
            Path dir, Configuration conf, SkippedByRule skipped) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        List<Row> rows = new ArrayList<>();
        // a directory with a hidden name is walked too, so that each file in it is counted as
        // skipped
        Deque<Path> pending = new ArrayDeque<>(List.of(dir));
        Deque<Boolean> pendingHidden = new ArrayDeque<>(List.of(false));
        while (!pending.isEmpty()) {
            Path next = pending.pop();
            boolean insideHidden = pendingHidden.pop();
            RemoteIterator<FileStatus> it = fs.listStatusIterator(next);
            while (it.hasNext()) {
                FileStatus f = it.next();
                boolean isHidden = insideHidden || hidden(f.getPath().getName());
                if (f.isDirectory()) {
                    pending.push(f.getPath());
                    pendingHidden.push(isHidden);
                } else if (isHidden) {
                    skipped.add(f.getPath().toString());
                } else {
                    rows.add(row(f));
                }
            }
        }
        return rows.iterator();
    }

    private static boolean hidden(String name) {
        return dev.ser.pipeline.archive.SkippedNames.skippedByRule(name);
    }

    private static Row row(FileStatus f) {
        return RowFactory.create(
                f.getPath().toString(), f.getLen(), new Timestamp(f.getModificationTime()));
    }
}
