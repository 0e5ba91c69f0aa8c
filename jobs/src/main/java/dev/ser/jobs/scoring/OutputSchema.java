package dev.ser.jobs.scoring;

import java.util.List;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * The score job's tables. Probabilities are a struct with one field per model label, so
 * Spark SQL reads them by name: {@code probabilities.anger}.
 */
public final class OutputSchema {
    private OutputSchema() {
    }

    public static StructType probabilities(List<String> labels) {
        StructField[] fields = labels.stream()
                .map(l -> new StructField(l, DataTypes.FloatType, false, Metadata.empty()))
                .toArray(StructField[]::new);
        return new StructType(fields);
    }

    /** One row per window: what {@code OUT/windows/} holds, less the recording's columns. */
    public static StructType window(List<String> labels) {
        return new StructType()
                .add("window_index", DataTypes.IntegerType, false)
                .add("start_seconds", DataTypes.DoubleType, false)
                .add("end_seconds", DataTypes.DoubleType, false)
                .add("speech_seconds", DataTypes.DoubleType, false)
                .add("probabilities", probabilities(labels), false);
    }

    /** What a task returns per recording: the recordings row plus its windows. */
    public static StructType scored(List<String> labels) {
        return scored(labels, new StructField[0]);
    }

    /** The same, followed by the columns a manifest carries. */
    public static StructType scored(List<String> labels, StructField[] extras) {
        StructType t = new StructType()
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
                .add("windows", DataTypes.createArrayType((DataType) window(labels), false), false);
        for (StructField f : extras) {
            t = t.add(f.name(), f.dataType(), true);
        }
        return t;
    }
}
