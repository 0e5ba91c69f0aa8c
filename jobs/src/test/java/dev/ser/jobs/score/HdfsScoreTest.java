package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport.Run;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The score job reading from and writing to a real HDFS: Hadoop's in-process MiniDFSCluster (a
 * NameNode and a DataNode in this JVM). The input holds recordings and a zip archive, which is read
 * by random access through HDFS's positioned reads.
 */
class HdfsScoreTest {
    @TempDir Path tmp;

    @Test
    void scoresFromHdfsIntoHdfs() throws Exception {
        Configuration conf = new Configuration();
        conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, tmp.resolve("hdfs").toString());
        MiniDFSCluster cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
        try {
            cluster.waitActive();
            FileSystem hdfs = cluster.getFileSystem();
            String root = "hdfs://localhost:" + cluster.getNameNodePort();
            org.apache.hadoop.fs.Path in =
                    new org.apache.hadoop.fs.Path(root + "/voice-notes/2026-11-22");
            hdfs.mkdirs(in);
            List<String> ids = List.of("03-01-05-02-01-01-07", "03-01-04-02-01-02-09");
            for (String id : ids) {
                hdfs.copyFromLocalFile(
                        new org.apache.hadoop.fs.Path(
                                GeneratedSpeech.flac(tmp.resolve(id + ".flac"), id.hashCode(), 3.5)
                                        .toString()),
                        new org.apache.hadoop.fs.Path(in, id + ".flac"));
            }
            try (OutputStream o = hdfs.create(new org.apache.hadoop.fs.Path(in, "phone.zip"));
                    ZipArchiveOutputStream zip = new ZipArchiveOutputStream(o)) {
                zip.putArchiveEntry(new ZipArchiveEntry("note.flac"));
                zip.write(Files.readAllBytes(tmp.resolve(ids.get(0) + ".flac")));
                zip.closeArchiveEntry();
            }

            String out = root + "/scores/night-1";
            Run run = ser("score", "--input", in.toString(), "--output", out, "--run-id", "hdfs");
            assertEquals(0, run.code(), run.err());
            assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(out + "/summary.json")));
            assertTrue(hdfs.exists(new org.apache.hadoop.fs.Path(out + "/recordings/run_id=hdfs")));

            SparkSession spark =
                    SparkSession.builder()
                            .master("local[1]")
                            .config("spark.ui.enabled", "false")
                            .getOrCreate();
            try {
                Map<String, Row> rows =
                        spark
                                .read()
                                .parquet(out + "/recordings")
                                .select("path", "status", "emotion")
                                .collectAsList()
                                .stream()
                                .collect(Collectors.toMap(r -> r.getString(0), r -> r));
                assertEquals(3, rows.size(), rows.keySet().toString());
                for (Row r : rows.values()) {
                    assertTrue(r.getString(0).startsWith("hdfs://"), r.getString(0));
                    assertEquals("ok", r.getString(1), r.toString());
                }
                // the same recording, read plainly and from the zip on HDFS, scores the same
                assertEquals(
                        rows.get(in + "/" + ids.get(0) + ".flac").getString(2),
                        rows.get(in + "/phone.zip!note.flac").getString(2));
            } finally {
                spark.stop();
            }
        } finally {
            cluster.shutdown();
        }
    }
}
