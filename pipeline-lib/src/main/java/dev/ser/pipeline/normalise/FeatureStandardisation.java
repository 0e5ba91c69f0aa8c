package dev.ser.pipeline.normalise;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The mean and spread a run standardises a model's pooled features with, and where they came from:
 * the scored archive's own windows ({@link Basis#ARCHIVE}), one speaker's own windows ({@link
 * Basis#SPEAKER}), or the training corpora's average statistics when the archive has too few
 * windows ({@link Basis#TRAINING}).
 *
 * @param windows the scored windows (the archive's or the speaker's) the choice was made on
 */
public record FeatureStandardisation(float[] mean, float[] std, Basis basis, long windows)
        implements java.io.Serializable {
    /** Where the statistics came from. */
    public enum Basis {
        ARCHIVE,
        SPEAKER,
        TRAINING;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public FeatureStandardisation {
        if (mean.length != std.length) {
            throw new IllegalArgumentException("mean and spread differ in length");
        }
    }

    /** {@code (features - mean) / std}, a new array. */
    public float[] apply(float[] features) {
        float[] z = new float[features.length];
        for (int i = 0; i < z.length; i++) {
            z[i] = (features[i] - mean[i]) / std[i];
        }
        return z;
    }

    /** What outputs record: basis and window count. */
    public Map<String, Object> toMap(int minWindows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("basis", basis.label());
        m.put("windows", windows);
        m.put("min_windows", minWindows);
        return m;
    }
}
