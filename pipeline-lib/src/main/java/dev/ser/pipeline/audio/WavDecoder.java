package dev.ser.pipeline.audio;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Streams a RIFF/WAVE file: integer PCM of 8, 16, 24 or 32 bits, IEEE float of 32 or 64 bits, plain
 * or WAVE_FORMAT_EXTENSIBLE, any channel count and rate.
 *
 * <p>Written by hand because the JDK's {@code AudioSystem} rejects 64-bit float and most extensible
 * headers, and a header parse is the only part needed: samples are read straight from the stream, a
 * block at a time. A data chunk whose declared size is 0 or 0xFFFFFFFF (as streaming recorders
 * write) is read to the end of the stream.
 */
public final class WavDecoder implements PcmStream {
    private static final int WAVE_FORMAT_PCM = 0x0001;
    private static final int WAVE_FORMAT_IEEE_FLOAT = 0x0003;
    private static final int WAVE_FORMAT_EXTENSIBLE = 0xFFFE;

    private final InputStream in;
    private final PcmFormat format;
    private final int bytesPerSample;
    private final int blockAlign;
    private long bytesLeft; // Long.MAX_VALUE when the data chunk's size is unknown
    private byte[] buffer = new byte[0];

    public WavDecoder(InputStream in) throws IOException {
        this.in = in;
        LittleEndianInput le = new LittleEndianInput(in);
        if (!"RIFF".equals(le.fourCc())) {
            throw new UnsupportedAudioException("not a RIFF file");
        }
        le.u32(); // RIFF size: often wrong in the wild, never relied on
        if (!"WAVE".equals(le.fourCc())) {
            throw new UnsupportedAudioException("RIFF file is not WAVE");
        }
        int formatTag = -1;
        int channels = 0;
        long sampleRate = 0;
        int align = 0;
        int bits = 0;
        while (true) {
            String id;
            long size;
            try {
                id = le.fourCc();
                size = le.u32();
            } catch (EOFException e) {
                throw new UnsupportedAudioException("WAVE file has no data chunk", e);
            }
            if ("fmt ".equals(id)) {
                if (size < 16) {
                    throw new UnsupportedAudioException(
                            "WAVE fmt chunk is " + size + " bytes, needs 16");
                }
                formatTag = le.u16();
                channels = le.u16();
                sampleRate = le.u32();
                le.u32(); // byte rate: derivable, not trusted
                align = le.u16();
                bits = le.u16();
                long rest = size - 16;
                if (formatTag == WAVE_FORMAT_EXTENSIBLE) {
                    if (rest < 24) {
                        throw new UnsupportedAudioException(
                                "WAVE_FORMAT_EXTENSIBLE header is too short");
                    }
                    le.u16(); // cbSize
                    le.u16(); // valid bits per sample (container size is what we read)
                    le.u32(); // channel mask: every channel is down-mixed alike
                    formatTag = le.u16(); // first two bytes of the sub-format GUID
                    le.skip(14);
                    rest -= 24;
                }
                le.skip(rest + (size & 1));
            } else if ("data".equals(id)) {
                if (formatTag < 0) {
                    throw new UnsupportedAudioException(
                            "WAVE data chunk comes before its fmt chunk");
                }
                bytesLeft = (size == 0 || size == 0xFFFFFFFFL) ? Long.MAX_VALUE : size;
                break;
            } else {
                le.skip(size + (size & 1));
            }
        }
        PcmFormat.Encoding encoding =
                switch (formatTag) {
                    case WAVE_FORMAT_PCM ->
                            bits == 8
                                    ? PcmFormat.Encoding.PCM_UNSIGNED
                                    : PcmFormat.Encoding.PCM_SIGNED;
                    case WAVE_FORMAT_IEEE_FLOAT -> PcmFormat.Encoding.IEEE_FLOAT;
                    default ->
                            throw new UnsupportedAudioException(
                                    String.format(
                                            "WAVE format tag 0x%04X is not PCM or IEEE float",
                                            formatTag));
                };
        boolean supported =
                encoding == PcmFormat.Encoding.IEEE_FLOAT
                        ? (bits == 32 || bits == 64)
                        : (bits == 8 || bits == 16 || bits == 24 || bits == 32);
        if (!supported) {
            throw new UnsupportedAudioException(
                    bits + "-bit " + encoding + " WAVE is not supported");
        }
        if (sampleRate > Integer.MAX_VALUE) {
            throw new UnsupportedAudioException(
                    "sample rate " + sampleRate + " Hz is not a valid rate");
        }
        this.bytesPerSample = bits / 8;
        if (channels > 0 && align != channels * bytesPerSample) {
            throw new UnsupportedAudioException(
                    "WAVE block align "
                            + align
                            + " does not match "
                            + channels
                            + " channels of "
                            + bits
                            + " bits");
        }
        this.blockAlign = align;
        long frames = bytesLeft == Long.MAX_VALUE || align == 0 ? -1 : bytesLeft / align;
        this.format = new PcmFormat((int) sampleRate, channels, bits, encoding, frames);
    }

