package dev.ser.jobs.prepare;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes fixed-length windows as one NumPy {@code .npy} file (int16, shape [windows, samples]), so
 * the Python trainer reads shards with numpy alone. The rows go to a local temporary file first,
 * because the header states the row count.
 *
 * <p>Written by hand: the .npy v1.0 format is a 10-byte preamble and a Python-dict header (numpy's
 * {@code format.py} documents it); no library for it is worth a dependency.
 */
final class NpyShardWriter implements Closeable {
    private final Path rows;
    private final OutputStream out;
    private final int samples;
    private final ByteBuffer row;
    private int count;

    NpyShardWriter(int samples) throws IOException {
        this.samples = samples;
        this.rows = Files.createTempFile("ser-shard", ".rows");
        this.out = new BufferedOutputStream(Files.newOutputStream(rows), 1 << 20);
        this.row = ByteBuffer.allocate(samples * 2).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Appends one window: {@code x} is zero-padded or truncated to the row length, then quantised
     * to 16 bits.
     */
    int append(float[] x) throws IOException {
        row.clear();
        for (int i = 0; i < samples; i++) {
            float v = i < x.length ? Math.max(-1f, Math.min(1f, x[i])) : 0f;
            row.putShort((short) Math.round(v * 32767));
        }
        out.write(row.array());
        return count++;
    }

    int count() {
        return count;
    }

    /** Writes the finished .npy (header, then the rows) to {@code target}. */
    void finish(OutputStream target) throws IOException {
        out.flush();
        String dict =
                "{'descr': '<i2', 'fortran_order': False, 'shape': ("
                        + count
                        + ", "
                        + samples
                        + "), }";
        int unpadded = 10 + dict.length() + 1;
        int padding = (64 - unpadded % 64) % 64;
        String header = dict + " ".repeat(padding) + "\n";
        ByteBuffer preamble = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
        preamble.put((byte) 0x93)
                .put("NUMPY".getBytes(StandardCharsets.US_ASCII))
                .put((byte) 1)
                .put((byte) 0)
                .putShort((short) header.length());
        target.write(preamble.array());
        target.write(header.getBytes(StandardCharsets.US_ASCII));
        Files.copy(rows, target);
    }

    @Override
    public void close() throws IOException {
        out.close();
        Files.deleteIfExists(rows);
    }
}
