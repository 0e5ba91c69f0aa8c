package dev.ser.pipeline.aggregate;

/**
 * One recording's emotion: aggregated class probabilities, the arg-max label, its probability as
 * confidence, and the arousal the study reports (high: anger + happiness, low: neutral + sadness;
 * null when the model's labels are not those four).
 */
public record RecordingEmotion(
        float[] probabilities, String emotion, double confidence, String arousal) {}
