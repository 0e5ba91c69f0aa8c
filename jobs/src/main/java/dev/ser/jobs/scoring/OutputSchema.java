package dev.ser.jobs.scoring;

import dev.ser.jobs.input.InputColumns;
import dev.ser.jobs.spark.RowBuilder;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.model.ModelPackage;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The score job's tables. Probabilities are a struct with one field per model label, so Spark SQL
 * reads them by name: {@code probabilities.anger}.
 */
public final class OutputSchema {
    private OutputSchema() {}

    public static StructType probabilities(List<String> labels) {
        StructField[] fields =
                labels.stream()
                        .map(l -> new StructField(l, DataTypes.FloatType, false, Metadata.empty()))
                        .toArray(StructField[]::new);
        return new StructType(fields);
    }

    /** One row per window: what {@code OUT/windows/} holds, less the recording's columns. */
    public static StructType window(List<String> labels) {
        return window(labels, false);
    }

    /**
     * The same; {@code withFeatures} adds the window's pooled features, which tasks return for
     * archive normalisation ({@link ArchiveNormalisedScores}) and the written tables never hold.
     */
    public static StructType window(List<String> labels, boolean withFeatures) {
        StructType t =
                new StructType()
                        .add("window_index", DataTypes.IntegerType, false)
                        .add("start_seconds", DataTypes.DoubleType, false)
                        .add("end_seconds", DataTypes.DoubleType, false)
                        .add("speech_seconds", DataTypes.DoubleType, false)
                        .add("probabilities", probabilities(labels), false);
        return withFeatures
                ? t.add(FEATURES, DataTypes.createArrayType(DataTypes.FloatType, false), true)
                : t;
    }

    /** The window field tasks fill for archive normalisation. */
    public static final String FEATURES = "features";

    /** What a task returns per recording: the recordings row plus its windows. */
    public static StructType scored(List<String> labels) {
        return scored(labels, new StructField[0]);
    }

    /** The same, followed by the columns a manifest carries. */
    public static StructType scored(List<String> labels, StructField[] extras) {
        return scored(labels, extras, false);
    }

    /** The same, with each window's features when {@code withFeatures}. */
    public static StructType scored(
            List<String> labels, StructField[] extras, boolean withFeatures) {
        StructType t =
                new StructType()
                        .add("path", DataTypes.StringType, false)
                        .add("recording_id", DataTypes.StringType, false)
                        .add("status", DataTypes.StringType, false)
                        .add("error", DataTypes.StringType, true)
                        .add("duration_seconds", DataTypes.DoubleType, true)
                        .add("speech_seconds", DataTypes.DoubleType, true)
                        .add("window_count", DataTypes.IntegerType, false)
                        .add("source_sample_rate", DataTypes.IntegerType, true)
                        .add("source_channels", DataTypes.IntegerType, true)
                        .add("size_bytes", DataTypes.LongType, false)
                        .add("modification_time", DataTypes.TimestampType, true)
                        .add("probabilities", probabilities(labels), true)
                        .add("emotion", DataTypes.StringType, true)
                        .add("confidence", DataTypes.DoubleType, true)
                        .add("arousal", DataTypes.StringType, true)
                        .add("model_name", DataTypes.StringType, false)
                        .add("model_sha256", DataTypes.StringType, false)
                        .add("model_trained", DataTypes.BooleanType, false)
                        .add("run_id", DataTypes.StringType, false)
                        .add(
                                "windows",
                                DataTypes.createArrayType(
                                        (DataType) window(labels, withFeatures), false),
                                false);
        for (StructField f : extras) {
            t = t.add(f.name(), f.dataType(), true);
        }
        return t;
    }

    /**
     * One scored row of {@code schema} (a {@link #scored} schema): the recording's result, the
     * model and run, its windows, and the listing row's extra (manifest) columns by name.
     */
    public static Row scoredRow(
            StructType schema,
            Row listed,
            String path,
            long size,
            Object modified,
            RecordingResult r,
            ModelPackage model,
            String runId) {
        ModelManifest manifest = model.manifest();
        boolean ok = r.emotion() != null;
        List<Row> windows = windowRows(schema, r.windows());
        RowBuilder row =
                new RowBuilder(schema)
                        .set("path", path)
                        .set("recording_id", RecordingId.of(path))
                        .set("status", r.status().label())
                        .set("error", r.error())
                        .set("duration_seconds", finite(r.durationSeconds()))
                        .set("speech_seconds", finite(r.speechSeconds()))
                        .set("window_count", r.windows().size())
                        .set(
                                "source_sample_rate",
                                r.sourceSampleRate() > 0 ? r.sourceSampleRate() : null)
                        .set("source_channels", r.sourceChannels() > 0 ? r.sourceChannels() : null)
                        .set("size_bytes", size)
                        .set("modification_time", modified)
                        .set(
                                "probabilities",
                                ok ? probabilities(r.emotion().probabilities()) : null)
                        .set("emotion", ok ? r.emotion().emotion() : null)
                        .set("confidence", ok ? r.emotion().confidence() : null)
                        .set("arousal", ok ? r.emotion().arousal() : null)
                        .set("model_name", manifest.displayName())
                        .set("model_sha256", model.sha256())
                        .set("model_trained", manifest.trained())
                        .set("run_id", runId)
                        .set(
                                "windows",
                                CollectionConverters.asScala(
                                        windows)); // Spark's Row arrays are Scala Seqs
        for (String column : schema.fieldNames()) {
            if (listed.schema().getFieldIndex(column).isDefined()
                    && !InputColumns.isListingColumn(column)) {
                row.set(column, listed.getAs(column));
            }
        }
        return row.build();
    }

    /** Window rows for the {@code windows} column of {@code schema} (features when it has them). */
    static List<Row> windowRows(StructType schema, List<WindowScore> scores) {
        StructType window =
                (StructType) ((ArrayType) schema.apply("windows").dataType()).elementType();
        boolean withFeatures = window.getFieldIndex(FEATURES).isDefined();
        List<Row> windows = new ArrayList<>(scores.size());
        for (WindowScore w : scores) {
            List<Object> values =
                    new ArrayList<>(
                            List.of(
                                    w.index(),
                                    w.startSeconds(),
                                    w.endSeconds(),
                                    w.speechSeconds(),
                                    probabilities(w.probabilities())));
            if (withFeatures) {
                values.add(w.features());
            }
            windows.add(RowFactory.create(values.toArray()));
        }
        return windows;
    }

    static Row probabilitiesRow(float[] p) {
        return probabilities(p);
    }

    private static Double finite(double v) {
        return Double.isFinite(v) ? v : null;
    }

    private static Row probabilities(float[] p) {
        Object[] values = new Object[p.length];
        for (int i = 0; i < p.length; i++) {
            values[i] = p[i];
        }
        return RowFactory.create(values);
    }
}
