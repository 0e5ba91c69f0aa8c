package dev.ser.jobs.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.GeneratedSpeech;
import dev.ser.pipeline.TestArchives;
import dev.ser.pipeline.TestCodecs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Over two hundred broken and hostile files, generated here, mixed with real RAVDESS recordings:
 * truncations at every depth, zero-length files, random bytes, right magic with garbage after it,
 * WAV and FLAC headers that lie (sample rate 0, 0 channels, absurd sizes and rates), NaN and
 * infinite float samples, single samples, cut compressed files and archives, and ten hours of
 * silence. The score job runs in its own JVM with a small heap (768 MiB, so an allocation driven by
 * a lying header fails the test), succeeds, and writes exactly one row for every input (an
 * archive's entries are its inputs: a row each).
 */
class HostileInputTest {
    private static final int HEAP_MB = 768;

    @TempDir Path tmp;

    @Test
    void theJobSucceedsWithOneRowPerInputAndABoundedHeap() throws Exception {
        Path in = Files.createDirectories(tmp.resolve("in"));
        List<String> real = realRecordings(in);
        int bad = hostileFiles(Files.createDirectories(in.resolve("hostile")));
        assertTrue(bad >= 200, "the corpus holds " + bad + " bad files");

        Path out = tmp.resolve("out");
        Process job = scoreInItsOwnJvm(in, out);
        String log = new String(job.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(job.waitFor(10, TimeUnit.MINUTES), "the job finished");
        assertEquals(
                0,
                job.exitValue(),
                "the job failed:\n" + log.substring(Math.max(0, log.length() - 6000)));

        List<Path> inputs;
        try (Stream<Path> files = Files.walk(in)) {
            inputs = files.filter(Files::isRegularFile).toList();
        }
        SparkSession spark =
                SparkSession.builder()
                        .master("local[1]")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        try {
            List<Row> rows =
                    spark.read()
                            .parquet(out.resolve("recordings").toString())
                            .select("path", "status", "error", "duration_seconds")
                            .collectAsList();
            Map<String, Row> byPath = new HashMap<>();
            Map<String, Integer> perFile = new HashMap<>();
            for (Row r : rows) {
                String path = Path.of(java.net.URI.create(r.getString(0))).toString();
                assertTrue(byPath.put(path, r) == null, "two rows for " + path);
                perFile.merge(
                        path.contains("!") ? path.substring(0, path.indexOf('!')) : path,
                        1,
                        Integer::sum);
            }
            // a file that is not an archive has exactly one row; an archive one per entry it yields
            assertEquals(
                    inputs.stream().map(Path::toString).collect(Collectors.toSet()),
                    perFile.keySet());
            for (var f : perFile.entrySet()) {
                boolean archive = f.getKey().endsWith(".zip") || f.getKey().endsWith(".tar.gz");
                assertTrue(
                        archive ? f.getValue() >= 1 : f.getValue() == 1,
                        f.getKey() + ": " + f.getValue() + " rows");
            }
            for (String name : real) {
                Row r = byPath.get(in.resolve(name).toString());
                assertEquals("ok", r.getString(1), name + ": " + r.getString(2));
            }
            Row silence = byPath.get(in.resolve("hostile/ten-hours-of-silence.flac").toString());
            assertEquals("no_speech", silence.getString(1), String.valueOf(silence.getString(2)));
            assertEquals(36_000, silence.getDouble(3), 1.0);
            long errors = rows.stream().filter(r -> r.getString(1).equals("error")).count();
            System.out.printf(
                    "hostile corpus: %d inputs (%d real), %d error rows, %d other rows%n",
                    inputs.size(), real.size(), errors, rows.size() - errors);
            for (Row r : rows) {
                if (r.getString(1).equals("error")) {
                    assertTrue(
                            r.getString(2) != null && !r.getString(2).isBlank(),
                            r.getString(0) + " has no reason");
                }
            }
        } finally {
            spark.stop();
        }
    }

    private static Process scoreInItsOwnJvm(Path in, Path out) throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-Xmx" + HEAP_MB + "m",
                                "-XX:+ExitOnOutOfMemoryError"));
        for (String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-opens")
                    || arg.startsWith("-Djdk.")
                    || arg.startsWith("-Dio.netty")) {
                cmd.add(arg);
            }
        }
        cmd.addAll(
                List.of(
                        "-cp",
                        System.getProperty("java.class.path"),
                        "dev.ser.jobs.Ser",
                        "score",
                        "--master",
                        "local[2]",
                        "--input",
                        in.toString(),
                        "--output",
                        out.toString()));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    private static List<String> realRecordings(Path in) throws IOException {
        List<String> names = new ArrayList<>();
        for (String id :
                List.of(
                        "03-01-05-02-01-01-07",
                        "03-01-03-01-02-02-08",
                        "03-01-04-02-01-02-09",
                        "03-01-06-01-02-01-10",
                        "03-01-02-02-01-01-11",
                        "03-01-07-02-02-02-12")) {
            GeneratedSpeech.flac(in.resolve(id + ".flac"), id.hashCode(), 3.5);
            names.add(id + ".flac");
        }
        GeneratedSpeech.wav(in.resolve("48k.wav"), 48, 3.5, 48_000, 1);
        names.add("48k.wav");
        return names;
    }

    /** Writes the bad files; returns how many. */
    private static int hostileFiles(Path dir) throws Exception {
        byte[] wav =
                Files.readAllBytes(
                        GeneratedSpeech.wav(dir.resolve("source.wav.tmp"), 48, 3.5, 48_000, 1));
        Path flacFile = GeneratedSpeech.flac(dir.resolve("source.flac.tmp"), 7, 3.5);
        byte[] flac = Files.readAllBytes(flacFile);
        Map<String, byte[]> files = new java.util.LinkedHashMap<>();
        // truncated at every depth: inside the headers, at their ends, inside the data
        int[] wavCuts = {
            1, 3, 4, 8, 11, 12, 16, 20, 22, 24, 28, 34, 36, 40, 43, 44, 45, 46, 100, 1001
        };
        for (int cut : wavCuts) {
            files.put("truncated-wav-" + cut + ".wav", Arrays.copyOf(wav, cut));
        }
        for (int i = 1; i <= 20; i++) {
            int cut = i <= 10 ? i * 4 : (int) ((long) flac.length * (i - 10) / 11);
            files.put("truncated-flac-" + cut + ".flac", Arrays.copyOf(flac, cut));
        }
        for (String ext :
                List.of(
                        "wav", "flac", "mp3", "ogg", "m4a", "amr", "zip", "tar.gz", "webm",
                        "bin")) {
            files.put("zero-length." + ext, new byte[0]);
        }
        Random random = new Random(20261122);
        for (int i = 0; i < 50; i++) {
            byte[] b = new byte[1 << (i % 17)];
            random.nextBytes(b);
            files.put("random-" + i + ".wav", b);
        }
        // the right magic, then garbage: every reader the sniffing can pick, and the archives
        String[] magics = {
            "RIFF....WAVE",
            "fLaC",
            "OggS",
            "ID3",
            "....ftypM4A ",
            "#!AMR\n",
            "#!AMR-WB\n",
            "PK\u0003\u0004",
            "\u001f\u008b",
            "\u001aE\u00df\u00a3",
            "\u00ff\u00fb",
            "\u00ff\u00f1"
        };
        for (int m = 0; m < magics.length; m++) {
            for (int len : new int[] {64, 4096, 70_000}) {
                byte[] b = new byte[len];
                random.nextBytes(b);
                byte[] magic = magics[m].getBytes(StandardCharsets.ISO_8859_1);
                System.arraycopy(magic, 0, b, 0, magic.length);
                files.put("magic-" + m + "-" + len + ".bin", b);
            }
        }
        // WAV headers that lie
        files.put("wav-rate-0.wav", wavHeader(1, 1, 0, 16, 32_000, null));
        files.put("wav-channels-0.wav", wavHeader(1, 0, 16_000, 16, 32_000, null));
        files.put("wav-bits-0.wav", wavHeader(1, 1, 16_000, 0, 32_000, null));
        files.put("wav-bits-7.wav", wavHeader(1, 1, 16_000, 7, 32_000, null));
        files.put("wav-bits-64-pcm.wav", wavHeader(1, 1, 16_000, 64, 32_000, null));
        files.put("wav-channels-65535.wav", wavHeader(1, 65535, 16_000, 16, 32_000, null));
        files.put("wav-rate-max.wav", wavHeader(1, 1, Integer.MAX_VALUE, 16, 32_000, null));
        files.put("wav-rate-negative.wav", wavHeader(1, 1, -16_000, 16, 32_000, null));
        files.put("wav-data-4gib.wav", wavHeader(1, 1, 16_000, 16, 0xFFFFFFFF, null));
        files.put("wav-data-larger-than-file.wav", wavHeader(1, 1, 16_000, 16, 100_000_000, null));
        files.put("wav-format-mp3.wav", wavHeader(0x55, 1, 16_000, 16, 32_000, null));
        files.put("wav-format-unknown.wav", wavHeader(0x7777, 1, 16_000, 16, 32_000, null));
        files.put("wav-float-bits-16.wav", wavHeader(3, 1, 16_000, 16, 32_000, null));
        byte[] fmtHuge = wavHeader(1, 1, 16_000, 16, 32_000, null);
        ByteBuffer.wrap(fmtHuge).order(ByteOrder.LITTLE_ENDIAN).putInt(16, Integer.MAX_VALUE);
        files.put("wav-fmt-chunk-2gib.wav", fmtHuge);
        byte[] fmtTiny = wavHeader(1, 1, 16_000, 16, 32_000, null);
        ByteBuffer.wrap(fmtTiny).order(ByteOrder.LITTLE_ENDIAN).putInt(16, 2);
        files.put("wav-fmt-chunk-2-bytes.wav", fmtTiny);
        files.put(
                "wav-no-data-chunk.wav",
                Arrays.copyOf(wavHeader(1, 1, 16_000, 16, 0, new byte[0]), 36));
        byte[] riffZero = wavHeader(1, 1, 16_000, 16, 32_000, null);
        ByteBuffer.wrap(riffZero).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 0);
        files.put("wav-riff-size-0.wav", riffZero);
        float[] ramp = new float[16_000];
        for (int i = 0; i < ramp.length; i++) {
            ramp[i] = (float) Math.sin(i * 0.05) * 0.5f;
        }
        for (float special :
                new float[] {
                    Float.NaN,
                    Float.POSITIVE_INFINITY,
                    Float.NEGATIVE_INFINITY,
                    1e30f,
                    Float.MIN_VALUE
                }) {
            float[] x = ramp.clone();
            for (int i = 0; i < x.length; i += 7) {
                x[i] = special;
            }
            files.put("float-" + special + ".wav", floatWav(x));
        }
        float[] allNaN = new float[16_000];
        Arrays.fill(allNaN, Float.NaN);
        files.put("float-all-nan.wav", floatWav(allNaN));
        files.put("single-sample-float.wav", floatWav(new float[] {0.5f}));
        files.put(
                "single-sample-pcm16.wav", wavHeader(1, 1, 16_000, 16, 2, new byte[] {0x10, 0x20}));
        files.put(
                "single-sample-stereo.wav",
                wavHeader(1, 2, 16_000, 16, 4, new byte[] {1, 2, 3, 4}));
        files.put("no-samples.wav", wavHeader(1, 1, 16_000, 16, 0, new byte[0]));
        // FLAC STREAMINFO fields that lie (the block starts at byte 8)
        int[][] flacLies = {
            {18, 0, 0, 0},
            {18, 0xff, 0xff, 0xf0},
            {20, 0x0f},
            {8, 0, 0},
            {10, 0, 0},
            {21, 0xff},
            {22, 0xff, 0xff, 0xff, 0xff},
            {4, 0x7f},
            {5, 0xff, 0xff, 0xff},
            {12, 0, 0, 0, 0, 0, 0}
        };
        for (int i = 0; i < flacLies.length; i++) {
            byte[] b = flac.clone();
            int at = flacLies[i][0];
            for (int j = 1; j < flacLies[i].length; j++) {
                b[at + j - 1] = (byte) flacLies[i][j];
            }
            files.put("flac-lie-" + i + ".flac", b);
        }
        // frames garbled in the middle
        for (int i = 0; i < 5; i++) {
            byte[] b = flac.clone();
            for (int j = 0; j < 200; j++) {
                b[b.length / 3 + i * 997 + j] = (byte) random.nextInt();
            }
            files.put("flac-garbled-" + i + ".flac", b);
        }
        // compressed files cut short or garbled, encoded here by the bundled FFmpeg
        for (String[] codec :
                new String[][] {
                    {"opus", "-c:a libopus -b:a 24k -f ogg"},
                    {"mp3", "-c:a libmp3lame -b:a 48k -f mp3"},
                    {"m4a", "-c:a aac -b:a 48k -f ipod"},
                    {"amr", "-ar 8000 -c:a libopencore_amrnb -b:a 12.2k -f amr"}
                }) {
            byte[] whole =
                    Files.readAllBytes(
                            TestCodecs.ffmpeg(
                                    flacFile,
                                    codec[1],
                                    dir.resolve("source." + codec[0] + ".tmp")));
            for (int part = 1; part <= 4; part++) {
                files.put(
                        "cut-" + codec[0] + "-" + part + "." + codec[0],
                        Arrays.copyOf(whole, whole.length * part / 5));
            }
            byte[] garbled = whole.clone();
            for (int j = 0; j < garbled.length / 4; j++) {
                garbled[garbled.length / 4 + j] = (byte) random.nextInt();
            }
            files.put("garbled-" + codec[0] + "." + codec[0], garbled);
        }
        // archives cut short or garbled
        byte[] tarGz = TestArchives.gzip(TestArchives.tar(Map.of("a.flac", flac, "b.wav", wav)));
        for (int part = 1; part <= 4; part++) {
            files.put(
                    "cut-archive-" + part + ".tar.gz",
                    Arrays.copyOf(tarGz, tarGz.length * part / 5));
        }
        byte[] zip =
                TestArchives.zip(
                        Map.of("a.flac", flac, "b.wav", wav),
                        java.util.zip.Deflater.DEFAULT_COMPRESSION);
        for (int part = 1; part <= 4; part++) {
            files.put("cut-archive-" + part + ".zip", Arrays.copyOf(zip, zip.length * part / 5));
        }
        files.put(
                "zip-in-zip.zip",
                TestArchives.zip(
                        Map.of("inner.zip", zip), java.util.zip.Deflater.DEFAULT_COMPRESSION));
        for (var f : files.entrySet()) {
            Files.write(dir.resolve(f.getKey()), f.getValue());
        }
        try (Stream<Path> tmpFiles = Files.list(dir)) {
            for (Path p : tmpFiles.filter(p -> p.toString().endsWith(".tmp")).toList()) {
                Files.delete(p);
            }
        }
        // ten hours of digital silence: a 576-million-sample recording, 7 MB as FLAC
        TestCodecs.ffmpeg(
                null,
                "-f lavfi -i anullsrc=r=16000:cl=mono -t 36000 -c:a flac -compression_level 0 -sample_fmt s16",
                dir.resolve("ten-hours-of-silence.flac"));
        return files.size() + 1;
    }

    private static byte[] wavHeader(
            int format, int channels, int rate, int bits, long dataBytes, byte[] data) {
        byte[] payload = data != null ? data : new byte[4096];
        ByteBuffer b = ByteBuffer.allocate(44 + payload.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII))
                .putInt((int) (36 + dataBytes))
                .put("WAVEfmt ".getBytes(StandardCharsets.US_ASCII))
                .putInt(16)
                .putShort((short) format)
                .putShort((short) channels)
                .putInt(rate)
                .putInt(rate * channels * Math.max(bits, 8) / 8)
                .putShort((short) (channels * Math.max(bits, 8) / 8))
                .putShort((short) bits)
                .put("data".getBytes(StandardCharsets.US_ASCII))
                .putInt((int) dataBytes)
                .put(payload);
        return b.array();
    }

    private static byte[] floatWav(float[] x) {
        ByteBuffer data = ByteBuffer.allocate(x.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : x) {
            data.putFloat(v);
        }
        return wavHeader(3, 1, 16_000, 32, x.length * 4L, data.array());
    }
}
