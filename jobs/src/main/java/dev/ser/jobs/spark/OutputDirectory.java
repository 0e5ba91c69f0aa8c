package dev.ser.jobs.spark;

import dev.ser.jobs.config.ConfigurationException;
import java.io.IOException;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** A job's output directory and run id: shared rules for every job. */
public final class OutputDirectory {
    private OutputDirectory() {}

    /**
     * Makes way for a job's output: an existing {@code out} is an error unless {@code overwrite},
     * when it is deleted. Jobs call this after their inputs are checked, so a bad input leaves
     * nothing behind.
     */
    public static FileSystem prepare(Path out, Configuration hadoop, boolean overwrite) {
        try {
            FileSystem fs = out.getFileSystem(hadoop);
            if (fs.exists(out)) {
                if (!overwrite) {
                    throw new ConfigurationException(
                            "output "
                                    + out
                                    + " already exists; choose another --output "
                                    + "or pass --overwrite to replace it");
                }
                fs.delete(out, true);
            }
            return fs;
        } catch (IOException e) {
            throw new ConfigurationException("cannot use output " + out + ": " + e.getMessage());
        }
    }

    /** A new run id: UTC time and a random suffix, e.g. {@code 20261122T035513Z-6e59aca1}. */
    public static String newRunId() {
        return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                        .format(ZonedDateTime.now(ZoneOffset.UTC))
                + "-"
                + UUID.randomUUID().toString().substring(0, 8);
    }
}
