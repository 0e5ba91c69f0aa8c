package dev.ser.pipeline.audio;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Chooses a decoder by the stream's content (its magic bytes), never by file name: WAV has its own
 * reader; FLAC streams through FFmpeg's native decoder ({@link FfmpegDecoder#flac}, which gives the
 * same samples as the pure-Java jFLAC it replaced, in less time); Ogg (Opus, Vorbis),
 * WebM/Matroska, MP3, ADTS AAC, MP4/M4A/3GP and AMR go to {@link FfmpegDecoder} from memory.
 * Anything else is an {@link UnsupportedAudioException}.
 */
public final class AudioDecoders {
    private static final int SNIFF_BYTES = 12;

    private AudioDecoders() {}

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
                return FfmpegDecoder.flac(in);
            }
            if (compressed(head)) {
                return new FfmpegDecoder(in);
            }
            throw new UnsupportedAudioException(
                    "unrecognised audio format (first bytes "
                            + hex(Arrays.copyOf(head, Math.min(head.length, 4)))
                            + "); supported: "
                            + SUPPORTED);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** The formats recognised, as error messages and the README name them. */
    public static final String SUPPORTED =
            "WAV, FLAC, Ogg (Opus, Vorbis), WebM/Matroska (Opus, Vorbis), MP3, "
                    + "AAC (M4A/MP4, ADTS), AMR-NB, AMR-WB";

    /**
     * The container signatures FFmpeg's demuxers are allowed for (see {@link
     * FfmpegDecoder#DEMUXERS}).
     */
    static boolean compressed(byte[] head) {
        if (startsWith(head, "OggS") || startsWith(head, "ID3") || startsWith(head, "#!AMR")) {
            return true;
        }
        if (head.length >= 4
                && (head[0] & 0xff) == 0x1a
                && (head[1] & 0xff) == 0x45
                && (head[2] & 0xff) == 0xdf
                && (head[3] & 0xff) == 0xa3) {
            return true; // EBML: WebM, Matroska
        }
        if (head.length >= 8 && ascii(head, 4, 4).equals("ftyp")) {
            return true; // ISO base media: M4A, MP4, 3GP
        }
        // an MPEG audio frame sync: MP3 (layer bits non-zero) or ADTS AAC (layer bits zero)
        return head.length >= 2 && (head[0] & 0xff) == 0xff && (head[1] & 0xe0) == 0xe0;
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
