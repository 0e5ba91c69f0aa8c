package dev.ser.jobs.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.corpus.CorpusArgs;
import dev.ser.jobs.corpus.CorpusSpec;
import dev.ser.jobs.evaluation.EvaluateJob;
import dev.ser.jobs.evaluation.EvaluateRequest;
import dev.ser.jobs.evaluation.EvaluationResult;
import dev.ser.jobs.scoring.ModelLocator;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.SparkJobOptions;
import dev.ser.pipeline.corpus.CremaDReader;
import dev.ser.pipeline.model.ModelPackage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ser quantization}: a float32 model and its int8 copy compared in one run, through ONNX
 * Runtime's Java API as the jobs use it: ONNX file size; model-only throughput on the same windows
 * (cut from long-form notes, as in {@code ser benchmark}), measured alternately float, int8, float,
 * int8 so drift on a shared machine shows; and, when corpora are given, accuracy from the evaluate
 * job for both (per-fold models through {@code {fold}} patterns).
 */
@Command(
        name = "quantization",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description =
                "Size, throughput and accuracy of a float32 model against its int8 copy, in one run.")
public final class QuantizationCommand implements Callable<Integer> {

    @Option(
            names = "--float",
            required = true,
            paramLabel = "DIR-or-PATTERN",
            description = "The float32 model (a pattern with {fold} for per-fold models).")
    String floatModel;

    @Option(
            names = "--int8",
            required = true,
            paramLabel = "DIR-or-PATTERN",
            description = "Its int8 copy.")
    String int8Model;

    @ArgGroup(exclusive = false, multiplicity = "0..*")
    List<CorpusArgs> corpora = new java.util.ArrayList<>();

    @Option(
            names = "--folds",
            defaultValue = "5",
            description = "Speaker folds for accuracy. Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(
            names = "--notes",
            defaultValue = "../shared/corpora/ravdess",
            paramLabel = "DIR",
            description =
                    "Short utterances to build the throughput notes from. Default: ${DEFAULT-VALUE}.")
    Path notesCorpus;

