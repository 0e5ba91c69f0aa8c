package dev.ser.pipeline.vad;

/**
 * A second opinion for a {@link SpeechGate}: regions its detector was sure of in at least {@code
 * sureFramesToTrust} speech frames, {@code sureRunToTrust} of them in a row, are trusted; others
 * are held (at most {@code holdLimitSamples}) and kept only if {@link #hasSpeech} finds speech in
 * their audio.
 */
public interface RegionCheck {

    /** Sure speech frames after which a region is trusted without asking. */
    int sureFramesToTrust();

    /**
     * Of those, how many must come in a row at least once (a knock is loud for a frame or two, a
     * vowel for longer).
     */
    int sureRunToTrust();

    /** Held audio (samples) at which the check is asked even though the region is still open. */
    int holdLimitSamples();

    /**
     * Whether {@code samples[offset, offset + length)} (a region with its padding, 16 kHz) holds
     * speech.
     */
    boolean hasSpeech(float[] samples, int offset, int length);
}
