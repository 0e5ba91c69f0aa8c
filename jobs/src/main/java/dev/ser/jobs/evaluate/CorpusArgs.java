package dev.ser.jobs.evaluate;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** One {@code --corpus NAME --root DIR} pair of a command line (repeatable as a picocli group). */
public final class CorpusArgs {
    @Option(names = "--corpus", required = true, paramLabel = "NAME",
            description = "ravdess, crema-d, iemocap or emodb (repeat --corpus/--root for several).")
    String name;

    @Option(names = "--root", required = true, paramLabel = "DIR",
            description = "The corpus directory in its published layout (EmoDB: the folder of its audio).")
    Path root;

    public CorpusSpec spec(CorpusSpec.ReaderOptions options) {
        CorpusSpec spec = new CorpusSpec(name, root, options);
        spec.reader(); // an unknown corpus name fails here, before Spark starts
        return spec;
    }
}
