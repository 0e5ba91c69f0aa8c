package dev.ser.jobs.corpus;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.pipeline.corpus.LabelMap;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** One {@code --corpus NAME --root DIR} pair of a command line (repeatable as a picocli group). */
public final class CorpusArgs {
    @Option(
            names = "--corpus",
            required = true,
            paramLabel = "NAME",
            description = {
                "ravdess, crema-d, iemocap, emodb, nemo, ased, or manifest for your own labelled",
                "recordings (repeat --corpus/--root for several)."
            })
    String name;

    @Option(
            names = "--root",
            required = true,
            paramLabel = "DIR",
            description = {
                "The corpus directory in its published layout (EmoDB: the folder of its audio); for",
                "manifest, a CSV or Parquet file with path, label, speaker and optional gender columns."
            })
    Path root;

    /**
     * The {@code --label-map} of a command line (identity when absent); a bad one is a
     * configuration error.
     */
    public static LabelMap labelMap(String spec) {
        try {
            return spec == null ? LabelMap.IDENTITY : LabelMap.parse(spec);
        } catch (IllegalArgumentException e) {
            throw new ConfigurationException("--label-map: " + e.getMessage());
        }
    }

    public CorpusSpec spec(CorpusSpec.ReaderOptions options) {
        CorpusSpec spec = new CorpusSpec(name, root, options);
        spec.reader(); // an unknown corpus name fails here, before Spark starts
        return spec;
    }
}
