package dev.ser.pipeline.metrics;

import dev.ser.pipeline.corpus.EmotionClass;
import java.util.List;

/**
 * The study's cross-corpus arousal analysis: the 4-class confusion folded into high (anger,
 * happiness) and low (neutral, sadness) arousal, with the arousal accuracy and recall of each
 * arousal class; it shows errors that stay within an arousal level (happy read as angry, sad as
 * neutral) apart from those that cross it.
 */
public record ArousalAnalysis(
        long[][] confusion, double accuracy, double highRecall, double lowRecall) {
    public static final List<String> LEVELS = List.of("high", "low");

    public static ArousalAnalysis of(ConfusionMatrix m) {
        long[][] c = new long[2][2];
        List<String> labels = m.labels();
        for (int t = 0; t < labels.size(); t++) {
            for (int p = 0; p < labels.size(); p++) {
                c[level(labels.get(t))][level(labels.get(p))] += m.count(t, p);
            }
        }
        long total = c[0][0] + c[0][1] + c[1][0] + c[1][1];
        return new ArousalAnalysis(
                c,
                total == 0 ? Double.NaN : (double) (c[0][0] + c[1][1]) / total,
                ratio(c[0][0], c[0][0] + c[0][1]),
                ratio(c[1][1], c[1][0] + c[1][1]));
    }

    private static int level(String label) {
        return EmotionClass.arousal(label).equals("high") ? 0 : 1;
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
