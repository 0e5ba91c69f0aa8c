package dev.ser.jobs.spark;

import dev.ser.pipeline.StageTimes;
import java.io.PrintStream;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.SparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;

/**
 * A run's progress, from its tasks to the driver's console. Tasks add each recording they finish
 * ({@link #add}) to Spark accumulators; on the driver, a Spark listener reads them as tasks end and
 * prints a line: recordings done of the total, hours of audio, the rate in seconds of audio per
 * second, and the time left. Listener events reach the driver however the job was started, {@code
 * spark-submit} included. On a terminal the line is rewritten in place; in a log, a line is written
 * every interval. The same accumulators add up each stage's task time ({@link #taskSeconds}). A
 * task that runs again (a lost executor) adds its recordings twice: the done count is capped at the
 * total.
 */
public final class RunProgress implements Serializable {
    private static final long serialVersionUID = 1L;

    private final LongAccumulator recordings;
    private final LongAccumulator audioMillis;
    private final LongAccumulator decodeNanos;
    private final LongAccumulator vadNanos;
    private final LongAccumulator inferenceNanos;

    private RunProgress(SparkContext spark) {
        this.recordings = spark.longAccumulator("recordings_done");
        this.audioMillis = spark.longAccumulator("audio_millis_done");
        this.decodeNanos = spark.longAccumulator("decode_nanos");
        this.vadNanos = spark.longAccumulator("vad_nanos");
        this.inferenceNanos = spark.longAccumulator("inference_nanos");
    }

    public static RunProgress register(SparkContext spark) {
        return new RunProgress(spark);
    }

    /** In a task: one recording done, with its audio and where its time went. */
    public void add(double audioSeconds, StageTimes times) {
        recordings.add(1);
        if (Double.isFinite(audioSeconds)) {
            audioMillis.add(Math.round(audioSeconds * 1000));
        }
        decodeNanos.add(times.decodeNanos());
        vadNanos.add(times.vadNanos());
        inferenceNanos.add(times.inferenceNanos());
    }

    /**
     * Seconds of task time per stage, summed over tasks: {@code decoding}, {@code vad}, {@code
     * inference}.
     */
    public Map<String, Double> taskSeconds() {
        Map<String, Double> s = new LinkedHashMap<>();
        s.put("decoding", decodeNanos.value() / 1e9);
        s.put("vad", vadNanos.value() / 1e9);
        s.put("inference", inferenceNanos.value() / 1e9);
        return s;
    }

    /**
     * Prints progress towards {@code total} recordings on {@code out} while the returned watch is
     * open, at most every {@code intervalSeconds} (0: never).
     */
    public Watch watch(
            SparkContext spark, String what, long total, double intervalSeconds, PrintStream out) {
        Watch w = new Watch(spark, what, total, intervalSeconds, out, System.console() != null);
        if (intervalSeconds > 0) {
            spark.addSparkListener(w);
        }
        return w;
    }

    /** The driver's listener; closing it prints the last line and detaches it. */
    public final class Watch extends SparkListener implements AutoCloseable {
        private final SparkContext spark;
        private final String what;
        private final long total;
        private final long intervalNanos;
        private final PrintStream out;
        private final boolean terminal;
        private final long started = System.nanoTime();
        private long lastPrinted;
        private long lastDone;
        private boolean printed;

        Watch(
                SparkContext spark,
                String what,
                long total,
                double intervalSeconds,
                PrintStream out,
                boolean terminal) {
            this.spark = spark;
            this.what = what;
            this.total = total;
            this.intervalNanos = (long) (intervalSeconds * 1e9);
            this.out = out;
            this.terminal = terminal;
            this.lastPrinted = started;
        }

        @Override
        public void onTaskEnd(SparkListenerTaskEnd taskEnd) {
            long now = System.nanoTime();
            synchronized (this) {
                long done = recordings.value();
                // a new line when the interval has passed and there is news (or a minute of none)
                if (now - lastPrinted < intervalNanos
                        || (done == lastDone && now - lastPrinted < 60_000_000_000L)) {
                    return;
                }
                lastPrinted = now;
                lastDone = done;
                print(now, false);
            }
        }

        private String line(long now) {
            long done = Math.min(total, recordings.value());
            double audio = audioMillis.value() / 1000.0;
            double elapsed = Math.max(1e-9, (now - started) / 1e9);
            String eta =
                    done == 0 || done >= total ? "–" : duration(elapsed * (total - done) / done);
            return String.format(
                    Locale.ROOT,
                    "  %s: %,d of %,d recordings (%.0f%%), %.2f h of audio, %.1f s of audio/s, %s left",
                    what,
                    done,
                    total,
                    total == 0 ? 100.0 : 100.0 * done / total,
                    audio / 3600,
                    audio / elapsed,
                    eta);
        }

        private void print(long now, boolean last) {
            String line = line(now);
            if (terminal) {
                out.print("\r" + line + (last ? "\n" : ""));
            } else {
                out.println(line);
            }
            out.flush();
            printed = true;
        }

        @Override
        public synchronized void close() {
            if (intervalNanos > 0) {
                spark.removeSparkListener(this);
                long done = recordings.value();
                // the last state once: a terminal's line ends; a log gets it unless it has it
                if (terminal ? printed || done > 0 : done != lastDone) {
                    lastDone = done;
                    print(System.nanoTime(), true);
                }
            }
        }
    }

    static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min " + (s % 60) + " s";
        }
        return (s / 3600) + " h " + (s % 3600 / 60) + " min";
    }
}
