package dev.ser.pipeline.corpus;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * How a user's label names map onto the four classes: {@code angry=anger,mad=anger,joy=happiness}.
 * The class names themselves always map to themselves; matching ignores case and surrounding space.
 * A label that maps nowhere is outside the 4 classes: its clips are listed and counted as excluded,
 * never scored as something else.
 *
 * @param mapping user label (lower case) to class
 */
public record LabelMap(Map<String, String> mapping) {
    public static final LabelMap IDENTITY = new LabelMap(Map.of());

    public LabelMap {
        mapping = Map.copyOf(mapping);
    }

    /**
     * Parses {@code label=class[,label=class...]}.
     *
     * @throws IllegalArgumentException naming the pair that is not {@code label=class} or whose
     *     class is not one of the four
     */
    public static LabelMap parse(String spec) {
        Map<String, String> m = new TreeMap<>();
        for (String pair : spec.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String from = eq < 0 ? "" : key(pair.substring(0, eq));
            String to = eq < 0 ? "" : key(pair.substring(eq + 1));
            if (from.isEmpty() || !EmotionClass.LABELS.contains(to)) {
                throw new IllegalArgumentException(
                        "'"
                                + pair.trim()
                                + "' is not LABEL=CLASS with CLASS one of "
                                + String.join(", ", EmotionClass.LABELS));
            }
            m.put(from, to);
        }
        return new LabelMap(m);
    }

    /** The class of a user's label, or null when it is outside the four. */
    public String classOf(String label) {
        String k = key(label);
        return EmotionClass.LABELS.contains(k) ? k : mapping.get(k);
    }

    private static String key(String s) {
        return s.trim().toLowerCase(Locale.ROOT);
    }
}
