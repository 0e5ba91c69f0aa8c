package dev.ser.jobs.score;

import java.util.List;

/**
 * One run of the score job.
 *
 * @param inputs    files, directories (read recursively) or globs, any Hadoop paths
 * @param output    the output directory
 * @param modelDir  the model directory, or null for the default model
 * @param runId     the run's id, written in every row
 * @param overwrite replace an existing output instead of refusing
 */
public record ScoreRequest(List<String> inputs, String output, String modelDir, String runId, boolean overwrite) {
}
