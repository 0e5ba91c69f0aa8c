package dev.ser.jobs.input;

import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The columns of a listing, the rows scoring reads: one per input file (or corpus clip). A
 * manifest's own columns may follow; readers take these by name.
 */
public final class InputColumns {
    public static final String PATH = "path";
    public static final String LENGTH = "length";
    public static final String MODIFICATION_TIME = "modification_time";

    public static final StructType SCHEMA =
            new StructType()
                    .add(PATH, DataTypes.StringType, false)
                    .add(LENGTH, DataTypes.LongType, false)
                    .add(MODIFICATION_TIME, DataTypes.TimestampType, true);

    private InputColumns() {}

    /** Whether {@code column} is one of the listing's own columns. */
    public static boolean isListingColumn(String column) {
        return SCHEMA.getFieldIndex(column).isDefined();
    }
}
