package dev.ser.pipeline.aggregate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

class AggregatorTest {
    private static final List<String> LABELS = List.of("anger", "happiness", "neutral", "sadness");

    @Test
    void meanOfWindowsArgMaxConfidenceAndArousal() {
        var windows =
                List.of(
                        new WindowScore(0, 0, 8, 8, new float[] {0.1f, 0.2f, 0.6f, 0.1f}),
                        new WindowScore(1, 8, 16, 8, new float[] {0.5f, 0.3f, 0.1f, 0.1f}),
                        new WindowScore(2, 16, 18, 2, new float[] {0.6f, 0.3f, 0.0f, 0.1f}));
        RecordingEmotion plain = new Aggregator(LABELS, false).aggregate(windows);
        assertArrayEquals(
                new float[] {0.4f, 0.26666668f, 0.23333333f, 0.1f}, plain.probabilities(), 1e-6f);
        assertEquals("anger", plain.emotion());
        assertEquals(0.4, plain.confidence(), 1e-6);
        assertEquals("high", plain.arousal());
        // weighted by speech: (8*0.1 + 8*0.5 + 2*0.6) / 18 for anger, (8*0.6 + 8*0.1) / 18 for
        // neutral
        RecordingEmotion weighted = new Aggregator(LABELS, true).aggregate(windows);
        assertEquals(6.0 / 18, weighted.probabilities()[0], 1e-6);
        assertEquals(5.6 / 18, weighted.probabilities()[2], 1e-6);
    }

    @Test
    void lowArousalAndModelsWithOtherLabels() {
        var w = List.of(new WindowScore(0, 0, 1, 1, new float[] {0.3f, 0.1f, 0.2f, 0.4f}));
        assertEquals("low", new Aggregator(LABELS, false).aggregate(w).arousal());
        assertEquals("sadness", new Aggregator(LABELS, false).aggregate(w).emotion());
        assertNull(new Aggregator(List.of("a", "b", "c", "d"), false).aggregate(w).arousal());
    }
}
