package dev.ser.jobs.evaluation;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.ser.pipeline.metrics.ArousalAnalysis;
import dev.ser.pipeline.metrics.ClassificationMetrics;
import java.util.List;
import java.util.Map;

/**
 * What an evaluation found, as {@code metrics.json} holds it: the models and their folds, and per
 * corpus the clips counted, pooled and per-fold metrics, the spread over folds, the class shares,
 * the arousal analysis; with the run's provenance (effective settings and front end, and how the
 * front end differs from each model's training).
 */
public record EvaluationResult(
        @JsonProperty("run_id") String runId,
        @JsonProperty("models") List<ModelUsed> models,
        @JsonProperty("labels") String labels,
        @JsonProperty("corpora") Map<String, CorpusResult> corpora,
        @JsonProperty("settings") Map<String, String> settings,
        @JsonProperty("front_end") Map<String, Object> frontEnd) {

    /** A model and the folds it scored. */
    public record ModelUsed(
            @JsonProperty("name") String name,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("trained") boolean trained,
            @JsonProperty("source") String source,
            @JsonProperty("folds") List<Integer> folds,
            @JsonProperty("front_end_differs_from_training")
                    List<String> frontEndDiffersFromTraining,
            @JsonProperty("feature_normalisation")
                    Map<String, Map<String, Object>> featureNormalisation) {}

    /** One corpus's results. */
    public record CorpusResult(
            @JsonProperty("root") String root,
            @JsonProperty("reader_options") Map<String, String> readerOptions,
            @JsonProperty("folds") int folds,
            @JsonProperty("fold_speakers") Map<Integer, List<String>> foldSpeakers,
            @JsonProperty("clips") Clips clips,
            @JsonProperty("pooled") Metrics pooled,
            @JsonProperty("class_shares") ClassShares classShares,
            @JsonProperty("per_fold") List<Metrics> perFold,
            @JsonProperty("over_folds") OverFolds overFolds,
            @JsonProperty("arousal") Arousal arousal,
            @JsonProperty("confusion_png") String confusionPng) {}

    /** How many clips the corpus had, used (in the 4 classes), scored, and left out why. */
    public record Clips(
            @JsonProperty("total") int total,
            @JsonProperty("used") int used,
            @JsonProperty("scored") long scored,
            @JsonProperty("excluded_by_label") Map<String, Integer> excludedByLabel,
            @JsonProperty("not_scored_by_status") Map<String, Integer> notScoredByStatus) {}

    /**
     * Metrics over a set of clips: all folds pooled, or one fold (then {@code fold} and its model).
     */
    public record Metrics(
            @JsonProperty("n") long n,
            @JsonProperty("wa") double wa,
            @JsonProperty("ua") double ua,
            @JsonProperty("macro_f1") double macroF1,
            @JsonProperty("per_class") Map<String, ClassificationMetrics.PerClass> perClass,
            @JsonProperty("confusion") long[][] confusion,
            @JsonProperty("fold") Integer fold,
            @JsonProperty("model_sha256") String modelSha256) {

        static Metrics of(ClassificationMetrics m, Integer fold, String modelSha256) {
            return new Metrics(
                    m.total(),
                    m.accuracy(),
                    m.balancedAccuracy(),
                    m.macroF1(),
                    m.perClass(),
                    m.confusion(),
                    fold,
                    modelSha256);
        }
    }

    /**
     * Each class's share of the truth and of the predictions: a model that calls most of a balanced
     * corpus one class is broken whatever its UA, and this shows it.
     */
    public record ClassShares(
            @JsonProperty("true") Map<String, Double> truth,
            @JsonProperty("predicted") Map<String, Double> predicted) {}

    /** Mean and spread over folds. */
    public record OverFolds(
            @JsonProperty("wa") ClassificationMetrics.Spread wa,
            @JsonProperty("ua") ClassificationMetrics.Spread ua,
            @JsonProperty("macro_f1") ClassificationMetrics.Spread macroF1,
            @JsonProperty("per_class_f1") Map<String, ClassificationMetrics.Spread> perClassF1) {}

    /** The study's arousal analysis: high (anger, happiness) against low (neutral, sadness). */
    public record Arousal(
            @JsonProperty("labels") List<String> labels,
            @JsonProperty("confusion") long[][] confusion,
            @JsonProperty("accuracy") double accuracy,
            @JsonProperty("high_recall") double highRecall,
            @JsonProperty("low_recall") double lowRecall) {

        static Arousal of(ArousalAnalysis a) {
            return new Arousal(
                    ArousalAnalysis.LEVELS,
                    a.confusion(),
                    a.accuracy(),
                    a.highRecall(),
                    a.lowRecall());
        }
    }
}
