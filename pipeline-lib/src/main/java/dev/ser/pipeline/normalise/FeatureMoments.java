package dev.ser.pipeline.normalise;

import java.io.Serializable;
import java.util.Arrays;

/**
 * Running count, sum and sum of squares of feature vectors: the statistics of an archive's windows,
 * gathered per task and merged (Spark's aggregate). Mutable, as an accumulator is; sums in double,
 * so a million windows lose nothing that matters to a mean and a spread.
 */
public final class FeatureMoments implements Serializable {
    private static final long serialVersionUID = 1L;

    private long count;
    private final double[] sum;
    private final double[] sumOfSquares;

    public FeatureMoments(int dimensions) {
        this.sum = new double[dimensions];
        this.sumOfSquares = new double[dimensions];
    }

    /** Adds one window's features; returns this. */
    public FeatureMoments add(float[] features) {
        if (features.length != sum.length) {
            throw new IllegalArgumentException(
                    features.length + " features where " + sum.length + " were expected");
        }
        count++;
        for (int i = 0; i < sum.length; i++) {
            sum[i] += features[i];
            sumOfSquares[i] += (double) features[i] * features[i];
        }
        return this;
    }

    /** Adds another accumulator's windows; returns this. */
    public FeatureMoments merge(FeatureMoments other) {
        if (other.sum.length != sum.length) {
            throw new IllegalArgumentException("moments of different dimensions");
        }
        count += other.count;
        for (int i = 0; i < sum.length; i++) {
            sum[i] += other.sum[i];
            sumOfSquares[i] += other.sumOfSquares[i];
        }
        return this;
    }

    public long count() {
        return count;
    }

    public int dimensions() {
        return sum.length;
    }

    /** Mean per dimension (zeros when empty). */
    public float[] mean() {
        float[] m = new float[sum.length];
        for (int i = 0; i < m.length && count > 0; i++) {
            m[i] = (float) (sum[i] / count);
        }
        return m;
    }

    /** Population standard deviation per dimension, floored at {@code floor}. */
    public float[] standardDeviation(double floor) {
        float[] s = new float[sum.length];
        Arrays.fill(s, (float) floor);
        for (int i = 0; i < s.length && count > 0; i++) {
            double mean = sum[i] / count;
            double variance = Math.max(0, sumOfSquares[i] / count - mean * mean);
            s[i] = (float) Math.max(floor, Math.sqrt(variance));
        }
        return s;
    }
}
