package dev.ser.jobs.scoring;

import java.util.List;

/**
 * One run of the score job.
 *
 * @param inputs files, directories (read recursively) or globs, any Hadoop paths; empty when a
 *     manifest names the recordings
 * @param manifest a CSV or Parquet manifest of paths (and columns to carry through), or null
 * @param output the output directory
 * @param modelDir the model directory, or null for the default model
 * @param runId the run's id, written in every row
 * @param overwrite replace an existing output instead of refusing
 * @param incremental how to skip inputs scored before with the same model, or null to score
 *     everything (into a new or overwritten output)
 */
public record ScoreRequest(
        List<String> inputs,
        String manifest,
        String output,
        String modelDir,
        String runId,
        boolean overwrite,
        ScoredInputs.Key incremental) {

    /** Scores {@code inputs} into a new (or, with {@code overwrite}, replaced) output. */
    public ScoreRequest(
            List<String> inputs, String output, String modelDir, String runId, boolean overwrite) {
        this(inputs, null, output, modelDir, runId, overwrite, null);
    }
}
