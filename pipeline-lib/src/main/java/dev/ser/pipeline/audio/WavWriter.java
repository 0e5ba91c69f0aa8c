package dev.ser.pipeline.audio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes RIFF/WAVE audio in every encoding {@link WavDecoder} reads (for generated demo archives
 * and test files), whole or as a header followed by blocks.
 */
public final class WavWriter {

    /** Sample encodings: WAVE format tag and bits per sample. */
    public enum Encoding {
        PCM8(1, 8),
        PCM16(1, 16),
        PCM24(1, 24),
        PCM32(1, 32),
        FLOAT32(3, 32),
        FLOAT64(3, 64);

        final int tag;
        final int bits;

        Encoding(int tag, int bits) {
            this.tag = tag;
            this.bits = bits;
        }

        public int bytesPerSample() {
            return bits / 8;
        }
    }

    private static final byte[] EXTENSIBLE_GUID_TAIL = {
        0, 0, 0, 0, 0x10, 0, (byte) 0x80, 0, 0, (byte) 0xAA, 0, 0x38, (byte) 0x9B, 0x71
    };

    private WavWriter() {}

    /** Writes a whole file: {@code channels[c][i]} is sample i of channel c. */
    public static void write(
            OutputStream out, float[][] channels, int rate, Encoding enc, boolean extensible)
            throws IOException {
        int frames = channels[0].length;
        writeHeader(
                out,
                rate,
                channels.length,
                enc,
                extensible,
                (long) frames * channels.length * enc.bytesPerSample());
        out.write(encode(channels, 0, frames, enc));
    }

    /**
     * Interleaves and encodes frames {@code [from, to)}; samples beyond [-1, 1] are clipped for
     * integer encodings.
     */
    public static byte[] encode(float[][] channels, int from, int to, Encoding enc) {
        ByteBuffer data =
                ByteBuffer.allocate((to - from) * channels.length * enc.bytesPerSample())
                        .order(ByteOrder.LITTLE_ENDIAN);
        for (int i = from; i < to; i++) {
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
                    default -> throw new IllegalStateException(enc.toString());
                }
            }
        }
        return data.array();
    }

    /** A header for {@code dataBytes} bytes of samples that the caller writes next. */
    public static void writeHeader(
            OutputStream out,
            int rate,
            int channels,
            Encoding enc,
            boolean extensible,
            long dataBytes)
            throws IOException {
        int bytes = enc.bytesPerSample();
        int fmtSize = extensible ? 40 : 16;
        ByteBuffer h = ByteBuffer.allocate(12 + 8 + fmtSize + 8).order(ByteOrder.LITTLE_ENDIAN);
        h.put(ascii("RIFF"))
                .putInt((int) Math.min(0xFFFFFFFFL, 4 + 8 + fmtSize + 8 + dataBytes))
                .put(ascii("WAVE"));
        h.put(ascii("fmt ")).putInt(fmtSize);
        h.putShort((short) (extensible ? 0xFFFE : enc.tag))
                .putShort((short) channels)
                .putInt(rate)
                .putInt(rate * channels * bytes)
                .putShort((short) (channels * bytes))
                .putShort((short) enc.bits);
        if (extensible) {
            h.putShort((short) 22)
                    .putShort((short) enc.bits)
                    .putInt(0)
                    .putShort((short) enc.tag)
                    .put(EXTENSIBLE_GUID_TAIL);
        }
        h.put(ascii("data")).putInt((int) dataBytes);
        out.write(h.array());
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
