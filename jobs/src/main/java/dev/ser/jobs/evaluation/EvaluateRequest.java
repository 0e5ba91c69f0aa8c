package dev.ser.jobs.evaluation;

import dev.ser.jobs.corpus.CorpusSpec;
import java.util.List;

/**
 * One run of the evaluate job.
 *
 * @param corpora the corpora, each with its root
 * @param model a model directory, or a pattern with {@code {fold}} (1-based) naming one directory
 *     per fold, whose test speakers it scores; null for the default model
 * @param output the output directory
 * @param folds speaker folds for corpora not folded by session (IEMOCAP is)
 * @param foldPlots also draw a confusion matrix per fold
 */
public record EvaluateRequest(
        List<CorpusSpec> corpora,
        String model,
        String output,
        int folds,
        boolean foldPlots,
        String runId,
        boolean overwrite) {}
