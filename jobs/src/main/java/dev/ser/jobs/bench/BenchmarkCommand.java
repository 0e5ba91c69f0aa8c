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
import dev.ser.pipeline.model.ModelProfile;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.preprocess.Preprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * through the whole job). The job's stage breakdown follows, and with {@code --peer} the rate of
 * the plain Python loop a user would otherwise write ({@link PythonPeer}) on the same notes; {@code
 * --short-clips} repeats the job (and the peer) on an archive of the corpus's own short recordings
 * ({@link ShortClipArchive}), and {@code --profile-model} prints where the model's time goes
 * ({@link ModelProfile}).
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

    @Option(
            names = "--short-clips",
            defaultValue = "0",
            paramLabel = "N",
            description =
                    "Also score an archive of N of the corpus's own short recordings (hard links,"
                            + " seeded choice; N may exceed the corpus, which is then reused), the way"
                            + " a night of voice notes arrives. Default: ${DEFAULT-VALUE} (none).")
    int shortClips;

    @Option(
            names = "--peer",
            description =
                    "Also score the same notes with the Python peer a user would otherwise write"
                            + " (model/recipes/peer_score.py: torchaudio, the same network in PyTorch,"
                            + " two worker processes) and print our rate as a ratio of its.")
    boolean peer;

    @Option(
            names = "--profile-model",
            description =
                    "Also run the first 40 windows through ONNX Runtime's profiler (1 thread) and"
                            + " print the model's kernel time by operator and by graph node.")
    boolean profileModel;

    @Option(
            names = "--mn04",
            defaultValue = "../shared/models/mn04_as_mAP_432.pt",
            paramLabel = "FILE",
            description =
                    "mn04's published weights, for the peer's network. Default: ${DEFAULT-VALUE}.")
    Path mn04;

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
        TimedRun timed = endToEnd(notes, "notes", settings);
        double job = timed.seconds();
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
        printStages(timed.summary());
        if (profileModel) {
            printProfile(pkg, windows.subList(0, Math.min(40, windows.size())));
        }
        if (peer) {
            comparePeer(pkg, notes, audio / job);
        }
        if (shortClips > 0) {
            Path clips = work.resolve("short").toAbsolutePath();
            ShortClipArchive.build(corpus, clips, shortClips, 42);
            TimedRun run = endToEnd(clips, "short clips", settings);
            double clipAudio = run.summary().audioSeconds();
            System.out.printf(
                    "benchmark: %d short recordings, %.1f s of audio%n"
                            + "  end to end (score job, local[*], warm):    %.1f s -> %.2f s of audio/s%n",
                    shortClips, clipAudio, run.seconds(), clipAudio / run.seconds());
            printStages(run.summary());
            if (peer) {
                comparePeer(pkg, clips, clipAudio / run.seconds());
            }
        }
        return 0;
    }

    private static void printStages(ScoreSummary summary) {
        Map<String, Double> stages = summary.stageSeconds();
        double decoding = stages.getOrDefault("decoding", 0.0);
        double vad = stages.getOrDefault("vad", 0.0);
        double inference = stages.getOrDefault("inference", 0.0);
        double tasks = Math.max(1e-9, decoding + vad + inference);
        System.out.printf(
                "  stages: model loading %.1f s, listing %.1f s, scoring %.1f s, writing %.1f s (wall);"
                        + " in the tasks (thread time summed): decoding %.1f s (%.0f %%), vad %.1f s"
                        + " (%.0f %%), inference %.1f s (%.0f %%)%n",
                stages.getOrDefault("model_loading", 0.0),
                stages.getOrDefault("listing", 0.0),
                stages.getOrDefault("scoring", 0.0),
                stages.getOrDefault("writing", 0.0),
                decoding,
                100 * decoding / tasks,
                vad,
                100 * vad / tasks,
                inference,
                100 * inference / tasks);
    }

    private void printProfile(ModelPackage pkg, List<float[]> sample) throws IOException {
        ModelProfile p = ModelProfile.of(pkg, sample, work.toAbsolutePath());
        System.out.printf(
                "  model profile (ONNX Runtime, 1 thread, %d windows, %.1f ms of kernel time each):%n",
                sample.size(), p.totalMicros() / 1e3 / sample.size());
        System.out.println("    by operator: " + top(p, p.byOperator(), 6));
        System.out.println("    by node:     " + top(p, p.byNode(), 6));
    }

    private static String top(ModelProfile p, Map<String, Long> shares, int n) {
        return shares.entrySet().stream()
                .limit(n)
                .map(e -> String.format("%s %.1f %%", e.getKey(), p.percent(e.getValue())))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private void comparePeer(ModelPackage pkg, Path folder, double ourRate)
            throws IOException, InterruptedException {
        PythonPeer.Result p;
        try {
            p = PythonPeer.run(modelDirectory(pkg), mn04, folder);
        } catch (dev.ser.jobs.config.ConfigurationException e) {
            System.out.println("  python peer: not run: " + e.getMessage());
            return;
        }
        System.out.printf(
                "  python peer (%s, 2 processes): %d of %d scored, %.1f s -> %.2f s of audio/s%n",
                PythonPeer.SCRIPT, p.scored(), p.recordings(), p.wallSeconds(), p.rate());
        System.out.printf("  ratio ours / python peer: %.2f%n", ourRate / p.rate());
    }

    /** The directory of the model in use, for the peer: --model, or the project's ser-default. */
    private Path modelDirectory(ModelPackage pkg) {
        if (model != null) {
            return Path.of(model);
        }
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("model").resolve(pkg.manifest().name());
            if (Files.isRegularFile(candidate.resolve("model.onnx"))) {
                return candidate;
            }
        }
        throw new dev.ser.jobs.config.ConfigurationException(
                "the peer needs the model as a directory; pass --model DIR");
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

    private record TimedRun(double seconds, ScoreSummary summary) {}

    private TimedRun endToEnd(Path notes, String name, JobSettings settings) throws IOException {
        SparkSession spark = SparkSessions.start("ser benchmark", null, settings);
        try {
            // Warm-up, untimed: one note through the whole job, so the timed run measures a
            // warm JVM as a long nightly run sees it (model-only gets its warm-up batch too).
            ScoreJob.run(
                    spark,
                    new ScoreRequest(
                            List.of(list(notes).get(0).toString()),
                            work.resolve("warm-up-" + name.replace(' ', '-'))
                                    .toAbsolutePath()
                                    .toString(),
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
                                    work.resolve("output-" + name.replace(' ', '-'))
                                            .toAbsolutePath()
                                            .toString(),
                                    model,
                                    "benchmark",
                                    true),
                            settings);
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("  score job: %d ok, %d windows%n", s.ok(), s.windows());
            return new TimedRun(seconds, s);
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
