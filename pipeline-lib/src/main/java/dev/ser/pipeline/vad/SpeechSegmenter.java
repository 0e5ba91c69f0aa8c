package dev.ser.pipeline.vad;

import java.util.List;

/**
 * Finds the speech of one recording, frame by frame (16 kHz), handing the speech on to a {@link
 * SpeechSink} as it is decided. One instance per recording.
 */
public interface SpeechSegmenter extends AutoCloseable {

    /** Samples per frame that {@link #frame} expects. */
    int frameSamples();

    /**
     * The next frame: {@code length} real samples, the rest of a last short frame zero-filled to
     * {@link #frameSamples()}.
     */
    void frame(float[] samples, int length);

    /** Ends the recording; the speech regions found. */
    List<SpeechRegion> finish();

    /** Nanoseconds spent in speech detectors so far (not in the sink). */
    long detectorNanos();

    @Override
    default void close() {}

    /** Makes a segmenter for each recording. */
    @FunctionalInterface
    interface Factory {
        SpeechSegmenter newSegmenter(SpeechSink sink);
    }
}
