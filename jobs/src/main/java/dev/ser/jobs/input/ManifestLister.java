package dev.ser.jobs.input;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.spark.HadoopConf;
import java.io.IOException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Lists the recordings a manifest names: a CSV file (with a header line) or a Parquet file or
 * directory, with a {@code path} column and any others, which are carried through to the output
 * rows so results join back to the user's own ids. Relative paths are resolved against the
 * manifest's directory. Files are looked up by tasks; one that does not exist is still listed, and
 * becomes an error row.
 */
public final class ManifestLister {

    private ManifestLister() {}

    /**
     * The manifest's recordings as listing rows, followed by its other columns.
     *
     * @param outputColumns the columns the job writes, which a manifest column must not shadow
     */
    public static Dataset<Row> list(
            SparkSession spark, String manifest, Configuration conf, List<String> outputColumns) {
        Path file = new Path(manifest);
        Dataset<Row> rows;
        try {
            FileSystem fs = file.getFileSystem(conf);
            if (!fs.exists(file)) {
                throw new ConfigurationException(
                        "manifest " + manifest + " does not exist; check --manifest");
            }
            boolean parquet = manifest.endsWith(".parquet") || fs.getFileStatus(file).isDirectory();
            rows =
                    parquet
                            ? spark.read().parquet(manifest)
                            : spark.read()
                                    .option("header", "true")
                                    .option("mode", "FAILFAST")
                                    .csv(manifest);
            file = fs.makeQualified(file);
        } catch (IOException e) {
            throw new ConfigurationException(
                    "cannot read manifest " + manifest + ": " + e.getMessage());
        }
        StructType schema = rows.schema();
        if (!Arrays.asList(schema.fieldNames()).contains(InputColumns.PATH)) {
            throw new ConfigurationException(
                    "manifest "
                            + manifest
                            + " has no '"
                            + InputColumns.PATH
                            + "' column (its columns: "
                            + String.join(", ", schema.fieldNames())
                            + "); name the recordings' column 'path'"
                            + (manifest.endsWith(".parquet") ? "" : " in the CSV's header line"));
        }
        Set<String> taken = new TreeSet<>(outputColumns);
        List<StructField> extras = new ArrayList<>();
        for (StructField f : schema.fields()) {
            if (f.name().equals(InputColumns.PATH)) {
                continue;
            }
            if (taken.contains(f.name()) || InputColumns.isListingColumn(f.name())) {
                throw new ConfigurationException(
                        "manifest column '"
                                + f.name()
                                + "' has the name of a column the job"
                                + " writes; rename it (taken: "
                                + String.join(", ", taken)
                                + ", length)");
            }
            extras.add(f);
        }
        StructType listing = InputColumns.SCHEMA;
        for (StructField f : extras) {
            listing = listing.add(f.name(), f.dataType(), true);
        }
        List<String> columns = new ArrayList<>();
        columns.add(InputColumns.PATH);
        extras.forEach(f -> columns.add(f.name()));
        Broadcast<HadoopConf> hadoop =
                org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .broadcast(new HadoopConf(conf));
        return rows.selectExpr(columns.stream().map(c -> "`" + c + "`").toArray(String[]::new))
                .map(new Stat(hadoop, file.getParent().toString()), Encoders.row(listing));
    }

    /** Looks each path up: its qualified name, length and time (0 and null when it is missing). */
    private static final class Stat implements MapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;
        private final Broadcast<HadoopConf> hadoop;
        private final String base;

        Stat(Broadcast<HadoopConf> hadoop, String base) {
            this.hadoop = hadoop;
            this.base = base;
        }

        @Override
        public Row call(Row m) {
            Object[] values = new Object[m.length() + 2];
            Object path = m.getAs(InputColumns.PATH);
            String name = path == null ? "" : path.toString().trim();
            values[0] = name;
            values[1] = 0L;
            if (!name.isEmpty()) {
                try {
                    Path p = new Path(name);
                    if (!p.isAbsolute() && p.toUri().getScheme() == null) {
                        p = new Path(new Path(base), name);
                    }
                    FileSystem fs = p.getFileSystem(hadoop.value().get());
                    p = fs.makeQualified(p);
                    values[0] = p.toString();
                    FileStatus s = fs.getFileStatus(p);
                    values[1] = s.getLen();
                    values[2] = new Timestamp(s.getModificationTime());
                } catch (IOException | IllegalArgumentException e) {
                    // missing or malformed: listed anyway, and scoring reports why in its error row
                }
            }
            for (int i = 1; i < m.length(); i++) {
                values[2 + i] = m.get(i);
            }
            return RowFactory.create(values);
        }
    }
}
