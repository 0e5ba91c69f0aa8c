package dev.ser.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.JobTestSupport;
import dev.ser.pipeline.StageTimes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * The progress line as tasks end: a new line when there is news and the interval has passed, with
 * done of total, hours of audio, rate and time left; the accumulators add on the driver here as the
 * tasks' updates do when they are merged.
 */
class RunProgressWatchTest {
    @Test
    void aLinePerTaskWithNewsThenTheLastOne() throws Exception {
        SparkSession spark = JobTestSupport.localSpark(1);
        try {
            RunProgress progress = RunProgress.register(spark.sparkContext());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
            try (RunProgress.Watch watch =
                    progress.watch(spark.sparkContext(), "scoring", 4, 0.001, print)) {
                watch.onTaskEnd(null); // a task of another stage: no news, no line
                progress.add(1800, new StageTimes(2_000_000_000L, 500_000_000L, 3_000_000_000L));
                Thread.sleep(5);
                watch.onTaskEnd(null);
                progress.add(1800, StageTimes.NONE);
                watch.onTaskEnd(null); // within the interval of the last line: none
                Thread.sleep(5);
                watch.onTaskEnd(null);
                progress.add(1800, StageTimes.NONE); // the job ends before an event says so
            }
            String[] lines = out.toString(StandardCharsets.UTF_8).split("\n");
            assertEquals(3, lines.length, String.join("\n", lines));
            assertTrue(
                    lines[0].startsWith("  scoring: 1 of 4 recordings (25%), 0.50 h of audio, "),
                    lines[0]);
            assertTrue(
                    lines[0].endsWith(" left") && !lines[0].endsWith("– left"),
                    "a time left: " + lines[0]);
            assertTrue(
                    lines[1].startsWith("  scoring: 2 of 4 recordings (50%), 1.00 h of audio, "),
                    lines[1]);
            assertTrue(
                    lines[2].startsWith("  scoring: 3 of 4 recordings (75%)"),
                    "the last line: " + lines[2]);
            assertEquals(2.0, progress.taskSeconds().get("decoding"), 1e-9);
            assertEquals(0.5, progress.taskSeconds().get("vad"), 1e-9);
            assertEquals(3.0, progress.taskSeconds().get("inference"), 1e-9);
        } finally {
            spark.stop();
        }
    }

    @Test
    void durationsReadAsAPersonSaysThem() {
        assertEquals("42 s", RunProgress.duration(42.4));
        assertEquals("2 min 5 s", RunProgress.duration(125));
        assertEquals("3 h 20 min", RunProgress.duration(12_000));
    }
}
