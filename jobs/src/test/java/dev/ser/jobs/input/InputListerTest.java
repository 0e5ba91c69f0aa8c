package dev.ser.jobs.input;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ser.jobs.JobTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Listing reads no audio, so empty files stand in for recordings: every file is listed once,
 * however the inputs overlap (a directory, a directory inside it, a file inside that, a glob), at
 * any depth, and hidden files and the files under a hidden directory are counted as skipped.
 */
class InputListerTest {
    @TempDir Path tmp;

    @Test
    void overlappingInputsListEachFileOnceAndHiddenOnesAreCounted() throws Exception {
        Path root = tmp.resolve("notes");
        List<String> recordings =
                List.of("a.wav", "_call.wav", "day1/b.flac", "day1/deep/er/c.opus", "day2/d.wav");
        for (String r : recordings) {
            Files.createDirectories(root.resolve(r).getParent());
            Files.write(root.resolve(r), new byte[0]);
        }
        for (String h :
                List.of(".DS_Store", "day1/._b.flac", "day2/.cache/x.wav", "day2/.cache/y/z.wav")) {
            Files.createDirectories(root.resolve(h).getParent());
            Files.write(root.resolve(h), new byte[0]);
        }
        SparkSession spark = JobTestSupport.localSpark(2);
        try {
            SkippedByRule skipped = SkippedByRule.register(spark.sparkContext());
            List<Row> rows =
                    InputLister.list(
                                    spark,
                                    List.of(
                                            root.toString(),
                                            root.resolve("day1").toString(),
                                            root.resolve("day1/b.flac").toString(),
                                            root + "/day*",
                                            root.toString()),
                                    spark.sparkContext().hadoopConfiguration(),
                                    skipped)
                            .collectAsList();
            TreeSet<String> listed = new TreeSet<>();
            for (Row r : rows) {
                String path = r.getAs(InputColumns.PATH);
                listed.add(path.substring(path.indexOf("/notes/") + "/notes/".length()));
            }
            assertEquals(recordings.size(), rows.size(), "each file once: " + rows);
            assertEquals(new TreeSet<>(recordings), listed);
            assertEquals(4, skipped.count(), skipped.sample().toString());
        } finally {
            spark.stop();
        }
    }
}
