package dev.ser.jobs.scoring;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * What {@code OUT/summary.json} holds: the run's counts (rows by status, of the errors those that
 * are bugs rather than bad input, listed files an incremental run skipped as scored before, and
 * files or archive entries skipped as not recordings, with a sample of their names), its audio, its
 * time, its model, and its provenance: the effective {@code ser.*} settings and front end, and how
 * the front end differs from the model's training, and, for an archive-normalised model, the
 * statistics its features were standardised with ({@code basis} archive or training, and the
 * windows they came from; null for other models or {@code ser.feature-normalisation=training}).
 */
public record ScoreSummary(
        @JsonProperty("run_id") String runId,
        @JsonProperty("inputs") long inputs,
        @JsonProperty("skipped") long skipped,
        @JsonProperty("skipped_by_rule") long skippedByRule,
        @JsonProperty("skipped_by_rule_sample") java.util.List<String> skippedByRuleSample,
        @JsonProperty("ok") long ok,
        @JsonProperty("no_speech") long noSpeech,
        @JsonProperty("error") long error,
        @JsonProperty("internal_errors") long internalErrors,
        @JsonProperty("audio_seconds") double audioSeconds,
        @JsonProperty("speech_seconds") double speechSeconds,
        @JsonProperty("windows") long windows,
        @JsonProperty("wall_seconds") double wallSeconds,
        @JsonProperty("model") Model model,
        @JsonProperty("spark_master") String sparkMaster,
        @JsonProperty("settings") java.util.Map<String, String> settings,
        @JsonProperty("front_end") java.util.Map<String, Object> frontEnd,
        @JsonProperty("front_end_differs_from_training")
                java.util.List<String> frontEndDiffersFromTraining,
        @JsonProperty("stage_seconds") java.util.Map<String, Double> stageSeconds,
        @JsonProperty("feature_normalisation") java.util.Map<String, Object> featureNormalisation) {

    /** The model that scored the run. */
    public record Model(
            @JsonProperty("name") String name,
            @JsonProperty("sha256") String sha256,
            @JsonProperty("trained") boolean trained,
            @JsonProperty("source") String source,
            @JsonProperty("labels") java.util.List<String> labels) {}

    /**
     * The run's lines on the console: counts, audio, time and model, then what was skipped and why.
     * Written in one piece: {@code printf} writes a line in parts, and where the console is shared
     * with Spark's log (stderr, on a spark-submit redirected to one file) another thread's log line
     * landed inside the first line, after {@code "ser score: "}.
     */
    public void print(PrintStream out, String output, boolean incremental) {
        StringWriter text = new StringWriter();
        write(new PrintWriter(text), output, incremental);
        out.print(text);
        out.flush();
    }

    private void write(PrintWriter out, String output, boolean incremental) {
        out.printf(
                "ser score: %d recording(s): %d ok, %d no_speech, %d error; %.1f s of audio "
                        + "(%.1f s speech, %d windows) in %.1f s; model %s%n",
                inputs,
                ok,
                noSpeech,
                error,
                audioSeconds,
                speechSeconds,
                windows,
                wallSeconds,
                model.name());
        if (featureNormalisation != null
                && featureNormalisation.get("others") instanceof Map<?, ?> o) {
            out.printf(
                    "  features standardised per speaker: %s of %s speaker(s) with their own statistics,"
                            + " the others with the %s statistics (%s windows scored in this run)%n",
                    featureNormalisation.get("speakers_with_own_statistics"),
                    featureNormalisation.get("speakers"),
                    o.get("basis"),
                    o.get("windows"));
        } else if (featureNormalisation != null) {
            out.printf(
                    "  features standardised with the %s statistics (%s windows scored in this run)%n",
                    featureNormalisation.get("basis"), featureNormalisation.get("windows"));
        }
        if (incremental) {
            out.printf(
                    "  incremental: %d input file(s) scored before with this model, skipped%n",
                    skipped);
        }
        if (skippedByRule > 0) {
            out.printf(
                    "  skipped_by_rule: %d file(s) or archive entries that are not recordings (hidden "
                            + "names, __MACOSX, Hadoop/Spark markers), e.g. %s%n",
                    skippedByRule, String.join(", ", skippedByRuleSample));
        }
        if (stageSeconds != null && !stageSeconds.isEmpty()) {
            out.printf(
                    "  time: model loading %.1f s, listing %.1f s, scoring %.1f s, writing %.1f s; in the"
                            + " tasks (summed): decoding %.2f s, vad %.2f s, inference %.2f s%n",
                    stageSeconds.getOrDefault("model_loading", 0.0),
                    stageSeconds.getOrDefault("listing", 0.0),
                    stageSeconds.getOrDefault("scoring", 0.0),
                    stageSeconds.getOrDefault("writing", 0.0),
                    stageSeconds.getOrDefault("decoding", 0.0),
                    stageSeconds.getOrDefault("vad", 0.0),
                    stageSeconds.getOrDefault("inference", 0.0));
        }
        if (internalErrors > 0) {
            out.printf(
                    "  internal errors: %d of the error rows are bugs, not bad recordings; their stack traces are "
                            + "in the log%n",
                    internalErrors);
        }
        if (!frontEndDiffersFromTraining.isEmpty()) {
            out.printf(
                    "  warning: this run cuts windows otherwise than the model was trained: %s%n",
                    String.join("; ", frontEndDiffersFromTraining));
        }
        out.printf("  output: %s (run_id=%s)%n", output, runId);
        if (!model.trained()) {
            out.println("  note: the model is UNTRAINED; its emotions mean nothing.");
        }
    }
}
