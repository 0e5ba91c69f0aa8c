package dev.ser.pipeline.metrics;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The study's metrics from a confusion matrix, with scikit-learn's definitions (its defaults,
 * {@code labels=None}, {@code zero_division="warn"} counted as 0):
 *
 * <ul>
 *   <li>WA = {@code accuracy_score};
 *   <li>UA = {@code balanced_accuracy_score}: the mean recall over the classes that occur in the
 *       truth (a class only predicted, never true, is left out);
 *   <li>macro F1 = {@code f1_score(average="macro")}: the mean F1 over the classes that occur in
 *       the truth or the predictions (a class in neither is left out; one only predicted has F1 0);
 *   <li>per class: precision (0 when never predicted), recall (0 when no support), F1, support.
 * </ul>
 *
 * Written here, not taken from Spark MLlib's {@code MulticlassMetrics}, because MLlib's label set
 * is the true labels only, so its macro averages leave out a class that is predicted but never
 * true, where scikit-learn counts it with F1 0; and because this runs on the driver over a few
 * thousand predictions, without Spark.
 */
public record ClassificationMetrics(
        double accuracy,
        double balancedAccuracy,
        double macroF1,
        Map<String, PerClass> perClass,
        long[][] confusion,
        List<String> labels,
        long total) {

    /** Precision, recall, F1 and support of one class. */
    public record PerClass(
            double precision, double recall, double f1, long support, long predicted) {}

    public static ClassificationMetrics of(ConfusionMatrix m) {
        List<String> labels = m.labels();
        int k = labels.size();
        long total = m.total();
        long correct = 0;
        Map<String, PerClass> per = new LinkedHashMap<>();
        double recallSum = 0;
        int recallClasses = 0;
        double f1Sum = 0;
        int f1Classes = 0;
        for (int c = 0; c < k; c++) {
            long tp = m.count(c, c);
            correct += tp;
            long support = m.support(c);
            long predicted = m.predictedCount(c);
            double precision = predicted == 0 ? 0 : (double) tp / predicted;
            double recall = support == 0 ? 0 : (double) tp / support;
            double f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            per.put(labels.get(c), new PerClass(precision, recall, f1, support, predicted));
            if (support > 0) {
                recallSum += recall;
                recallClasses++;
            }
            if (support > 0 || predicted > 0) {
                f1Sum += f1;
                f1Classes++;
            }
        }
        return new ClassificationMetrics(
                total == 0 ? Double.NaN : (double) correct / total,
                recallClasses == 0 ? Double.NaN : recallSum / recallClasses,
                f1Classes == 0 ? Double.NaN : f1Sum / f1Classes,
                per,
                m.counts(),
                labels,
                total);
    }

    /** Mean and sample standard deviation (n - 1) of a metric over folds. */
    public record Spread(double mean, double std, int n) {
        public static Spread of(List<Double> values) {
            List<Double> v = new ArrayList<>(values.stream().filter(d -> !d.isNaN()).toList());
            double mean = v.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            double ss = v.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum();
            return new Spread(
                    mean, v.size() > 1 ? Math.sqrt(ss / (v.size() - 1)) : Double.NaN, v.size());
        }
    }
}
