package dev.ser.pipeline.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/** Chooses a decoder by the stream's content (its magic bytes), never by file name. */
public final class AudioDecoders {
    private static final int SNIFF_BYTES = 12;

    private AudioDecoders() {
    }

    /** Opens a decoder over {@code raw}; the decoder owns and closes the stream. */
    public static PcmStream open(InputStream raw) throws IOException {
        InputStream in = raw.markSupported() ? raw : new BufferedInputStream(raw, 1 << 16);
        in.mark(SNIFF_BYTES);
        byte[] head = in.readNBytes(SNIFF_BYTES);
        in.reset();
        try {
            if (head.length == 0) {
                throw new UnsupportedAudioException("empty file");
            }
            if (startsWith(head, "RIFF") && head.length >= 12 && ascii(head, 8, 4).equals("WAVE")) {
                return new WavDecoder(in);
            }
            if (startsWith(head, "fLaC")) {
                return new FlacDecoder(in);
            }
            throw new UnsupportedAudioException("unrecognised audio format (first bytes "
                    + hex(Arrays.copyOf(head, Math.min(head.length, 4))) + "); supported: WAV, FLAC");
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static boolean startsWith(byte[] b, String magic) {
        return b.length >= magic.length() && ascii(b, 0, magic.length()).equals(magic);
    }

    private static String ascii(byte[] b, int off, int len) {
        return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    private static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }
}
