package dev.ser.pipeline.metrics;

import java.util.List;

/** Counts of true label (rows) against predicted label (columns) over a fixed label order. */
public final class ConfusionMatrix {
    private final List<String> labels;
    private final long[][] counts;

    public ConfusionMatrix(List<String> labels) {
        this.labels = List.copyOf(labels);
        this.counts = new long[labels.size()][labels.size()];
    }

    public static ConfusionMatrix of(
            List<String> labels, List<String> truth, List<String> predicted) {
        if (truth.size() != predicted.size()) {
            throw new IllegalArgumentException("truth and predictions differ in length");
        }
        ConfusionMatrix m = new ConfusionMatrix(labels);
        for (int i = 0; i < truth.size(); i++) {
            m.add(truth.get(i), predicted.get(i));
        }
        return m;
    }

    public void add(String truth, String predicted) {
        counts[index(truth)][index(predicted)]++;
    }

    private int index(String label) {
        int i = labels.indexOf(label);
        if (i < 0) {
            throw new IllegalArgumentException("label '" + label + "' is not one of " + labels);
        }
        return i;
    }

    public List<String> labels() {
        return labels;
    }

    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    /** A copy of the counts, rows = truth. */
    public long[][] counts() {
        long[][] copy = new long[counts.length][];
        for (int i = 0; i < counts.length; i++) {
            copy[i] = counts[i].clone();
        }
        return copy;
    }

    public long support(int truth) {
        long s = 0;
        for (long c : counts[truth]) {
            s += c;
        }
        return s;
    }

    public long predictedCount(int label) {
        long s = 0;
        for (long[] row : counts) {
            s += row[label];
        }
        return s;
    }

    public long total() {
        long s = 0;
        for (int i = 0; i < counts.length; i++) {
            s += support(i);
        }
        return s;
    }
}
