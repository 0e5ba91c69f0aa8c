package dev.ser.pipeline.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ser.pipeline.corpus.EmotionClass;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Against hand computations (each matches scikit-learn 1.x with its default arguments). */
class ClassificationMetricsTest {
    private static final List<String> L = EmotionClass.LABELS;

    @Test
    void aFourClassCaseComputedByHand() {
        // truth:     a a a h h n n n n s
        // predicted: a h a a h n n s a n
        ConfusionMatrix m =
                ConfusionMatrix.of(
                        L,
                        List.of(
                                "anger",
                                "anger",
                                "anger",
                                "happiness",
                                "happiness",
                                "neutral",
                                "neutral",
                                "neutral",
                                "neutral",
                                "sadness"),
                        List.of(
                                "anger",
                                "happiness",
                                "anger",
                                "anger",
                                "happiness",
                                "neutral",
                                "neutral",
                                "sadness",
                                "anger",
                                "neutral"));
        assertArrayEquals(
                new long[][] {{2, 1, 0, 0}, {1, 1, 0, 0}, {1, 0, 2, 1}, {0, 0, 1, 0}}, m.counts());
        ClassificationMetrics r = ClassificationMetrics.of(m);
        assertEquals(0.5, r.accuracy(), 1e-12); // 5 of 10
        assertEquals((2.0 / 3 + 0.5 + 0.5 + 0) / 4, r.balancedAccuracy(), 1e-12); // 0.416667
        assertEquals((4.0 / 7 + 0.5 + 4.0 / 7 + 0) / 4, r.macroF1(), 1e-12); // 0.410714
        var anger = r.perClass().get("anger");
        assertEquals(0.5, anger.precision(), 1e-12); // 2 of 4 predicted
        assertEquals(2.0 / 3, anger.recall(), 1e-12);
        assertEquals(4.0 / 7, anger.f1(), 1e-12);
        assertEquals(3, anger.support());
        var sadness = r.perClass().get("sadness");
        assertEquals(0, sadness.precision());
        assertEquals(0, sadness.f1());

        ArousalAnalysis a = ArousalAnalysis.of(m);
        assertArrayEquals(new long[][] {{5, 0}, {1, 4}}, a.confusion());
        assertEquals(0.9, a.accuracy(), 1e-12);
        assertEquals(1.0, a.highRecall(), 1e-12);
        assertEquals(0.8, a.lowRecall(), 1e-12);
    }

    @Test
    void classesWithoutSupportOrPredictionsFollowScikitLearn() {
        // truth a a n n, predicted a s n n: sadness is predicted but never true; happiness neither.
        ConfusionMatrix m =
                ConfusionMatrix.of(
                        L,
                        List.of("anger", "anger", "neutral", "neutral"),
                        List.of("anger", "sadness", "neutral", "neutral"));
        ClassificationMetrics r = ClassificationMetrics.of(m);
        assertEquals(0.75, r.accuracy(), 1e-12);
        // balanced_accuracy_score: recall over the classes in the truth only: (1/2 + 1) / 2
        assertEquals(0.75, r.balancedAccuracy(), 1e-12);
        // f1_score(average="macro"): anger 2/3, neutral 1, sadness 0 (predicted, no support);
        // happiness left out
        assertEquals((2.0 / 3 + 1 + 0) / 3, r.macroF1(), 1e-12);
        assertEquals(0, r.perClass().get("happiness").support());
        assertEquals(0, r.perClass().get("happiness").predicted());
        assertEquals(0, r.perClass().get("sadness").recall());
    }

    @Test
    void spreadIsTheMeanAndSampleStandardDeviation() {
        var s = ClassificationMetrics.Spread.of(List.of(0.5, 0.6, 0.7));
        assertEquals(0.6, s.mean(), 1e-12);
        assertEquals(0.1, s.std(), 1e-12); // sqrt(((0.1)^2 + 0 + (0.1)^2) / 2)
        assertEquals(3, s.n());
    }
}
