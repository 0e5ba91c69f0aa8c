package dev.ser.jobs.spark;

import dev.ser.jobs.config.JobSettings;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/**
 * The options every Spark job shares (a picocli mixin): where it runs, its settings, its output
 * rule.
 */
public final class SparkJobOptions {
    @Option(
            names = "--master",
            paramLabel = "URL",
            description = "Spark master. Default: what spark-submit set, else embedded local[*].")
    String master;

    @Option(
            names = "--conf",
            paramLabel = "FILE",
            description = "Properties overriding conf/ser.properties.")
    Path conf;

    @Option(
            names = "--overwrite",
            description = "Replace OUT if it exists (otherwise an existing OUT is an error).")
    boolean overwrite;

    public JobSettings settings() {
        return JobSettings.load(conf);
    }

    public boolean overwrite() {
        return overwrite;
    }

    public SparkSession start(String appName, JobSettings settings) {
        return SparkSessions.start(appName, master, settings);
    }
}
