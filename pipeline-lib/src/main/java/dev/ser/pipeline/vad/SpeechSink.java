package dev.ser.pipeline.vad;

/** Receives the samples of detected speech, in order, with their place on the original timeline. */
@FunctionalInterface
public interface SpeechSink {
    /**
     * @param samples speech samples; only {@code [offset, offset + length)} is valid and only
     *     during the call
     * @param originalPosition index on the recording's 16 kHz timeline of {@code samples[offset]}
     */
    void speech(float[] samples, int offset, int length, long originalPosition);
}
