package dev.ser.jobs.corpus;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.pipeline.corpus.AsedReader;
import dev.ser.pipeline.corpus.CorpusReader;
import dev.ser.pipeline.corpus.CremaDReader;
import dev.ser.pipeline.corpus.EmoDbReader;
import dev.ser.pipeline.corpus.IemocapReader;
import dev.ser.pipeline.corpus.LabelMap;
import dev.ser.pipeline.corpus.LabelledManifestReader;
import dev.ser.pipeline.corpus.NemoReader;
import dev.ser.pipeline.corpus.RavdessReader;
import java.nio.file.Path;

/**
 * A corpus to evaluate on or train from: its kind, where it lies, and the reader options.
 *
 * @param name {@code ravdess}, {@code crema-d}, {@code iemocap}, {@code emodb}, {@code nemo},
 *     {@code ased}, or {@code manifest} for a user's labelled manifest
 * @param root the corpus's root directory (EmoDB: the folder holding its audio; a manifest: its
 *     file)
 */
public record CorpusSpec(String name, Path root, ReaderOptions options) {
    static final String KINDS = "ravdess, crema-d, iemocap, emodb, nemo, ased or manifest";

    /** The readers' options, common to a run. */
    public record ReaderOptions(
            boolean ravdessCalmAsNeutral,
            CremaDReader.LabelSource cremaLabel,
            boolean iemocapMergeExcited,
            LabelMap labelMap) {}

    public CorpusReader reader() {
        return switch (name) {
            case "ravdess" -> new RavdessReader(options.ravdessCalmAsNeutral());
            case "crema-d" -> new CremaDReader(options.cremaLabel());
            case "iemocap" -> new IemocapReader(options.iemocapMergeExcited());
            case "emodb" -> new EmoDbReader();
            case "nemo" -> new NemoReader();
            case "ased" -> new AsedReader();
            case "manifest" -> {
                String corpus = LabelledManifestReader.corpusName(root.toString());
                LabelledManifestReader csv = new LabelledManifestReader(corpus, options.labelMap());
                String file = root.toString();
                yield file.endsWith(".parquet") || java.nio.file.Files.isDirectory(root)
                        ? new ParquetLabelledManifest(csv)
                        : csv;
            }
            default ->
                    throw new ConfigurationException(
                            "unknown corpus '" + name + "'; --corpus is one of " + KINDS);
        };
    }
}