    @Override
    public PcmFormat format() {
        return format;
    }

    @Override
    public int read(float[] out, int maxFrames) throws IOException {
        if (bytesLeft <= 0) {
            return -1;
        }
        int wanted =
                (int) Math.min((long) maxFrames * blockAlign, bytesLeft - bytesLeft % blockAlign);
        if (wanted <= 0) {
            bytesLeft = 0;
            return -1;
        }
        if (buffer.length < wanted) {
            buffer = new byte[wanted];
        }
        int got = in.readNBytes(buffer, 0, wanted);
        int frames = got / blockAlign;
        if (got < wanted) {
            bytesLeft = 0; // truncated file: keep the whole frames that arrived
        } else if (bytesLeft != Long.MAX_VALUE) {
            bytesLeft -= got;
        }
        if (frames == 0) {
            return -1;
        }
        convert(buffer, frames * format.channels(), out);
        return frames;
    }

    private void convert(byte[] b, int samples, float[] out) {
        int p = 0;
        switch (format.encoding()) {
            case PCM_UNSIGNED -> {
                for (int i = 0; i < samples; i++) {
                    out[i] = ((b[p++] & 0xFF) - 128) / 128f;
                }
            }
            case PCM_SIGNED -> {
                switch (bytesPerSample) {
                    case 2 -> {
                        for (int i = 0; i < samples; i++, p += 2) {
                            out[i] = (short) ((b[p] & 0xFF) | (b[p + 1] << 8)) / 32768f;
                        }
                    }
                    case 3 -> {
                        for (int i = 0; i < samples; i++, p += 3) {
                            out[i] =
                                    ((b[p] & 0xFF) | ((b[p + 1] & 0xFF) << 8) | (b[p + 2] << 16))
                                            / 8388608f;
                        }
                    }
                    default -> {
                        for (int i = 0; i < samples; i++, p += 4) {
                            out[i] = (float) (int32(b, p) / 2147483648.0);
                        }
                    }
                }
            }
            case IEEE_FLOAT -> {
                if (bytesPerSample == 4) {
                    for (int i = 0; i < samples; i++, p += 4) {
                        out[i] = Float.intBitsToFloat(int32(b, p));
                    }
                } else {
                    for (int i = 0; i < samples; i++, p += 8) {
                        long bits = (int32(b, p) & 0xFFFFFFFFL) | ((long) int32(b, p + 4) << 32);
                        out[i] = (float) Double.longBitsToDouble(bits);
                    }
                }
            }
            default -> throw new IllegalStateException(format.encoding().toString());
        }
    }

    private static int int32(byte[] b, int p) {
        return (b[p] & 0xFF)
                | ((b[p + 1] & 0xFF) << 8)
                | ((b[p + 2] & 0xFF) << 16)
                | (b[p + 3] << 24);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
