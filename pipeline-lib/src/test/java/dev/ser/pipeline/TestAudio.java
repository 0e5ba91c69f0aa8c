package dev.ser.pipeline;

import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.audio.WavWriter.Encoding;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Test audio: WAV writing (all encodings the decoder reads), signals, and the tiny model's place.
 */
public final class TestAudio {
    private TestAudio() {}

    /** model/tiny-untrained in this checkout. */
    public static Path tinyModel() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("model/tiny-untrained");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(
                "model/tiny-untrained not found above " + Path.of("").toAbsolutePath());
    }

    /** Decodes any supported file to mono at {@code rate}. */
    public static float[] decode(Path file, int rate) throws IOException {
        try (MonoStream s = new MonoStream(AudioDecoders.open(Files.newInputStream(file)), rate)) {
            return s.readAll();
        }
    }

    public static float[] sine(double hz, double seconds, int rate, double amplitude) {
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * Math.sin(2 * Math.PI * hz * i / rate));
        }
        return x;
    }

    public static float[] concat(float[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        float[] out = new float[n];
        int o = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, o, p.length);
            o += p.length;
        }
        return out;
    }

    public static float[] noise(double seconds, int rate, double amplitude, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] x = new float[(int) Math.round(seconds * rate)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (amplitude * r.nextGaussian());
        }
        return x;
    }

    /** A WAV file's bytes; {@code channels} interleaved from per-channel arrays of equal length. */
    public static byte[] wav(float[][] channels, int rate, Encoding enc, boolean extensible) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            WavWriter.write(out, channels, rate, enc, extensible);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    public static Path writeWav(Path file, float[] mono, int rate) throws IOException {
        Files.write(file, wav(new float[][] {mono}, rate, Encoding.PCM16, false));
        return file;
    }
}
