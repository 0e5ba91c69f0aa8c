package dev.ser.jobs.spark;

import java.util.Arrays;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Builds a Spark row by column name against its schema, so that adding or moving a column cannot
 * shift values into the wrong place: a name the schema lacks, or a non-nullable column left unset,
 * fails at once, naming the column. The row carries its schema, so readers get values by name
 * ({@code row.getAs("status")}).
 */
public final class RowBuilder {
    private final StructType schema;
    private final Object[] values;
    private final boolean[] set;

    public RowBuilder(StructType schema) {
        this.schema = schema;
        this.values = new Object[schema.size()];
        this.set = new boolean[schema.size()];
    }

    public RowBuilder set(String column, Object value) {
        int i;
        try {
            i = schema.fieldIndex(column);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "no column '" + column + "' in " + Arrays.toString(schema.fieldNames()));
        }
        values[i] = value;
        set[i] = true;
        return this;
    }

    public Row build() {
        StructField[] fields = schema.fields();
        for (int i = 0; i < fields.length; i++) {
            if (!fields[i].nullable() && (!set[i] || values[i] == null)) {
                throw new IllegalStateException(
                        "column '" + fields[i].name() + "' is not nullable and was not set");
            }
        }
        return new GenericRowWithSchema(values.clone(), schema);
    }
}
