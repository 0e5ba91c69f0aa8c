package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.pipeline.TestArchives.addTarEntry;
import static dev.ser.pipeline.TestArchives.addZipEntry;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport.Run;
import dev.ser.pipeline.TestCodecs;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The score job on archives as they arrive: a tar.gz and a zip of real RAVDESS recordings (FLAC,
 * and Opus encoded at test time), each mixed with hostile entries, beside an empty zip and a gzip
 * that holds no tar. Every entry gets its own row, {@code archive!entry}; hostile ones are error
 * rows with their reasons, and the job succeeds.
 */
class ArchiveInputTest {
    @TempDir static Path tmp;
    static Map<String, Row> rows = new HashMap<>();

    private static final String ANGRY = "03-01-05-02-01-01-07";
    private static final String SAD = "03-01-04-02-01-02-09";

    @BeforeAll
    static void scoreArchives() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        byte[] angry = GeneratedSpeech.flacBytes(7, 3.5);
        Path sadFile = GeneratedSpeech.flac(tmp.resolve(SAD + ".flac"), 9, 3.5);
        byte[] sad = Files.readAllBytes(sadFile);
        byte[] opus =
                Files.readAllBytes(
                        TestCodecs.ffmpeg(
                                sadFile, "-c:a libopus -b:a 32k -f ogg", tmp.resolve("sad.opus")));

        try (TarArchiveOutputStream tar =
                new TarArchiveOutputStream(
                        new GzipCompressorOutputStream(
                                Files.newOutputStream(in.resolve("notes-2026-11-21.tar.gz"))))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addTarEntry(tar, "phone-a/" + ANGRY + ".flac", angry);
            addTarEntry(tar, "phone-a/" + SAD + ".ogg", opus);
            addTarEntry(tar, "../../outside.flac", sad);
            TarArchiveEntry link =
                    new TarArchiveEntry("phone-a/link.flac", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc/passwd");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            addTarEntry(tar, "phone-b/" + SAD + ".flac", sad);
        }
        try (ZipArchiveOutputStream zip =
                new ZipArchiveOutputStream(in.resolve("notes-2026-11-22.zip"))) {
            zip.setLevel(Deflater.BEST_COMPRESSION);
            addZipEntry(zip, "a/" + ANGRY + ".flac", angry);
            addZipEntry(
                    zip, "a/bomb.wav", new byte[32 << 20]); // 32 MiB of zeros: deflates about 1000x
            addZipEntry(zip, "/abs/" + SAD + ".flac", sad);
            addZipEntry(zip, "b/" + SAD + ".flac", sad);
        }
        try (ZipArchiveOutputStream empty = new ZipArchiveOutputStream(in.resolve("empty.zip"))) {
            empty.finish();
        }
        try (OutputStream gz =
                new GzipCompressorOutputStream(
                        Files.newOutputStream(in.resolve("not-a-tar.tar.gz")))) {
            gz.write(
                    "hello, this is no tar archive at all"
                            .repeat(40)
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        Path out = tmp.resolve("out");
        Run run =
                ser(
                        "score",
                        "--input",
                        in.toString(),
                        "--output",
                        out.toString(),
                        "--run-id",
                        "archives");
        assertEquals(0, run.code(), run.err());
        SparkSession spark =
                SparkSession.builder()
                        .master("local[1]")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        for (Row r :
                spark.read()
                        .parquet(out.resolve("recordings").toString())
                        .select("path", "status", "error", "emotion", "size_bytes")
                        .collectAsList()) {
            String path = r.getString(0);
            rows.put(
                    path.substring(
                            path.lastIndexOf(
                                            '/',
                                            path.contains("!") ? path.indexOf('!') : path.length())
                                    + 1),
                    r);
        }
    }

    @AfterAll
    static void stop() {
        SparkSession.builder().master("local[1]").getOrCreate().stop();
    }

    @Test
    void everyEntryHasItsOwnRowNamedArchiveBangEntry() {
        assertEquals(
                11,
                rows.size(),
                rows.keySet().toString()); // 5 + 4 entries, 2 archives of their own
        for (String ok :
                List.of(
                        "notes-2026-11-21.tar.gz!phone-a/" + ANGRY + ".flac",
                        "notes-2026-11-21.tar.gz!phone-a/" + SAD + ".ogg",
                        "notes-2026-11-21.tar.gz!phone-b/" + SAD + ".flac",
                        "notes-2026-11-22.zip!a/" + ANGRY + ".flac",
                        "notes-2026-11-22.zip!b/" + SAD + ".flac")) {
            Row r = rows.get(ok);
            assertEquals("ok", r.getString(1), ok + ": " + r.getString(2));
        }
        // the same recording scores the same from a tar.gz, a zip and as Opus (within the codec's
        // loss)
        assertEquals(
                rows.get("notes-2026-11-21.tar.gz!phone-a/" + ANGRY + ".flac").getString(3),
                rows.get("notes-2026-11-22.zip!a/" + ANGRY + ".flac").getString(3));
        assertEquals(
                rows.get("notes-2026-11-21.tar.gz!phone-b/" + SAD + ".flac").getString(3),
                rows.get("notes-2026-11-22.zip!b/" + SAD + ".flac").getString(3));
        assertEquals(
                rows.get("notes-2026-11-21.tar.gz!phone-b/" + SAD + ".flac").getString(3),
                rows.get("notes-2026-11-21.tar.gz!phone-a/" + SAD + ".ogg").getString(3));
    }

    @Test
    void hostileEntriesAreErrorRowsWithTheirReasons() {
        assertError("notes-2026-11-21.tar.gz!../../outside.flac", "hostile entry name");
        assertError("notes-2026-11-21.tar.gz!phone-a/link.flac", "link entry");
        assertError("notes-2026-11-22.zip!a/bomb.wav", "decompression bomb");
        assertError("notes-2026-11-22.zip!/abs/" + SAD + ".flac", "hostile entry name");
        assertError("empty.zip", "archive holds no recordings");
        assertError("not-a-tar.tar.gz", "tar.gz");
    }

    private static void assertError(String key, String reason) {
        Row r = rows.get(key);
        assertTrue(r != null, key + " has no row: " + rows.keySet());
        assertEquals("error", r.getString(1), key);
        assertTrue(r.getString(2).contains(reason), key + ": " + r.getString(2));
    }
}
