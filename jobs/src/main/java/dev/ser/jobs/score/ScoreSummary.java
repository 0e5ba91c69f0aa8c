package dev.ser.jobs.score;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * What {@code OUT/summary.json} holds: the run's counts (rows by status, listed files an
 * incremental run skipped as scored before, and files or archive entries skipped as not
 * recordings, with a sample of their names), its audio, its time and its model.
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
        @JsonProperty("audio_seconds") double audioSeconds,
        @JsonProperty("speech_seconds") double speechSeconds,
        @JsonProperty("windows") long windows,
        @JsonProperty("wall_seconds") double wallSeconds,
        @JsonProperty("model") Model model,
        @JsonProperty("spark_master") String sparkMaster) {

    /** The model that scored the run. */
    public record Model(@JsonProperty("name") String name, @JsonProperty("sha256") String sha256,
                        @JsonProperty("trained") boolean trained, @JsonProperty("source") String source,
                        @JsonProperty("labels") java.util.List<String> labels) {
    }
}
