package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.pipeline.TestArchives;
import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.audio.WavWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Deflater;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing lost without a trace (generated audio; needs no ../shared): a folder of notes with a
 * user's {@code _call.wav}, macOS's {@code .DS_Store} and Spark's {@code _SUCCESS}; the same folder
 * as a tar made the usual way ({@code tar -C notes -cf notes.tar .}, every name {@code ./...}); and
 * a zip that holds only macOS metadata. Every recording gets its row, the zip an error row that
 * says why, and every name skipped by rule is counted in summary.json.
 */
class SkippedByRuleTest {
    @TempDir Path tmp;

    @Test
    void dotSlashTarsUnderscoreNamesAndHiddenOnlyArchivesAreAllAccountedFor() throws Exception {
        byte[] wav =
                TestAudio.wav(
                        new float[][] {TestAudio.sine(220, 1.0, 16_000, 0.3)},
                        16_000,
                        WavWriter.Encoding.PCM16,
                        false);
        Path notes = Files.createDirectories(tmp.resolve("notes/sub"));
        Files.write(tmp.resolve("notes/a.wav"), wav);
        Files.write(tmp.resolve("notes/_call.wav"), wav);
        Files.write(tmp.resolve("notes/.DS_Store"), new byte[] {0, 0, 0, 1});
        Files.write(tmp.resolve("notes/_SUCCESS"), new byte[0]);
        Files.write(notes.resolve(".hidden.wav"), wav);
        Files.write(notes.resolve("b.wav"), wav);
        Path archives = Files.createDirectories(tmp.resolve("archives"));
        Process tar =
                new ProcessBuilder(
                                "tar",
                                "-C",
                                tmp.resolve("notes").toString(),
                                "-cf",
                                archives.resolve("notes.tar").toString(),
                                ".")
                        .redirectErrorStream(true)
                        .start();
        assumeTrue(tar.waitFor() == 0, "needs the tar program");
        Map<String, byte[]> mac = new LinkedHashMap<>();
        mac.put("__MACOSX/._a.wav", new byte[] {0, 5, 22, 7});
        mac.put(".DS_Store", new byte[] {0, 0, 0, 1});
        Files.write(
                archives.resolve("mac-only.zip"),
                TestArchives.zip(mac, Deflater.DEFAULT_COMPRESSION));

        Path out = tmp.resolve("out");
        var run =
                ser(
                        "score",
                        "--input",
                        tmp.resolve("notes").toString(),
                        "--input",
                        archives.toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        dev.ser.jobs.JobTestSupport.projectRoot()
                                .resolve("model/tiny-untrained")
                                .toString());
        assertEquals(0, run.code(), run.err());

        Map<String, String> status = new TreeMap<>();
        SparkSession spark =
                SparkSession.builder()
                        .master("local[1]")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        for (Row r :
                spark.read()
                        .parquet(out.resolve("recordings").toString())
                        .select("path", "status", "error")
                        .collectAsList()) {
            String path = r.getString(0);
            status.put(
                    path.substring(
                            path.indexOf(tmp.getFileName().toString())
                                    + tmp.getFileName().toString().length()),
                    r.getString(1) + (r.isNullAt(2) ? "" : ": " + r.getString(2)));
        }
        List<String> recordings =
                List.of(
                        "/archives/notes.tar!_call.wav",
                        "/archives/notes.tar!a.wav",
                        "/archives/notes.tar!sub/b.wav",
                        "/notes/_call.wav",
                        "/notes/a.wav",
                        "/notes/sub/b.wav");
        for (String r : recordings) {
            assertTrue(
                    status.containsKey(r) && !status.get(r).startsWith("error"),
                    r + " in " + status);
        }
        String zip = status.get("/archives/mac-only.zip");
        assertTrue(
                zip != null && zip.startsWith("error") && zip.contains("hidden names"),
                status.toString());
        assertEquals(recordings.size() + 1, status.size(), status.toString());

        JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        // folder: .DS_Store, _SUCCESS, sub/.hidden.wav; tar: the same three; zip: its two
        assertEquals(8, summary.path("skipped_by_rule").asLong(), summary.toString());
        assertTrue(
                summary.path("skipped_by_rule_sample").toString().contains(".DS_Store"),
                summary.toString());
    }
}
