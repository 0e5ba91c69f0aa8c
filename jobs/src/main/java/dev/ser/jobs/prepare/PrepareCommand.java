package dev.ser.jobs.prepare;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.corpus.CorpusArgs;
import dev.ser.jobs.corpus.CorpusSpec;
import dev.ser.jobs.spark.SparkJobOptions;
import dev.ser.pipeline.corpus.CremaDReader;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ser prepare}: training windows from labelled corpora, cut by the serving pipeline. */
@Command(
        name = "prepare",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Cut labelled corpora into 8 s training windows with the score job's own decoding, VAD,",
            "windowing and preprocessing. Writes OUT/shards/*.npy, OUT/index.jsonl and OUT/prepare.json."
        })
public final class PrepareCommand implements Callable<Integer> {

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<CorpusArgs> corpora;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "OUT",
            description = "Output directory.")
    String output;

    @Option(
            names = "--folds",
            defaultValue = "5",
            description = "Speaker folds. Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--ravdess-calm-as-neutral", description = "Count RAVDESS calm as neutral.")
    boolean calmAsNeutral;

    @Option(
            names = "--label-map",
            paramLabel = "LABEL=CLASS,...",
            description = {
                "How a manifest's labels map to anger, happiness, neutral and sadness, e.g.",
                "angry=anger,mad=anger,joy=happiness. Unmapped labels are excluded and counted."
            })
    String labelMap;

    @Mixin SparkJobOptions job;

    @Override
    public Integer call() throws Exception {
        CorpusSpec.ReaderOptions options =
                new CorpusSpec.ReaderOptions(
                        calmAsNeutral,
                        CremaDReader.LabelSource.INTENDED,
                        true,
                        CorpusArgs.labelMap(labelMap));
        List<CorpusSpec> specs = corpora.stream().map(c -> c.spec(options)).toList();
        JobSettings settings = job.settings();
        SparkSession spark = job.start("ser prepare", settings);
        try {
            var meta = PrepareJob.run(spark, specs, folds, output, job.overwrite(), settings);
            System.out.println("ser prepare: " + output);
            meta.path("corpora")
                    .fields()
                    .forEachRemaining(
                            e ->
                                    System.out.println(
                                            "  "
                                                    + e.getKey()
                                                    + ": windows "
                                                    + e.getValue().path("windows_by_label")
                                                    + ", clips without windows "
                                                    + e.getValue().path("clips_without_windows")));
            return 0;
        } finally {
            spark.stop();
        }
    }
}
