package dev.ser.pipeline.vad;

/**
 * Scores fixed-size frames of one recording (16 kHz mono) with a speech probability. One instance
 * per recording: detectors may carry state from frame to frame.
 */
public interface VoiceActivityDetector extends AutoCloseable {
    /** The rate every detector works at. */
    int SAMPLE_RATE = 16_000;

    /** Frame size in samples that {@link #speechProbability} expects. */
    int frameSamples();

    /**
     * Probability in [0, 1] that {@code frame} (exactly {@link #frameSamples()} samples) is speech.
     */
    float speechProbability(float[] frame);

    @Override
    default void close() {}

    /** Makes a fresh detector for each recording. */
    @FunctionalInterface
    interface Factory {
        VoiceActivityDetector newDetector();
    }
}
