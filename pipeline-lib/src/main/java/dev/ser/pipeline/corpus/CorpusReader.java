package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.file.Path;

/** Reads a labelled corpus in its published layout. */
public interface CorpusReader {

    /** The corpus name used in outputs. */
    String corpus();

    /**
     * Lists the corpus under {@code root}.
     *
     * @throws CorpusFormatException when a label file is missing or malformed (the message names
     *     it)
     */
    CorpusListing read(Path root) throws IOException;
}
