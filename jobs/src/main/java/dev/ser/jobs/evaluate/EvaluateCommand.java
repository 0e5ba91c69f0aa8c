package dev.ser.jobs.evaluate;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.corpus.CorpusArgs;
import dev.ser.jobs.corpus.CorpusSpec;
import dev.ser.jobs.evaluation.EvaluateJob;
import dev.ser.jobs.evaluation.EvaluateRequest;
import dev.ser.jobs.spark.OutputDirectory;
import dev.ser.jobs.spark.SparkJobOptions;
import dev.ser.pipeline.corpus.CremaDReader;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ser evaluate}: per-corpus, speaker-independent evaluation of an emotion model. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Evaluate an emotion model on labelled corpora with speaker-independent folds.",
            "Writes OUT/metrics.json, OUT/predictions/ (Parquet), OUT/confusion-<corpus>.png and OUT/report.html."
        })
public final class EvaluateCommand implements Callable<Integer> {

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<CorpusArgs> corpora;

    @Option(
            names = "--model",
            paramLabel = "DIR-or-PATTERN",
            description = {
                "Model directory, or a pattern with {fold} (1-based) naming one model per fold, which",
                "scores that fold's test speakers. Default: the bundled default model."
            })
    String model;

    @Option(
            names = "--output",
            required = true,
            paramLabel = "OUT",
            description = "Output directory.")
    String output;

    @Option(
            names = "--folds",
            defaultValue = "5",
            description = "Speaker folds (IEMOCAP folds by session). Default: ${DEFAULT-VALUE}.")
    int folds;

    @Option(names = "--fold-plots", description = "Also draw a confusion matrix per fold.")
    boolean foldPlots;

    @Option(names = "--ravdess-calm-as-neutral", description = "Count RAVDESS calm as neutral.")
    boolean calmAsNeutral;

    @Option(
            names = "--crema-d-label",
            defaultValue = "intended",
            paramLabel = "intended|perceived",
            description =
                    "CREMA-D label: the actor's intended emotion or the crowd's perceived one. Default: ${DEFAULT-VALUE}.")
    String cremaLabel;

    @Option(
            names = "--iemocap-keep-excited",
            description = "Do not merge IEMOCAP's excited into happiness.")
    boolean keepExcited;

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
        JobSettings settings = job.settings();
        if (!cremaLabel.equals("intended") && !cremaLabel.equals("perceived")) {
            throw new dev.ser.jobs.config.ConfigurationException(
                    "--crema-d-label is 'intended' or 'perceived', not '" + cremaLabel + "'");
        }
        CorpusSpec.ReaderOptions options =
                new CorpusSpec.ReaderOptions(
                        calmAsNeutral,
                        cremaLabel.equals("intended")
                                ? CremaDReader.LabelSource.INTENDED
                                : CremaDReader.LabelSource.PERCEIVED,
                        !keepExcited,
                        CorpusArgs.labelMap(labelMap));
        List<CorpusSpec> specs = corpora.stream().map(c -> c.spec(options)).toList();
        String runId = OutputDirectory.newRunId();
        SparkSession spark = job.start("ser evaluate", settings);
        try {
            var metrics =
                    EvaluateJob.run(
                            spark,
                            new EvaluateRequest(
                                    specs, model, output, folds, foldPlots, runId, job.overwrite()),
                            settings);
            System.out.println("ser evaluate: run " + runId + ", output " + output);
            metrics.corpora()
                    .forEach(
                            (name, c) -> {
                                var o = c.overFolds();
                                // one write, so that a log line cannot land inside it
                                // (ScoreSummary.print)
                                System.out.print(
                                        String.format(
                                                "  %-8s %d clips scored of %d in the 4 classes; over %d folds: WA %.3f ± %.3f, "
                                                        + "UA %.3f ± %.3f, macro F1 %.3f ± %.3f; arousal accuracy %.3f%n",
                                                name,
                                                c.clips().scored(),
                                                c.clips().used(),
                                                c.folds(),
                                                o.wa().mean(),
                                                o.wa().std(),
                                                o.ua().mean(),
                                                o.ua().std(),
                                                o.macroF1().mean(),
                                                o.macroF1().std(),
                                                c.arousal().accuracy()));
                            });
            for (var m : metrics.models()) {
                if (!m.trained()) {
                    System.out.println(
                            "  note: model "
                                    + m.name()
                                    + " is UNTRAINED; these figures "
                                    + "measure nothing but the pipeline.");
                }
                if (!m.frontEndDiffersFromTraining().isEmpty()) {
                    System.out.println(
                            "  warning: model "
                                    + m.name()
                                    + " was trained on windows cut otherwise: "
                                    + String.join("; ", m.frontEndDiffersFromTraining()));
                }
            }
            return 0;
        } finally {
            spark.stop();
        }
    }
}
