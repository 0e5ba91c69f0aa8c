package dev.ser.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 2-hour, 48 kHz, stereo voice note (1.4 GB, generated here: real RAVDESS utterances every 30 s
 * in low noise) is scored by a child JVM limited to {@code -Xmx1g}: streaming decode, resampling,
 * VAD and windowing keep memory bounded whatever the length.
 */
class BoundedMemoryTest {
    private static final int RATE = 48_000;
    private static final int SECONDS = 2 * 60 * 60;

    @TempDir Path tmp;

    @Test
    void twoHourStereo48kHzWavIsScoredUnderOneGigabyteOfHeap() throws Exception {
        Path clipsDir = SharedCorpora.require("corpora/ravdess-48k/Actor_01");
        List<float[]> clips = new ArrayList<>();
        try (var files = Files.list(clipsDir)) {
            for (Path p : files.sorted().limit(12).toList()) {
                clips.add(TestAudio.decode(p, RATE));
            }
        }
        Path wav = tmp.resolve("two-hours.wav");
        writeLongWav(wav, clips);
        assertEquals(44 + (long) SECONDS * RATE * 4, Files.size(wav));

        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath =
                System.getProperty(
                        "surefire.test.class.path", System.getProperty("java.class.path"));
        Process p =
                new ProcessBuilder(
                                java,
                                "-Xmx1g",
                                "-cp",
                                classPath,
                                Probe.class.getName(),
                                wav.toString(),
                                TestAudio.tinyModel().toString())
                        .redirectErrorStream(true)
                        .start();
        String out = new String(p.getInputStream().readAllBytes());
        int code = p.waitFor();
        System.out.println(out);
        assertEquals(0, code, out);
        assertTrue(out.contains("status=ok"), out);
        assertTrue(out.contains("duration=7200.000"), out);
        // 240 utterances (RAVDESS clips hold 1-2 s of speech each): a few hundred seconds of
        // speech, about 40 windows of 8 s
        int windows = field(out, "windows");
        assertTrue(windows >= 25 && windows <= 80, out);
        double speech = Double.parseDouble(out.replaceAll("(?s).*speech=([0-9.]+).*", "$1"));
        assertTrue(speech > 200 && speech < 700, out);
        assertTrue(
                field(out, "peakHeapMiB") < 512, "streaming must not hold the recording: " + out);
    }

    private static int field(String out, String name) {
        return Integer.parseInt(out.replaceAll("(?s).*" + name + "=(\\d+).*", "$1"));
    }

    /**
     * Utterance every 30 s, noise at about -60 dBFS between; left channel full, right at half
     * level.
     */
    private static void writeLongWav(Path file, List<float[]> clips) throws IOException {
        java.util.Random noise = new java.util.Random(5);
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            WavWriter.writeHeader(
                    out, RATE, 2, WavWriter.Encoding.PCM16, false, (long) SECONDS * RATE * 4);
            ByteBuffer block = ByteBuffer.allocate(RATE * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int second = 0; second < SECONDS; second++) {
                block.clear();
                float[] clip = clips.get((second / 30) % clips.size());
                int clipStart = (second % 30) * RATE;
                for (int i = 0; i < RATE; i++) {
                    float v = (float) (0.001 * noise.nextGaussian());
                    int c = clipStart + i;
                    if (c < clip.length) {
                        v += clip[c];
                    }
                    short left = (short) Math.round(Math.max(-1, Math.min(1, v)) * 32767);
                    block.putShort(left).putShort((short) (left / 2));
                }
                out.write(block.array(), 0, block.position());
            }
        }
    }

    /** The child JVM: scores one file and reports what it found and its peak heap. */
    public static final class Probe {
        public static void main(String[] args) {
            try (EmotionModel model =
                    new EmotionModel(
                            ModelPackage.load(Path.of(args[1])), new OnnxRuntimeOptions(1, 4))) {
                long t0 = System.nanoTime();
                RecordingResult r =
                        new RecordingScorer(model, ScoringConfig.DEFAULT)
                                .score(() -> Files.newInputStream(Path.of(args[0])));
                long peak = 0;
                for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                    if (pool.getType() == MemoryType.HEAP) {
                        peak += pool.getPeakUsage().getUsed();
                    }
                }
                System.out.printf(
                        "status=%s error=%s duration=%.3f speech=%.1f windows=%d peakHeapMiB=%d maxHeapMiB=%d seconds=%.1f%n",
                        r.status().label(),
                        r.error(),
                        r.durationSeconds(),
                        r.speechSeconds(),
                        r.windows().size(),
                        peak >> 20,
                        Runtime.getRuntime().maxMemory() >> 20,
                        (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
