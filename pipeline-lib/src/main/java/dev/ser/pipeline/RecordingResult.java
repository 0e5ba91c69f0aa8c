package dev.ser.pipeline;

import dev.ser.pipeline.aggregate.RecordingEmotion;
import dev.ser.pipeline.aggregate.WindowScore;
import java.util.List;

/**
 * Everything the pipeline learnt about one recording. {@code emotion} is set only when the
 * status is {@code OK}; {@code error} only when it is {@code ERROR}. Durations are NaN when
 * the recording could not be read far enough to know them.
 */
public record RecordingResult(RecordingStatus status, String error, double durationSeconds, double speechSeconds,
                              int sourceSampleRate, int sourceChannels, List<WindowScore> windows,
                              RecordingEmotion emotion) {

    public static RecordingResult error(String message) {
        return new RecordingResult(RecordingStatus.ERROR, message, Double.NaN, Double.NaN, 0, 0, List.of(), null);
    }
}
