package dev.ser.jobs.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.JobTestSupport;
import java.io.ByteArrayInputStream;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * A task whose output is abandoned early (here by {@code take(1)}, as a {@code limit} or a killed
 * task leaves it) still closes the streams it opened: the task-completion listener does.
 */
class TaskResourcesTest {
    static final AtomicInteger OPENED = new AtomicInteger();
    static final AtomicInteger CLOSED = new AtomicInteger();

    @Test
    void streamsOpenWhenATaskEndsEarlyAreClosedByTheTask() {
        SparkSession spark = JobTestSupport.localSpark(1);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            List<Integer> first =
                    jsc.parallelize(List.of(1, 2, 3, 4, 5, 6), 1)
                            .mapPartitions(new LeavesStreamsOpen())
                            .take(1);
            assertEquals(List.of(1), first);
            assertTrue(OPENED.get() >= 1);
            assertEquals(
                    OPENED.get(),
                    CLOSED.get(),
                    "every stream the task opened is closed when it ends");
        } finally {
            spark.stop();
        }
    }

    /** Each row opens a stream and leaves it open, as a recording mid-read does. */
    static final class LeavesStreamsOpen implements FlatMapFunction<Iterator<Integer>, Integer> {
        @Override
        public Iterator<Integer> call(Iterator<Integer> rows) {
            TaskResources resources = TaskResources.forCurrentTask();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return rows.hasNext();
                }

                @Override
                public Integer next() {
                    OPENED.incrementAndGet();
                    resources.track(new CountedStream());
                    return rows.next();
                }
            };
        }
    }

    static final class CountedStream extends ByteArrayInputStream {
        CountedStream() {
            super(new byte[1]);
        }

        @Override
        public void close() {
            CLOSED.incrementAndGet();
        }
    }
}
