package dev.ser.pipeline.audio;

/**
 * What a decoder found in a recording's header: the rate, channel count and sample encoding, and
 * the number of frames when the container declares it (-1 when unknown).
 */
public record PcmFormat(
        int sampleRate, int channels, int bitsPerSample, Encoding encoding, long declaredFrames) {

    /** Sample encodings the decoders produce. */
    public enum Encoding {
        PCM_UNSIGNED,
        PCM_SIGNED,
        IEEE_FLOAT,
        FLAC,
        /** decoded by FFmpeg */
        COMPRESSED
    }

    public PcmFormat {
        if (sampleRate <= 0) {
            throw new UnsupportedAudioException(
                    "sample rate " + sampleRate + " Hz is not a valid rate");
        }
        if (channels <= 0) {
            throw new UnsupportedAudioException("channel count " + channels + " is not valid");
        }
    }
}
