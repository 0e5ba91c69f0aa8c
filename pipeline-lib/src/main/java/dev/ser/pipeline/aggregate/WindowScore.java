package dev.ser.pipeline.aggregate;

/**
 * The model's class probabilities for one window, with the window's place in the recording, and,
 * for a model with archive normalisation, the window's pooled features (null otherwise): its
 * probabilities are then provisional until the archive's statistics are known.
 */
public record WindowScore(
        int index,
        double startSeconds,
        double endSeconds,
        double speechSeconds,
        float[] probabilities,
        float[] features) {

    public WindowScore(
            int index,
            double startSeconds,
            double endSeconds,
            double speechSeconds,
            float[] probabilities) {
        this(index, startSeconds, endSeconds, speechSeconds, probabilities, null);
    }

    /** The same window with other probabilities and no features (the archive-normalised score). */
    public WindowScore withProbabilities(float[] p) {
        return new WindowScore(index, startSeconds, endSeconds, speechSeconds, p, null);
    }
}
