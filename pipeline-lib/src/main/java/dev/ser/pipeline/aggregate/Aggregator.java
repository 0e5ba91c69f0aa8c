package dev.ser.pipeline.aggregate;

import java.util.List;
import java.util.Set;

/**
 * Averages a recording's window probabilities into one emotion, as the study's deployment does: the
 * plain mean by default, or weighted by each window's speech seconds (so a short last window counts
 * less).
 */
public final class Aggregator {
    private static final Set<String> HIGH_AROUSAL = Set.of("anger", "happiness");
    private static final Set<String> LOW_AROUSAL = Set.of("neutral", "sadness");

    private final List<String> labels;
    private final boolean weightBySpeech;
    private final boolean hasArousal;

    public Aggregator(List<String> labels, boolean weightBySpeech) {
        this.labels = List.copyOf(labels);
        this.weightBySpeech = weightBySpeech;
        this.hasArousal = labels.containsAll(HIGH_AROUSAL) && labels.containsAll(LOW_AROUSAL);
    }

    /** The recording's emotion; {@code windows} must not be empty. */
    public RecordingEmotion aggregate(List<WindowScore> windows) {
        if (windows.isEmpty()) {
            throw new IllegalArgumentException("no windows to aggregate");
        }
        double[] sum = new double[labels.size()];
        double total = 0;
        for (WindowScore w : windows) {
            double weight = weightBySpeech ? w.speechSeconds() : 1;
            for (int i = 0; i < sum.length; i++) {
                sum[i] += weight * w.probabilities()[i];
            }
            total += weight;
        }
        float[] mean = new float[sum.length];
        int best = 0;
        for (int i = 0; i < sum.length; i++) {
            mean[i] = (float) (sum[i] / total);
            if (mean[i] > mean[best]) {
                best = i;
            }
        }
        return new RecordingEmotion(mean, labels.get(best), mean[best], arousal(mean));
    }

    private String arousal(float[] p) {
        if (!hasArousal) {
            return null;
        }
        double high = 0;
        double low = 0;
        for (int i = 0; i < p.length; i++) {
            if (HIGH_AROUSAL.contains(labels.get(i))) {
                high += p[i];
            } else if (LOW_AROUSAL.contains(labels.get(i))) {
                low += p[i];
            }
        }
        return high >= low ? "high" : "low";
    }
}
