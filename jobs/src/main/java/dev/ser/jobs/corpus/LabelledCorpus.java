package dev.ser.jobs.corpus;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.pipeline.corpus.CorpusListing;
import dev.ser.pipeline.corpus.LabelledClip;
import dev.ser.pipeline.corpus.LeaveSpeakersOutFolds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A corpus as evaluation and training preparation read it: its listing and its speakers' folds
 * (1-based), with its 4-class clips as rows for Spark.
 */
public record LabelledCorpus(CorpusSpec spec, CorpusListing listing, Map<String, Integer> folds) {
    private static final Logger LOG = LoggerFactory.getLogger(LabelledCorpus.class);

    /** Columns of {@link #clipRows}: a listing (path, length, time) plus the clip's labels. */
    public static final StructType CLIPS =
            new StructType()
                    .add("path", DataTypes.StringType, false)
                    .add("length", DataTypes.LongType, false)
                    .add("modification_time", DataTypes.TimestampType, false)
                    .add("corpus", DataTypes.StringType, false)
                    .add("speaker", DataTypes.StringType, false)
                    .add("gender", DataTypes.StringType, false)
                    .add("fold", DataTypes.IntegerType, false)
                    .add("label", DataTypes.StringType, false)
                    .add("corpus_label", DataTypes.StringType, false)
                    .add(
                            "facts",
                            DataTypes.createMapType(DataTypes.StringType, DataTypes.StringType),
                            false);

    /** Reads each corpus and assigns its folds; a corpus without 4-class clips is an error. */
    public static List<LabelledCorpus> read(List<CorpusSpec> specs, int folds) throws IOException {
        List<LabelledCorpus> corpora = new ArrayList<>();
        for (CorpusSpec spec : specs) {
            CorpusListing listing = spec.reader().read(spec.root());
            List<LabelledClip> used = listing.used();
            if (used.isEmpty()) {
                throw new ConfigurationException(
                        spec.name() + " at " + spec.root() + " has no clip in the 4 classes");
            }
            Map<String, Integer> byFold;
            try {
                byFold = new java.util.TreeMap<>();
                LeaveSpeakersOutFolds.assign(used, folds).forEach((s, f) -> byFold.put(s, f + 1));
            } catch (IllegalArgumentException e) {
                throw new ConfigurationException(
                        spec.name() + ": " + e.getMessage() + "; lower --folds");
            }
            LOG.info(
                    "{}: {} clips, {} in the 4 classes, excluded {}",
                    listing.corpus(),
                    listing.clips().size(),
                    used.size(),
                    listing.excludedByCorpusLabel());
            corpora.add(new LabelledCorpus(spec, listing, byFold));
        }
        return corpora;
    }

    /** The corpus's name in outputs: the kind, or a manifest's file name. */
    public String name() {
        return listing.corpus();
    }

    public int foldCount() {
        return (int) folds.values().stream().distinct().count();
    }

    /** The 4-class clips as {@link #CLIPS} rows. */
    public static List<Row> clipRows(List<LabelledCorpus> corpora) throws IOException {
        List<Row> rows = new ArrayList<>();
        for (LabelledCorpus c : corpora) {
            for (LabelledClip clip : c.listing().used()) {
                Path p = Path.of(clip.path());
                boolean exists = Files.exists(p);
                // the same form as a Hadoop listing's paths (file:/...), so outputs join alike
                rows.add(
                        RowFactory.create(
                                p.toUri().toString().replaceFirst("^file:///", "file:/"),
                                exists ? Files.size(p) : 0L,
                                new Timestamp(
                                        exists ? Files.getLastModifiedTime(p).toMillis() : 0L),
                                c.name(),
                                clip.speaker(),
                                clip.gender(),
                                c.folds().get(clip.speaker()),
                                clip.label(),
                                clip.corpusLabel(),
                                scala.jdk.javaapi.CollectionConverters.asScala(clip.facts())));
            }
        }
        return rows;
    }
}
