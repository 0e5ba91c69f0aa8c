package dev.ser.jobs.scoring;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.input.InputColumns;
import dev.ser.jobs.spark.HadoopConf;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The ledger of listed inputs each run scored, {@code OUT/inputs/}: path, size, modification time,
 * content hash (when asked for), model and run. It is written last, after a run's recordings and
 * windows, so it only names finished runs: an incremental run skips the inputs it holds for the
 * same model, and first removes the partitions of runs it does not name (a run that died half-way),
 * so no recording is ever scored into the output twice.
 */
public final class ScoredInputs {
    static final String DIR = "inputs";
    static final String HASH = "content_sha256";

    /** How an incremental run recognises an input it has scored before. */
    public enum Key {
        /** the same path, size and modification time */
        STAT,
        /** the same content (SHA-256), wherever it now lies */
        HASH
    }

    private ScoredInputs() {}

    /**
     * The listing with a {@value #HASH} column: computed by tasks for {@link Key#HASH}, null
     * otherwise.
     */
    static Dataset<Row> keyed(
            SparkSession spark, Dataset<Row> listing, Key key, Configuration conf) {
        if (key != Key.HASH) {
            return listing.withColumn(HASH, lit(null).cast(DataTypes.StringType));
        }
        Broadcast<HadoopConf> hadoop =
                JavaSparkContext.fromSparkContext(spark.sparkContext())
                        .broadcast(new HadoopConf(conf));
        StructType schema = listing.schema().add(HASH, DataTypes.StringType, true);
        return listing.map(
                (MapFunction<Row, Row>)
                        r -> {
                            Object[] values = Arrays.copyOf(rowValues(r), r.length() + 1);
                            values[r.length()] =
                                    sha256(r.getAs(InputColumns.PATH), hadoop.value().get());
                            return RowFactory.create(values);
                        },
                Encoders.row(schema));
    }

    private static Object[] rowValues(Row r) {
        return scala.jdk.javaapi.CollectionConverters.asJava(r.toSeq()).toArray();
    }

    /** Hex SHA-256 of a file's bytes, or null when it cannot be read (scoring reports why). */
    private static String sha256(String path, Configuration conf) {
        try {
            Path p = new Path(URI.create(path));
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[1 << 16];
            try (InputStream in = p.getFileSystem(conf).open(p)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    digest.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException | RuntimeException | java.security.NoSuchAlgorithmException e) {
            return null;
        }
    }

    /**
     * Makes {@code out} ready for an incremental run: removes unfinished runs' partitions and
     * returns the finished runs' inputs for {@code modelSha256} (empty on a first run).
     */
    static Dataset<Row> previous(
            SparkSession spark, Path out, String modelSha256, String runId, Configuration conf) {
        try {
            FileSystem fs = out.getFileSystem(conf);
            Path ledger = new Path(out, DIR);
            if (!fs.exists(out)) {
                return null;
            }
            if (!fs.exists(ledger)) {
                if (fs.exists(new Path(out, "recordings"))) {
                    throw new ConfigurationException(
                            "output "
                                    + out
                                    + " holds recordings but no "
                                    + DIR
                                    + "/ ledger (an older or foreign output); choose another --output for incremental runs");
                }
                return null;
            }
            Dataset<Row> all = spark.read().parquet(ledger.toString());
            Set<String> finished = new HashSet<>();
            for (Row r : all.select("run_id").distinct().collectAsList()) {
                finished.add(r.getAs("run_id"));
            }
            if (finished.contains(runId)) {
                throw new ConfigurationException(
                        "run id "
                                + runId
                                + " is already in "
                                + out
                                + "; leave --run-id out or give a new one");
            }
            for (String table : new String[] {"recordings", "windows"}) {
                Path dir = new Path(out, table);
                if (!fs.exists(dir)) {
                    continue;
                }
                for (FileStatus part : fs.listStatus(dir)) {
                    String name = part.getPath().getName();
                    if (part.isDirectory()
                            && name.startsWith("run_id=")
                            && !finished.contains(unescape(name.substring("run_id=".length())))) {
                        fs.delete(part.getPath(), true); // a run that died before its ledger entry
                    }
                }
            }
            return all.filter(col("model_sha256").equalTo(modelSha256));
        } catch (IOException e) {
            throw new ConfigurationException(
                    "cannot read the output " + out + " for an incremental run: " + e.getMessage());
        }
    }

    private static String unescape(String partitionValue) {
        return org.apache.spark.sql.catalyst.catalog.ExternalCatalogUtils.unescapePathName(
                partitionValue);
    }

    /** The keyed listing less the inputs {@code previous} (earlier runs' ledger rows) holds. */
    static Dataset<Row> notScored(Dataset<Row> keyed, Dataset<Row> previous, Key key) {
        Dataset<Row> p =
                previous.select(
                        col("path").as("p_path"),
                        col("size_bytes").as("p_size"),
                        col("modification_time").as("p_time"),
                        col(HASH).as("p_hash"));
        return key == Key.HASH
                ? keyed.join(p, keyed.col(HASH).equalTo(p.col("p_hash")), "left_anti")
                : keyed.join(
                        p,
                        keyed.col("path")
                                .equalTo(p.col("p_path"))
                                .and(keyed.col("length").equalTo(p.col("p_size")))
                                .and(keyed.col("modification_time").eqNullSafe(p.col("p_time"))),
                        "left_anti");
    }

    /**
     * Appends this run's inputs to the ledger: the last write of a run. Spark re-caches every plan
     * that reads a path it writes, so after this the run's own plans (which read the ledger to
     * leave inputs out) would come out empty: nothing may use them afterwards.
     */
    static void append(Dataset<Row> keyed, Path out, String modelSha256, String runId) {
        keyed.select(
                        col("path"),
                        col("length").as("size_bytes"),
                        col("modification_time"),
                        col(HASH),
                        lit(modelSha256).as("model_sha256"),
                        lit(runId).as("run_id"))
                .coalesce(1)
                .write()
                .mode("append")
                .parquet(new Path(out, DIR).toString());
    }
}
