package dev.ser.jobs.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;

import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.spark.RowBuilder;
import dev.ser.pipeline.aggregate.Aggregator;
import dev.ser.pipeline.aggregate.RecordingEmotion;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.model.ArchiveNormalisation;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.normalise.FeatureMoments;
import dev.ser.pipeline.normalise.FeatureStandardisation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Tuple2;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The second pass of a run scored with an archive-normalised model: gathers the pooled features of
 * every window the run scored (one group: the score job's run, or one corpus and model of an
 * evaluation), chooses the statistics to standardise them with ({@link
 * ArchiveNormalisation#standardisation}), and rescores each window and recording with the model's
 * head. Per speaker ({@code ser.feature-normalisation=speaker}), each speaker's windows are
 * standardised with that speaker's statistics ({@link
 * ArchiveNormalisation#speakerStandardisation}), the group's standing in for speakers of too few
 * windows. Rows keep their schema less the windows' features. The heavy work, inference, was done
 * by the first pass; this one is a few dot products per window.
 */
public final class ArchiveNormalisedScores {
    private ArchiveNormalisedScores() {}

    /**
     * The rows to write, and the statistics used (null when the run does not normalise) with the
     * model's {@code min_windows}; per speaker, each speaker's (null when the run standardises the
     * whole group alike).
     */
    public record Result(
            Dataset<Row> rows,
            FeatureStandardisation standardisation,
            int minWindows,
            Map<String, FeatureStandardisation> speakers) {
        /** Rows as they are: a run that does not normalise. */
        public static Result unchanged(Dataset<Row> rows) {
            return new Result(rows, null, 0, null);
        }

        /**
         * What outputs record ({@code feature_normalisation}), or null: per speaker, how many
         * speakers had statistics of their own, and the group's (for the others) beside.
         */
        public Map<String, Object> summary() {
            if (standardisation == null) {
                return null;
            }
            if (speakers == null) {
                return standardisation.toMap(minWindows);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("basis", FeatureStandardisation.Basis.SPEAKER.label());
            m.put("speakers", speakers.size());
            m.put(
                    "speakers_with_own_statistics",
                    speakers.values().stream()
                            .filter(s -> s.basis() == FeatureStandardisation.Basis.SPEAKER)
                            .count());
            m.put("min_windows", minWindows);
            m.put("others", standardisation.toMap(minWindows));
            return m;
        }
    }

    /** Whether a run of {@code model} with {@code settings} normalises per archive. */
    public static boolean applies(ModelManifest model, JobSettings settings) {
        return model.archiveNormalisation() != null && settings.archiveNormalisation();
    }

    /**
     * {@code scored} (rows of {@link OutputSchema#scored} with window features, best cached: it is
     * read twice or three times) rescored with the archive's statistics; runs one Spark action.
     */
    public static Result apply(Dataset<Row> scored, ModelManifest model, boolean weightBySpeech) {
        return apply(scored, model, weightBySpeech, null);
    }

    /**
     * As {@link #apply(Dataset, ModelManifest, boolean)}, each speaker apart when {@code
     * speakerColumn} names the rows' speaker column (a null speaker counts as unknown: the group's
     * statistics); two Spark actions then.
     */
    public static Result apply(
            Dataset<Row> scored,
            ModelManifest model,
            boolean weightBySpeech,
            String speakerColumn) {
        ArchiveNormalisation head = model.archiveNormalisation();
        int dims = head.dimensions();
        Dataset<Row> ok = scored.filter(col("status").equalTo("ok"));
        FeatureMoments moments =
                ok.select(explode(col("windows." + OutputSchema.FEATURES)).as("f"))
                        .javaRDD()
                        .treeAggregate(
                                new FeatureMoments(dims),
                                (m, row) -> m.add(floats(row.getList(0))),
                                FeatureMoments::merge);
        FeatureStandardisation standardisation = head.standardisation(moments);
        Map<String, FeatureStandardisation> speakers = null;
        if (speakerColumn != null) {
            speakers = new TreeMap<>();
            Map<String, FeatureMoments> bySpeaker =
                    ok.filter(col(speakerColumn).isNotNull())
                            .select(
                                    col(speakerColumn).cast("string"),
                                    explode(col("windows." + OutputSchema.FEATURES)))
                            .javaRDD()
                            .mapToPair(r -> new Tuple2<>(r.getString(0), floats(r.getList(1))))
                            .aggregateByKey(
                                    new FeatureMoments(dims),
                                    FeatureMoments::add,
                                    FeatureMoments::merge)
                            .collectAsMap();
            for (Map.Entry<String, FeatureMoments> e : bySpeaker.entrySet()) {
                speakers.put(
                        e.getKey(), head.speakerStandardisation(e.getValue(), standardisation));
            }
        }
        StructType out = withoutFeatures(scored.schema());
        Rescore rescore =
                new Rescore(
                        head,
                        model.labels(),
                        standardisation,
                        speakerColumn,
                        speakers,
                        weightBySpeech,
                        out);
        return new Result(
                scored.map(rescore, Encoders.row(out)),
                standardisation,
                head.minWindows(),
                speakers);
    }

    /** {@code schema} with its windows' features field removed. */
    static StructType withoutFeatures(StructType schema) {
        StructType window =
                (StructType) ((ArrayType) schema.apply("windows").dataType()).elementType();
        StructType plain =
                new StructType(
                        java.util.Arrays.stream(window.fields())
                                .filter(f -> !f.name().equals(OutputSchema.FEATURES))
                                .toArray(StructField[]::new));
        return new StructType(
                java.util.Arrays.stream(schema.fields())
                        .map(
                                f ->
                                        f.name().equals("windows")
                                                ? new StructField(
                                                        f.name(),
                                                        DataTypes.createArrayType(plain, false),
                                                        f.nullable(),
                                                        f.metadata())
                                                : f)
                        .toArray(StructField[]::new));
    }

    private static float[] floats(List<Float> values) {
        float[] f = new float[values.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = values.get(i);
        }
        return f;
    }

    /** One recording's row, rescored. */
    private static final class Rescore implements MapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final ArchiveNormalisation head;
        private final List<String> labels;
        private final FeatureStandardisation standardisation;
        private final String speakerColumn;
        private final Map<String, FeatureStandardisation> speakers;
        private final boolean weightBySpeech;
        private final StructType out;

        Rescore(
                ArchiveNormalisation head,
                List<String> labels,
                FeatureStandardisation standardisation,
                String speakerColumn,
                Map<String, FeatureStandardisation> speakers,
                boolean weightBySpeech,
                StructType out) {
            this.head = head;
            this.labels = List.copyOf(labels);
            this.standardisation = standardisation;
            this.speakerColumn = speakerColumn;
            this.speakers = speakers == null ? null : new HashMap<>(speakers);
            this.weightBySpeech = weightBySpeech;
            this.out = out;
        }

        @Override
        public Row call(Row row) {
            RowBuilder b = new RowBuilder(out);
            for (String name : out.fieldNames()) {
                b.set(name, row.getAs(name));
            }
            List<Row> windows = row.getList(row.fieldIndex("windows"));
            FeatureStandardisation standardisation = this.standardisation;
            if (speakers != null) {
                Object speaker = row.getAs(speakerColumn);
                if (speaker != null) {
                    standardisation =
                            speakers.getOrDefault(speaker.toString(), this.standardisation);
                }
            }
            List<WindowScore> scores = new ArrayList<>(windows.size());
            for (Row w : windows) {
                float[] p =
                        head.probabilities(
                                floats(w.getList(w.fieldIndex(OutputSchema.FEATURES))),
                                standardisation);
                scores.add(
                        new WindowScore(
                                w.getAs("window_index"),
                                w.getAs("start_seconds"),
                                w.getAs("end_seconds"),
                                w.getAs("speech_seconds"),
                                p));
            }
            b.set(
                    "windows",
                    CollectionConverters.asScala(OutputSchema.windowRows(out, scores)).toSeq());
            if (!scores.isEmpty()) {
                RecordingEmotion e = new Aggregator(labels, weightBySpeech).aggregate(scores);
                b.set("probabilities", OutputSchema.probabilitiesRow(e.probabilities()))
                        .set("emotion", e.emotion())
                        .set("confidence", e.confidence())
                        .set("arousal", e.arousal());
            }
            return b.build();
        }
    }
}
