package dev.ser.pipeline.audio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/** Little-endian reads over a stream, for RIFF headers. */
final class LittleEndianInput {
    private final InputStream in;

    LittleEndianInput(InputStream in) {
        this.in = in;
    }

    int u8() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new EOFException("unexpected end of file in header");
        }
        return b;
    }

    int u16() throws IOException {
        return u8() | (u8() << 8);
    }

    long u32() throws IOException {
        return (u16() & 0xFFFFL) | ((long) u16() << 16);
    }

    String fourCc() throws IOException {
        byte[] b = new byte[4];
        readFully(b, 0, 4);
        return new String(b, java.nio.charset.StandardCharsets.US_ASCII);
    }

    void readFully(byte[] b, int off, int len) throws IOException {
        int n = in.readNBytes(b, off, len);
        if (n < len) {
            throw new EOFException("unexpected end of file in header");
        }
    }

    void skip(long n) throws IOException {
        long left = n;
        while (left > 0) {
            long s = in.skip(left);
            if (s <= 0) {
                if (in.read() < 0) {
                    throw new EOFException("unexpected end of file while skipping a chunk");
                }
                s = 1;
            }
            left -= s;
        }
    }
}
