package dev.ser.jobs.evaluate;

import dev.ser.jobs.ConfigurationException;
import dev.ser.pipeline.corpus.CorpusReader;
import dev.ser.pipeline.corpus.CremaDReader;
import dev.ser.pipeline.corpus.EmoDbReader;
import dev.ser.pipeline.corpus.IemocapReader;
import dev.ser.pipeline.corpus.RavdessReader;
import java.nio.file.Path;

/**
 * A corpus to evaluate on: its name, where it lies, and the reader options.
 *
 * @param name  {@code ravdess}, {@code crema-d}, {@code iemocap} or {@code emodb}
 * @param root  the corpus's root directory (EmoDB: the folder holding its audio)
 */
public record CorpusSpec(String name, Path root, ReaderOptions options) {

    /** The readers' options, common to a run. */
    public record ReaderOptions(boolean ravdessCalmAsNeutral, CremaDReader.LabelSource cremaLabel,
                                boolean iemocapMergeExcited) {
    }

    public CorpusReader reader() {
        return switch (name) {
            case "ravdess" -> new RavdessReader(options.ravdessCalmAsNeutral());
            case "crema-d" -> new CremaDReader(options.cremaLabel());
            case "iemocap" -> new IemocapReader(options.iemocapMergeExcited());
            case "emodb" -> new EmoDbReader();
            default -> throw new ConfigurationException("unknown corpus '" + name
                    + "'; --corpus is one of ravdess, crema-d, iemocap, emodb");
        };
    }
}
