package dev.ser.pipeline.corpus;

import java.util.List;

/** The study's four classes, in the order models and reports use. */
public final class EmotionClass {
    public static final String ANGER = "anger";
    public static final String HAPPINESS = "happiness";
    public static final String NEUTRAL = "neutral";
    public static final String SADNESS = "sadness";
    public static final List<String> LABELS = List.of(ANGER, HAPPINESS, NEUTRAL, SADNESS);

    private EmotionClass() {}

    /** The study's arousal split: high for anger and happiness, low for neutral and sadness. */
    public static String arousal(String label) {
        return switch (label) {
            case ANGER, HAPPINESS -> "high";
            case NEUTRAL, SADNESS -> "low";
            default -> throw new IllegalArgumentException("no arousal for '" + label + "'");
        };
    }
}
