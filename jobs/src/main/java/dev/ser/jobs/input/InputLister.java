package dev.ser.jobs.input;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.spark.HadoopConf;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
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
        List<Row> files = new ArrayList<>();
        List<String> directories = new ArrayList<>();
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
                    if (match.isDirectory()) {
                        for (FileStatus child : fs.listStatus(match.getPath())) {
                            if (hidden(child.getPath().getName())) {
                                skipped.add(child.getPath().toString());
                                continue;
                            }
                            if (child.isDirectory()) {
                                directories.add(child.getPath().toString());
                            } else {
                                files.add(row(child));
                            }
                        }
                    } else {
                        files.add(row(match));
                    }
                }
            } catch (IOException e) {
                throw new ConfigurationException(
                        "cannot list input " + input + ": " + e.getMessage());
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
        return spark.createDataFrame(jsc.parallelize(files, 1).union(nested), InputColumns.SCHEMA)
                .distinct();
    }

    private static Iterator<Row> listRecursively(
            Path dir, Configuration conf, SkippedByRule skipped) throws IOException {
        FileSystem fs = dir.getFileSystem(conf);
        int depth = dir.depth();
        List<Row> rows = new ArrayList<>();
        RemoteIterator<LocatedFileStatus> it = fs.listFiles(dir, true);
        while (it.hasNext()) {
            LocatedFileStatus f = it.next();
            if (!hiddenBelow(f.getPath(), depth)) {
                rows.add(row(f));
            } else {
                skipped.add(f.getPath().toString());
            }
        }
        return rows.iterator();
    }

    private static boolean hiddenBelow(Path path, int rootDepth) {
        for (Path p = path; p != null && p.depth() > rootDepth; p = p.getParent()) {
            if (hidden(p.getName())) {
                return true;
            }
        }
        return false;
    }

    private static boolean hidden(String name) {
        return dev.ser.pipeline.archive.SkippedNames.skippedByRule(name);
    }

    private static Row row(FileStatus f) {
        return RowFactory.create(
                f.getPath().toString(), f.getLen(), new Timestamp(f.getModificationTime()));
    }
}
