package dev.ser.jobs.bench;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.input.InputLister;
import dev.ser.jobs.input.SkippedByRule;
import dev.ser.jobs.scoring.ModelLocator;
import dev.ser.jobs.scoring.ScoreJob;
import dev.ser.jobs.scoring.ScoreRequest;
import dev.ser.jobs.scoring.ScoreSummary;
import dev.ser.jobs.spark.SparkSessions;
import dev.ser.pipeline.SpeechFrontEnd;
import dev.ser.pipeline.SpeechWindowing;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser benchmark}: in one run, the model alone and the whole score job on the same model and
 * the same long-form voice notes. Model-only feeds exactly the windows the pipeline cuts from those
 * notes (prepared beforehand, untimed) to one ONNX Runtime session using every core; the job then
 * scores the notes end to end (listing, decoding, VAD, windows, preprocessing, inference, Parquet)
 * in embedded local Spark. Both rates are seconds of recorded audio per wall second, so their ratio
 * is the share of the machine that goes to the model. Model-only runs before and after the job, to
 * expose drift on a shared machine; both are warmed up first (a batch for the model, one note
 * through the whole job).
 */
@Command(
        name = "benchmark",
        mixinStandardHelpOptions = true,
        description =
                "Model-only vs end-to-end score throughput on long-form voice notes built from a corpus.")
public final class BenchmarkCommand implements Callable<Integer> {

    @Option(
            names = "--corpus",
            defaultValue = "../shared/corpora/ravdess",
            paramLabel = "DIR",
            description = "Short utterances to build voice notes from. Default: ${DEFAULT-VALUE}.")
    Path corpus;

    @Option(
            names = "--model",
            paramLabel = "DIR",
            description = "Model directory. Default: the bundled default model.")
    String model;

    @Option(
            names = "--minutes",
            defaultValue = "60",
            description = "Minutes of voice notes. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(
            names = "--work",
            defaultValue = "target/benchmark",
            paramLabel = "DIR",
            description = "Where the notes and the job's output go. Default: ${DEFAULT-VALUE}.")
    Path work;

    @Option(
            names = "--conf",
            paramLabel = "FILE",
            description =
                    "Properties overriding conf/ser.properties (batch size and threads apply to both measurements).")
    Path conf;

    @Option(
            names = "--listing",
            paramLabel = "PATH",
            description =
                    "Only time the listing of PATH (any Hadoop path, read recursively), three rounds"
                            + " in embedded Spark, and print files per second.")
    String listing;

    @Override
    public Integer call() throws Exception {
        if (listing != null) {
            return listingOnly(listing, JobSettings.load(conf));
        }
        if (!Files.isDirectory(corpus)) {
            throw new dev.ser.jobs.config.ConfigurationException(
                    "corpus " + corpus + " does not exist; pass --corpus DIR");
        }
        JobSettings settings = JobSettings.load(conf);
        Path notes = work.resolve("notes").toAbsolutePath();
        deleteRecursively(work);
        double audio = LongFormNotes.build(corpus, notes, minutes, 42);
        ModelPackage pkg = ModelLocator.load(model, new Configuration());
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf(
                "benchmark: %d notes, %.1f s of audio; model %s; %d cores%n",
                count(notes), audio, pkg.manifest().displayName(), cores);

        List<float[]> windows = windowsOf(list(notes), pkg, settings);
        double windowSeconds = windows.size() * pkg.manifest().windowSeconds();
        System.out.printf(
                "  the pipeline cuts %d windows (%.0f s of model input)%n",
                windows.size(), windowSeconds);

        double model1 = modelOnly(pkg, windows, cores, settings.batchSize());
        double job = endToEnd(notes, settings);
        double model2 = modelOnly(pkg, windows, cores, settings.batchSize());
        double modelSeconds = (model1 + model2) / 2;

        System.out.printf(
                "  model only (1 session, %d threads, batch %d): %.1f s and %.1f s -> %.2f s of audio/s "
                        + "(%.2f s of model input/s)%n",
                cores,
                settings.batchSize(),
                model1,
                model2,
                audio / modelSeconds,
                windowSeconds / modelSeconds);
        System.out.printf(
                "  end to end (score job, local[*], warm):    %.1f s -> %.2f s of audio/s%n",
                job, audio / job);
        System.out.printf("  ratio end-to-end / model-only: %.3f%n", modelSeconds / job);
        return 0;
    }

    /**
     * Lists {@code input} three times (the first warms up the JVM and Spark) and prints each rate.
     */
    private static int listingOnly(String input, JobSettings settings) {
        SparkSession spark = SparkSessions.start("ser benchmark --listing", null, settings);
        try {
            for (int round = 1; round <= 3; round++) {
                SkippedByRule skipped = SkippedByRule.register(spark.sparkContext());
                long t0 = System.nanoTime();
                long files =
                        InputLister.list(
                                        spark,
                                        List.of(input),
                                        spark.sparkContext().hadoopConfiguration(),
                                        skipped)
                                .count();
                double seconds = (System.nanoTime() - t0) / 1e9;
                System.out.printf(
                        "  listing round %d: %d files (%d skipped by rule) in %.2f s: %.0f files/s%n",
                        round, files, skipped.count(), seconds, files / seconds);
            }
            return 0;
        } finally {
            spark.stop();
        }
    }

    /**
     * The exact windows the score job feeds the model under these settings, preprocessed, in
     * memory.
     */
    public static List<float[]> windowsOf(List<Path> notes, ModelPackage pkg, JobSettings settings)
            throws IOException {
        SpeechFrontEnd frontEnd = SpeechFrontEnd.forModel(pkg.manifest(), settings.scoring());
        SpeechWindowing windowing = frontEnd.windowing();
        Preprocessor preprocessor = frontEnd.preprocessor();
        List<float[]> out = new ArrayList<>();
        for (Path note : notes) {
            windowing.cut(
                    () -> Files.newInputStream(note),
                    w -> out.add(preprocessor.apply(w.samples())));
        }
        return out;
    }

    static double modelOnly(ModelPackage pkg, List<float[]> windows, int threads, int batch) {
        try (EmotionModel m = new EmotionModel(pkg, new OnnxRuntimeOptions(threads, batch))) {
            m.predict(windows.subList(0, Math.min(batch, windows.size()))); // warm-up
            long t0 = System.nanoTime();
            m.predict(windows);
            return (System.nanoTime() - t0) / 1e9;
        }
    }

    private double endToEnd(Path notes, JobSettings settings) throws IOException {
        SparkSession spark = SparkSessions.start("ser benchmark", null, settings);
        try {
            // Warm-up, untimed: one note through the whole job, so the timed run measures a
            // warm JVM as a long nightly run sees it (model-only gets its warm-up batch too).
            ScoreJob.run(
                    spark,
                    new ScoreRequest(
                            List.of(list(notes).get(0).toString()),
                            work.resolve("warm-up").toAbsolutePath().toString(),
                            model,
                            "warm-up",
                            true),
                    settings);
            long t0 = System.nanoTime();
            ScoreSummary s =
                    ScoreJob.run(
                            spark,
                            new ScoreRequest(
                                    List.of(notes.toString()),
                                    work.resolve("output").toAbsolutePath().toString(),
                                    model,
                                    "benchmark",
                                    true),
                            settings);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  score job: %d ok, %d windows%n", s.ok(), s.windows());
            return seconds;
        } finally {
            spark.stop();
        }
    }

    static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }

    private static long count(Path dir) throws IOException {
        return list(dir).size();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
