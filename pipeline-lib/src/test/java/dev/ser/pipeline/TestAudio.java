package dev.ser.pipeline;

import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Test audio: WAV writing (all encodings the decoder reads), signals, and the tiny model's place. */
public final class TestAudio {
    private TestAudio() {
    }

    /** model/tiny-untrained in this checkout. */
    public static Path tinyModel() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("model/tiny-untrained");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("model/tiny-untrained not found above " + Path.of("").toAbsolutePath());
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

    /** WAV encodings for tests: format tag, bits. */
    public enum Encoding {
        PCM8(1, 8), PCM16(1, 16), PCM24(1, 24), PCM32(1, 32), FLOAT32(3, 32), FLOAT64(3, 64);
        final int tag;
        final int bits;

        Encoding(int tag, int bits) {
            this.tag = tag;
            this.bits = bits;
        }
    }

    /** A WAV file's bytes; {@code channels} interleaved from per-channel arrays of equal length. */
    public static byte[] wav(float[][] channels, int rate, Encoding enc, boolean extensible) {
        int frames = channels[0].length;
        int ch = channels.length;
        int bytes = enc.bits / 8;
        ByteBuffer data = ByteBuffer.allocate(frames * ch * bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < frames; i++) {
            for (float[] c : channels) {
                double v = Math.max(-1, Math.min(1, c[i]));
                switch (enc) {
                    case PCM8 -> data.put((byte) (Math.round(v * 127) + 128));
                    case PCM16 -> data.putShort((short) Math.round(v * 32767));
                    case PCM24 -> {
                        int s = (int) Math.round(v * 8388607);
                        data.put((byte) s).put((byte) (s >> 8)).put((byte) (s >> 16));
                    }
                    case PCM32 -> data.putInt((int) Math.round(v * 2147483647.0));
                    case FLOAT32 -> data.putFloat(c[i]);
                    case FLOAT64 -> data.putDouble(c[i]);
                    default -> throw new IllegalStateException();
                }
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeHeader(out, rate, ch, enc, extensible, data.capacity());
            out.write(data.array());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    /** Writes a RIFF/WAVE header for {@code dataBytes} of sample data. */
    public static void writeHeader(OutputStream out, int rate, int ch, Encoding enc, boolean extensible,
                                   long dataBytes) throws IOException {
        int bytes = enc.bits / 8;
        int fmtSize = extensible ? 40 : 16;
        ByteBuffer h = ByteBuffer.allocate(12 + 8 + fmtSize + 8).order(ByteOrder.LITTLE_ENDIAN);
        h.put("RIFF".getBytes()).putInt((int) (4 + 8 + fmtSize + 8 + dataBytes)).put("WAVE".getBytes());
        h.put("fmt ".getBytes()).putInt(fmtSize);
        h.putShort((short) (extensible ? 0xFFFE : enc.tag)).putShort((short) ch).putInt(rate)
                .putInt(rate * ch * bytes).putShort((short) (ch * bytes)).putShort((short) enc.bits);
        if (extensible) {
            h.putShort((short) 22).putShort((short) enc.bits).putInt(0);
            h.putShort((short) enc.tag).put(new byte[] {0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0,
                    0x38, (byte) 0x9B, 0x71});
        }
        h.put("data".getBytes()).putInt((int) dataBytes);
        out.write(h.array());
    }

    public static Path writeWav(Path file, float[] mono, int rate) throws IOException {
        Files.write(file, wav(new float[][] {mono}, rate, Encoding.PCM16, false));
        return file;
    }
}
