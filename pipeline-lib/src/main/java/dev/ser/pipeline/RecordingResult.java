package dev.ser.pipeline;

import dev.ser.pipeline.aggregate.RecordingEmotion;
import dev.ser.pipeline.aggregate.WindowScore;
import java.util.List;

/**
 * Everything the pipeline learnt about one recording. {@code emotion} is set only when the status
 * is {@code OK}; {@code error} only when it is {@code ERROR}. Durations are NaN when the recording
 * could not be read far enough to know them. {@code times} says where scoring it spent its time.
 */
public record RecordingResult(
        RecordingStatus status,
        String error,
        double durationSeconds,
        double speechSeconds,
        int sourceSampleRate,
        int sourceChannels,
        List<WindowScore> windows,
        RecordingEmotion emotion,
        StageTimes times) {

    /** How an internal error's message starts, in outputs: a bug, not a bad recording. */
    public static final String INTERNAL_ERROR = "internal error: ";

    /**
     * A recording that could not be scored for a reason in the input (unreadable, unsupported,
     * hostile).
     */
    public static RecordingResult error(String message) {
        return new RecordingResult(
                RecordingStatus.ERROR,
                message,
                Double.NaN,
                Double.NaN,
                0,
                0,
                List.of(),
                null,
                StageTimes.NONE);
    }

    /**
     * A recording that could not be scored because of a bug (an exception no input should cause):
     * still an {@code error} row, so nothing is lost, but marked so that runs count it apart; the
     * caller logs the stack trace.
     */
    public static RecordingResult internalError(Throwable bug) {
        return error(
                INTERNAL_ERROR
                        + bug
                        + " (a bug, not the recording: the stack trace is in the log)");
    }

    /** Whether this is an {@link #internalError}. */
    public boolean isInternalError() {
        return error != null && error.startsWith(INTERNAL_ERROR);
    }
}
