package dev.ser.jobs.input;

import dev.ser.pipeline.archive.SkippedNames;
import java.io.Serializable;
import java.util.List;
import org.apache.spark.SparkContext;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;

/**
 * The run's count of listed files and archive entries that are not recordings by {@link
 * SkippedNames}'s rule (hidden names, {@code __MACOSX}, Hadoop's and Spark's markers), with a few
 * of their names, gathered from the driver and the tasks through Spark accumulators so that nothing
 * is dropped without a trace: the summary and the printed line report them. A task that is run
 * again (a lost executor) may count its names twice.
 */
public final class SkippedByRule implements Serializable {
    private static final long serialVersionUID = 1L;
    private static final int SAMPLE = 10;

    private final LongAccumulator count;
    private final CollectionAccumulator<String> names;

    private SkippedByRule(LongAccumulator count, CollectionAccumulator<String> names) {
        this.count = count;
        this.names = names;
    }

    public static SkippedByRule register(SparkContext spark) {
        return new SkippedByRule(
                spark.longAccumulator("skipped_by_rule"),
                spark.collectionAccumulator("skipped_by_rule_names"));
    }

    /**
     * Counts `name` (a file's path or an archive's {@code archive!entry}); keeps the first few
     * names.
     */
    public void add(String name) {
        count.add(1);
        if (count.value() <= SAMPLE) { // this task's or the driver's own count so far
            names.add(name);
        }
    }

    public long count() {
        return count.value();
    }

    public List<String> sample() {
        List<String> all = names.value();
        return List.copyOf(all.subList(0, Math.min(SAMPLE, all.size())));
    }
}
