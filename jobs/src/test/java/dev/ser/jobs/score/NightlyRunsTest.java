package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport.Run;
import dev.ser.jobs.scoring.ScoreSummary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifests that carry the user's ids, and incremental nightly runs that never score a file twice.
 */
class NightlyRunsTest {
    private static final List<String> CLIPS =
            List.of("03-01-05-02-01-01-07", "03-01-03-01-02-02-08", "03-01-04-02-01-02-09");

    @TempDir Path tmp;

    @AfterAll
    static void stop() {
        spark().stop();
    }

    static SparkSession spark() {
        return SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    private Path clip(Path dir, String id) throws Exception {
        Files.createDirectories(dir);
        return GeneratedSpeech.flac(dir.resolve(id + ".flac"), id.hashCode(), 3.5);
    }

    @Test
    void aManifestsOtherColumnsAreCarriedToEveryRow() throws Exception {
        Path notes = tmp.resolve("notes");
        Path absolute = clip(notes, CLIPS.get(0));
        clip(notes, CLIPS.get(1));
        Path manifest = tmp.resolve("manifest.csv");
        Files.writeString(
                manifest,
                "user_id,path,campaign\n"
                        + "u-001,"
                        + absolute
                        + ",winter\n"
                        + "u-002,notes/"
                        + CLIPS.get(1)
                        + ".flac,winter\n" // relative to the manifest
                        + "u-003,notes/missing.flac,spring\n");
        Path out = tmp.resolve("out");
        Run run = ser("score", "--manifest", manifest.toString(), "--output", out.toString());
        assertEquals(0, run.code(), run.err());
        Map<String, Row> byUser =
                spark()
                        .read()
                        .parquet(out.resolve("recordings").toString())
                        .select("user_id", "campaign", "status", "error", "path")
                        .collectAsList()
                        .stream()
                        .collect(Collectors.toMap(r -> r.getString(0), r -> r));
        assertEquals(3, byUser.size());
        assertEquals("ok", byUser.get("u-001").getString(2), byUser.get("u-001").getString(3));
        assertEquals("ok", byUser.get("u-002").getString(2), byUser.get("u-002").getString(3));
        assertEquals("winter", byUser.get("u-002").getString(1));
        assertEquals("error", byUser.get("u-003").getString(2));
        assertTrue(
                byUser.get("u-003").getString(3).contains("missing.flac"),
                byUser.get("u-003").getString(3));
        assertEquals("spring", byUser.get("u-003").getString(1));
    }

    @Test
    void aManifestWithoutAPathColumnIsOneClearLine() throws Exception {
        Path manifest = tmp.resolve("bad.csv");
        Files.writeString(manifest, "user_id,file\nu-1,a.wav\n");
        Path out = tmp.resolve("out");
        Run run = ser("score", "--manifest", manifest.toString(), "--output", out.toString());
        assertEquals(2, run.code());
        assertTrue(
                run.err().contains("has no 'path' column (its columns: user_id, file)"), run.err());
        assertFalse(Files.exists(out), "nothing is left behind");
    }

    @Test
    void incrementalRunsScoreOnlyWhatIsNewAndNeverTwice() throws Exception {
        Path notes = tmp.resolve("notes");
        clip(notes, CLIPS.get(0));
        Path second = clip(notes, CLIPS.get(1));
        Path out = tmp.resolve("out");

        assertEquals(2, night(notes, out, "night-1", "--incremental").inputs());
        // the same night again: nothing new, nothing duplicated
        ScoreSummary again = night(notes, out, "night-1b", "--incremental");
        assertEquals(0, again.inputs());
        assertEquals(2, again.skipped());
        assertEquals(2, rows(out).size());

        // a new file and a changed one are scored; the unchanged one is not
        clip(notes, CLIPS.get(2));
        Files.setLastModifiedTime(
                second, FileTime.fromMillis(Files.getLastModifiedTime(second).toMillis() + 60_000));
        ScoreSummary third = night(notes, out, "night-2", "--incremental");
        assertEquals(2, third.inputs());
        assertEquals(1, third.skipped());
        List<Row> all = rows(out);
        assertEquals(4, all.size());
        assertEquals(
                Map.of("night-1", 2L, "night-2", 2L),
                all.stream()
                        .collect(
                                Collectors.groupingBy(r -> r.getString(1), Collectors.counting())));

        // by content: a copy under a new name is known; a run that died before its ledger entry is
        // removed
        Files.copy(second, notes.resolve("copy-of-second.flac"));
        Path orphan = Files.createDirectories(out.resolve("recordings/run_id=died-half-way"));
        Files.copy(
                Files.list(out.resolve("recordings/run_id=night-1"))
                        .filter(p -> p.toString().endsWith(".parquet"))
                        .findFirst()
                        .orElseThrow(),
                orphan.resolve("part-00000.parquet"));
        ScoreSummary hashed = night(notes, out, "night-3", "--incremental=hash");
        assertFalse(Files.exists(orphan), "the unfinished run's partition is gone");
        // no earlier run hashed its inputs, so this one scores all four and records their hashes
        assertEquals(4, hashed.inputs());
        ScoreSummary hashedAgain = night(notes, out, "night-4", "--incremental=hash");
        assertEquals(0, hashedAgain.inputs());
        assertEquals(4, hashedAgain.skipped());

        Run existing = ser("score", "--input", notes.toString(), "--output", out.toString());
        assertEquals(2, existing.code());
        assertTrue(existing.err().contains("already exists"), existing.err());
        Run reused =
                ser(
                        "score",
                        "--input",
                        notes.toString(),
                        "--output",
                        out.toString(),
                        "--incremental",
                        "--run-id",
                        "night-2");
        assertEquals(2, reused.code());
        assertTrue(reused.err().contains("run id night-2 is already in"), reused.err());
    }

    private static ScoreSummary night(Path notes, Path out, String runId, String incremental)
            throws Exception {
        Run run =
                ser(
                        "score",
                        "--input",
                        notes.toString(),
                        "--output",
                        out.toString(),
                        "--run-id",
                        runId,
                        incremental);
        assertEquals(0, run.code(), run.err());
        return new ObjectMapper()
                .readValue(
                        out.resolve("summaries/" + runId + ".json").toFile(), ScoreSummary.class);
    }

    private static List<Row> rows(Path out) {
        return spark().read()
                .parquet(out.resolve("recordings").toString())
                .select("path", "run_id")
                .collectAsList();
    }
}