    @Option(
            names = "--minutes",
            defaultValue = "5",
            description = "Minutes of notes for throughput. Default: ${DEFAULT-VALUE}.")
    double minutes;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "OUT",
            description =
                    "Writes OUT/quantization.json and the two evaluations under OUT/float32 and OUT/int8.")
    Path output;

    @Mixin SparkJobOptions job;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(notesCorpus)) {
            throw new ConfigurationException(
                    "notes corpus " + notesCorpus + " does not exist; pass --notes DIR");
        }
        JobSettings settings = job.settings();
        ModelPackage f32 = load("--float", floatModel);
        ModelPackage i8 = load("--int8", int8Model);
        if (!f32.manifest().labels().equals(i8.manifest().labels())) {
            throw new ConfigurationException(
                    "--float and --int8 have different labels: "
                            + f32.manifest().labels()
                            + " vs "
                            + i8.manifest().labels());
        }
        // only now, with every input checked, may an existing output make way
        OutputDirectory.prepare(
                new org.apache.hadoop.fs.Path(output.toAbsolutePath().toUri()),
                new Configuration(),
                job.overwrite());
        Files.createDirectories(output);

        ObjectNode report = new ObjectMapper().createObjectNode();
        long f32Bytes = f32.onnxBytes();
        long i8Bytes = i8.onnxBytes();
        report.putObject("size_bytes").put("float32", f32Bytes).put("int8", i8Bytes);
        System.out.printf(
                "ser quantization: %s vs %s%n",
                f32.manifest().displayName(), i8.manifest().displayName());
        System.out.printf(
                "  size: float32 %.2f MB, int8 %.2f MB (%.2fx smaller)%n",
                f32Bytes / 1e6, i8Bytes / 1e6, (double) f32Bytes / i8Bytes);

        Path notes = output.resolve("notes");
        double audio = LongFormNotes.build(notesCorpus, notes, minutes, 42);
        List<float[]> windows =
                BenchmarkCommand.windowsOf(BenchmarkCommand.list(notes), f32, settings);
        int cores = Runtime.getRuntime().availableProcessors();
        double[] f = new double[2];
        double[] q = new double[2];
        for (int round = 0; round < 2; round++) {
            f[round] = BenchmarkCommand.modelOnly(f32, windows, cores, settings.batchSize());
            q[round] = BenchmarkCommand.modelOnly(i8, windows, cores, settings.batchSize());
        }
        double fRate = audio / ((f[0] + f[1]) / 2);
        double qRate = audio / ((q[0] + q[1]) / 2);
        report.putObject("throughput")
                .put("windows", windows.size())
                .put("audio_seconds", audio)
                .put("threads", cores)
                .put("batch", settings.batchSize())
                .put("float32_audio_seconds_per_second", fRate)
                .put("int8_audio_seconds_per_second", qRate)
                .put("speedup", qRate / fRate);
        System.out.printf(
                "  model-only throughput (%d windows, %d threads, batch %d): float32 %.1f s and %.1f s, "
                        + "int8 %.1f s and %.1f s -> %.1f vs %.1f s of audio/s, int8 speed-up %.2fx%n",
                windows.size(),
                cores,
                settings.batchSize(),
                f[0],
                f[1],
                q[0],
                q[1],
                fRate,
                qRate,
                qRate / fRate);

        if (!corpora.isEmpty()) {
            CorpusSpec.ReaderOptions options =
                    new CorpusSpec.ReaderOptions(
                            false,
                            CremaDReader.LabelSource.INTENDED,
                            true,
                            dev.ser.pipeline.corpus.LabelMap.IDENTITY);
            List<CorpusSpec> specs = corpora.stream().map(c -> c.spec(options)).toList();
            SparkSession spark = job.start("ser quantization", settings);
            try {
                ObjectNode accuracy = report.putObject("accuracy");
                for (String kind : List.of("float32", "int8")) {
                    String model = kind.equals("float32") ? floatModel : int8Model;
                    EvaluationResult metrics =
                            EvaluateJob.run(
                                    spark,
                                    new EvaluateRequest(
                                            specs,
                                            model,
                                            output.resolve(kind).toString(),
                                            folds,
                                            false,
                                            OutputDirectory.newRunId(),
                                            true),
                                    settings);
                    metrics.corpora()
                            .forEach(
                                    (name, c) -> {
                                        var over = c.overFolds().ua();
                                        accuracy.with(name)
                                                .putObject(kind)
                                                .put("ua_mean", over.mean())
                                                .put("ua_std", over.std())
                                                .put("ua_pooled", c.pooled().ua());
                                    });
                }
                accuracy.fields()
                        .forEachRemaining(
                                e -> {
                                    var a = e.getValue();
                                    double d =
                                            a.path("int8").path("ua_mean").asDouble()
                                                    - a.path("float32").path("ua_mean").asDouble();
                                    ((ObjectNode) a).put("ua_change_points", 100 * d);
                                    System.out.printf(
                                            "  %s UA over %d folds: float32 %.3f ± %.3f, int8 %.3f ± %.3f (%+.1f points)%n",
                                            e.getKey(),
                                            folds,
                                            a.path("float32").path("ua_mean").asDouble(),
                                            a.path("float32").path("ua_std").asDouble(),
                                            a.path("int8").path("ua_mean").asDouble(),
                                            a.path("int8").path("ua_std").asDouble(),
                                            100 * d);
                                });
            } finally {
                spark.stop();
            }
        }
        new ObjectMapper()
                .writerWithDefaultPrettyPrinter()
                .writeValue(output.resolve("quantization.json").toFile(), report);
        return 0;
    }

    /** The fold-1 model of a pattern, its errors naming the option it came from. */
    private static ModelPackage load(String option, String pattern) {
        try {
            return ModelLocator.load(fold1(pattern), new Configuration());
        } catch (ConfigurationException | dev.ser.pipeline.model.InvalidModelException e) {
            throw new ConfigurationException(option + ": " + e.getMessage());
        }
    }

    /** The fold-1 model of a pattern (size and throughput are measured on one model). */
    private static String fold1(String pattern) {
        return pattern.replace("{fold}", "1");
    }
}
