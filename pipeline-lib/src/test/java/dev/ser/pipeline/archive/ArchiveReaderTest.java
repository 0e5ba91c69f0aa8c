package dev.ser.pipeline.archive;

import static dev.ser.pipeline.TestArchives.addTarEntry;
import static dev.ser.pipeline.TestArchives.gzip;
import static dev.ser.pipeline.TestArchives.tar;
import static dev.ser.pipeline.TestArchives.zip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.PcmStream;
import dev.ser.pipeline.audio.WavWriter.Encoding;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.Deflater;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;
import org.junit.jupiter.api.Test;

/**
 * Archives read as streams: good entries decode, hostile ones are rejected each with its reason.
 */
class ArchiveReaderTest {
    private static final byte[] WAV =
            TestAudio.wav(
                    new float[][] {TestAudio.sine(220, 0.5, 16_000, 0.3)},
                    16_000,
                    Encoding.PCM16,
                    false);

    /**
     * {@code tar -C notes -cf notes.tar .} names every entry {@code ./...}; once read as hidden,
     * every entry vanished.
     */
    @Test
    void tarsMadeFromTheirFolderWithDotSlashNamesKeepEveryRecording(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        java.nio.file.Path notes =
                java.nio.file.Files.createDirectories(tmp.resolve("notes/phone"));
        for (String n : new String[] {"a.wav", "_call.wav"}) {
            java.nio.file.Files.write(notes.resolve(n), WAV);
        }
        java.nio.file.Files.write(tmp.resolve("notes/b.wav"), WAV);
        java.nio.file.Files.write(tmp.resolve("notes/.DS_Store"), new byte[] {1, 2, 3});
        for (String[] args : new String[][] {{"."}, {"phone", "b.wav", ".DS_Store"}}) {
            java.nio.file.Path archive = tmp.resolve("notes-" + args.length + ".tar");
            java.util.List<String> command =
                    new java.util.ArrayList<>(
                            java.util.List.of(
                                    "tar",
                                    "-C",
                                    tmp.resolve("notes").toString(),
                                    "-cf",
                                    archive.toString()));
            command.addAll(java.util.List.of(args));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0, "needs the tar program");
            java.util.List<String> names = new java.util.ArrayList<>();
            try (ArchiveReader reader =
                    new TarArchiveReader(
                            java.nio.file.Files.newInputStream(archive),
                            ArchiveFormat.TAR,
                            ArchiveLimits.DEFAULT)) {
                for (ArchiveEntry e = reader.next(); e != null; e = reader.next()) {
                    assertNull(e.rejection(), e.name());
                    names.add(e.name());
                }
            }
            java.util.Collections.sort(names);
            assertEquals(
                    java.util.List.of("b.wav", "phone/_call.wav", "phone/a.wav"),
                    names,
                    String.join(" ", args));
        }
    }

    @Test
    void zipNamesFromCommonToolsAreNormalisedAndOnlyTrueNonRecordingsSkipped() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("./a.wav", WAV); // zip -r from inside the folder
        files.put("__MACOSX/._a.wav", new byte[] {0, 5, 22, 7}); // macOS Finder
        files.put("notes\\b.wav", WAV); // Windows tools write backslashes
        files.put("_call.wav", WAV); // a recording, not a marker
        files.put(".DS_Store", new byte[] {0, 0, 0, 1});
        files.put("export/_SUCCESS", new byte[0]); // Spark's marker beside its output
        try (ArchiveReader reader =
                open(zip(files, Deflater.DEFAULT_COMPRESSION), ArchiveLimits.DEFAULT)) {
            java.util.List<String> names = new java.util.ArrayList<>();
            for (ArchiveEntry e = reader.next(); e != null; e = reader.next()) {
                names.add(e.name());
            }
            assertEquals(java.util.List.of("a.wav", "notes/b.wav", "_call.wav"), names);
        }
        assertEquals("a/b.wav", SkippedNames.normalise("./a/./b.wav"));
        assertTrue(SkippedNames.skippedByRule("x/.hidden/a.wav"));
        assertTrue(SkippedNames.skippedByRule("_temporary/0/part-0"));
        assertTrue(
                !SkippedNames.skippedByRule("_call.wav")
                        && !SkippedNames.skippedByRule("a/_b/c.wav"));
    }

    @Test
    void formatsAreRecognisedByContent() throws IOException {
        assertEquals(
                ArchiveFormat.TAR,
                ArchiveFormat.sniff(head(tar(Map.of("a.wav", WAV)))).orElseThrow());
        assertEquals(
                ArchiveFormat.TAR_GZ,
                ArchiveFormat.sniff(head(gzip(tar(Map.of("a.wav", WAV))))).orElseThrow());
        assertEquals(
                ArchiveFormat.ZIP,
                ArchiveFormat.sniff(head(zip(Map.of("a.wav", WAV), Deflater.DEFAULT_COMPRESSION)))
                        .orElseThrow());
        assertTrue(ArchiveFormat.sniff(head(WAV)).isEmpty());
    }

    @Test
    void everyArchiveTypeYieldsItsRecordingsInOrderAndSkipsDirectoriesAndHiddenFiles()
            throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("2026-11-21/a.wav", WAV);
        files.put("__MACOSX/2026-11-21/._a.wav", new byte[] {0, 5, 22, 7});
        files.put("2026-11-21/b.wav", WAV);
        for (byte[] archive :
                new byte[][] {
                    tar(files), gzip(tar(files)), zip(files, Deflater.BEST_COMPRESSION)
                }) {
            ArchiveFormat format = ArchiveFormat.sniff(head(archive)).orElseThrow();
            try (ArchiveReader reader = open(archive, ArchiveLimits.DEFAULT)) {
                for (String expected : new String[] {"2026-11-21/a.wav", "2026-11-21/b.wav"}) {
                    ArchiveEntry e = reader.next();
                    assertEquals(expected, e.name(), format.toString());
                    assertNull(e.rejection());
                    try (PcmStream pcm = AudioDecoders.open(e.source().open())) {
                        assertEquals(16_000, pcm.format().sampleRate());
                    }
                    assertNull(e.finish(), format + ": " + e.finish());
                    assertEquals(WAV.length, e.size());
                }
                assertNull(reader.next());
            }
        }
    }

    @Test
    void hostileNamesAndLinksAreRejectedOneByOneAndTheRestIsRead() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            addTarEntry(tar, "../../etc/cron.d/evil.wav", WAV);
            addTarEntry(tar, "/etc/passwd", WAV);
            TarArchiveEntry link =
                    new TarArchiveEntry("notes/link.wav", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("/etc/shadow");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
            TarArchiveEntry hard = new TarArchiveEntry("notes/hard.wav", TarArchiveEntry.LF_LINK);
            hard.setLinkName("notes/ok.wav");
            tar.putArchiveEntry(hard);
            tar.closeArchiveEntry();
            TarArchiveEntry fifo = new TarArchiveEntry("notes/pipe", TarArchiveEntry.LF_FIFO);
            tar.putArchiveEntry(fifo);
            tar.closeArchiveEntry();
            addTarEntry(tar, "notes/ok.wav", WAV);
        }
        Map<String, String> reasons = readAll(bytes.toByteArray(), ArchiveLimits.DEFAULT);
        assertEquals(6, reasons.size(), reasons.toString());
        assertTrue(reasons.get("../../etc/cron.d/evil.wav").contains("hostile entry name"));
        assertTrue(reasons.get("/etc/passwd").contains("hostile entry name"));
        assertTrue(reasons.get("notes/link.wav").contains("link entry"));
        assertTrue(reasons.get("notes/hard.wav").contains("link entry"));
        assertTrue(reasons.get("notes/pipe").contains("not a regular file"));
        assertEquals("ok", reasons.get("notes/ok.wav"));
        assertTrue(ArchiveReader.hostileName("C:\\Windows\\x.wav"));
        assertTrue(ArchiveReader.hostileName("a/b/../../../x.wav"));
        assertTrue(!ArchiveReader.hostileName("a/b..c/x.wav"));
    }

    @Test
    void zipSymlinksAreRejected() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            ZipArchiveEntry link = new ZipArchiveEntry("notes/link.wav");
            link.setUnixMode(0120777); // S_IFLNK
            zip.putArchiveEntry(link);
            zip.write("/etc/shadow".getBytes(StandardCharsets.UTF_8));
            zip.closeArchiveEntry();
            ZipArchiveEntry ok = new ZipArchiveEntry("notes/ok.wav");
            zip.putArchiveEntry(ok);
            zip.write(WAV);
            zip.closeArchiveEntry();
        }
        Map<String, String> reasons = readAll(bytes.toByteArray(), ArchiveLimits.DEFAULT);
        assertTrue(reasons.get("notes/link.wav").contains("link entry"), reasons.toString());
        assertEquals("ok", reasons.get("notes/ok.wav"));
    }

    @Test
    void aZipEntryWhoseDeclaredSizeLiesIsAnError() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a.wav", WAV);
        byte[] zip = zip(files, Deflater.DEFAULT_COMPRESSION);
        // the central directory's uncompressed size (offset 24 of its record) claims 1000 bytes
        // more
        int record = indexOf(zip, new byte[] {'P', 'K', 1, 2});
        int declared = le32(zip, record + 24);
        put32(zip, record + 24, declared + 1000);
        Map<String, String> reasons = readAll(zip, ArchiveLimits.DEFAULT);
        assertTrue(
                reasons.get("a.wav")
                        .contains("declares " + (declared + 1000) + " bytes but holds " + declared),
                reasons.toString());
    }

    @Test
    void aTarWhoseDeclaredSizeLiesEndsInAnErrorRowNotAFailedRead() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a.wav", WAV);
        files.put("b.wav", WAV);
        byte[] tar = tar(files);
        // cut the archive inside b.wav's data: its header promises more than there is
        byte[] cut =
                java.util.Arrays.copyOf(tar, 512 + round512(WAV.length) + 512 + WAV.length / 2);
        Map<String, String> reasons = readAll(cut, ArchiveLimits.DEFAULT);
        assertEquals("ok", reasons.get("a.wav"));
        assertTrue(reasons.get("b.wav").contains("cut short"), reasons.toString());
    }

    @Test
    void decompressionBombsAreStoppedByRatioAndBySize() throws IOException {
        byte[] zeros = new byte[64 << 20]; // 64 MiB of zeros deflate about 1000x
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("ok.wav", WAV);
        files.put("bomb.wav", zeros);
        files.put("after.wav", WAV);
        for (byte[] archive :
                new byte[][] {zip(files, Deflater.BEST_COMPRESSION), gzip(tar(files))}) {
            boolean isZip = archive[0] == 'P';
            Map<String, String> reasons = readAll(archive, ArchiveLimits.DEFAULT);
            assertEquals("ok", reasons.get("ok.wav"));
            assertTrue(reasons.get("bomb.wav").contains("decompression bomb"), reasons.toString());
            assertTrue(
                    reasons.get("bomb.wav").contains("ser.archive.max-ratio"), reasons.toString());
            // a zip's next entry is reached by its offset; a tar.gz's only through the bomb
            assertEquals(isZip ? "ok" : null, reasons.get("after.wav"), reasons.toString());
        }
        // random bytes do not compress: only the size limit catches them
        byte[] noise = new byte[3 << 20];
        new java.util.Random(7).nextBytes(noise);
        Map<String, byte[]> big = new LinkedHashMap<>();
        big.put("big.wav", noise);
        ArchiveLimits small = new ArchiveLimits(1 << 20, 100, 1 << 20);
        Map<String, String> reasons = readAll(zip(big, Deflater.DEFAULT_COMPRESSION), small);
        assertTrue(
                reasons.get("big.wav").contains("ser.archive.max-entry-bytes"), reasons.toString());
        // a tar header that declares more than the limit is refused before reading
        reasons = readAll(tar(big), small);
        assertTrue(reasons.get("big.wav").contains("declares " + noise.length), reasons.toString());
    }

    @Test
    void aBrokenArchiveFailsWithItsReason() {
        byte[] garbage = new byte[2048];
        garbage[0] = 0x1f;
        garbage[1] = (byte) 0x8b;
        IOException e =
                assertThrows(IOException.class, () -> readAll(garbage, ArchiveLimits.DEFAULT));
        assertTrue(e.getMessage().contains("tar.gz"), e.getMessage());
    }

    /** Entry name to "ok" or its reason, reading every entry's bytes as the scorer would. */
    private static Map<String, String> readAll(byte[] archive, ArchiveLimits limits)
            throws IOException {
        ArchiveFormat format = ArchiveFormat.sniff(head(archive)).orElseThrow();
        Map<String, String> reasons = new LinkedHashMap<>();
        try (ArchiveReader reader = open(archive, limits)) {
            ArchiveEntry e;
            while ((e = reader.next()) != null) {
                if (e.rejection() == null) {
                    try (InputStream in = e.source().open()) {
                        in.readNBytes(4096); // a decoder reads some, then stops
                    } catch (IOException ignored) {
                        // the limit's error comes back from finish()
                    }
                }
                String reason = e.finish();
                reasons.put(e.name(), reason == null ? "ok" : reason);
            }
        }
        return reasons;
    }

    private static ArchiveReader open(byte[] archive, ArchiveLimits limits) throws IOException {
        ArchiveFormat format = ArchiveFormat.sniff(head(archive)).orElseThrow();
        return format == ArchiveFormat.ZIP
                ? new ZipArchiveReader(new SeekableInMemoryByteChannel(archive), limits)
                : new TarArchiveReader(new ByteArrayInputStream(archive), format, limits);
    }

    private static byte[] head(byte[] b) {
        return java.util.Arrays.copyOf(b, Math.min(b.length, ArchiveFormat.SNIFF_BYTES));
    }

    private static int indexOf(byte[] b, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= b.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (b[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalArgumentException("pattern not found");
    }

    private static int round512(int n) {
        return (n + 511) / 512 * 512;
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff)
                | (b[off + 1] & 0xff) << 8
                | (b[off + 2] & 0xff) << 16
                | (b[off + 3] & 0xff) << 24;
    }

    private static void put32(byte[] b, int off, int v) {
        for (int i = 0; i < 4; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
