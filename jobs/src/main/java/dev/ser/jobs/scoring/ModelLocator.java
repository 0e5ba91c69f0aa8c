package dev.ser.jobs.scoring;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.pipeline.model.InvalidModelException;
import dev.ser.pipeline.model.ModelPackage;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Finds the model a job runs: a directory given by the user (any Hadoop path: local, {@code
 * hdfs://}, {@code s3a://}), or the default model carried in the jar.
 */
public final class ModelLocator {
    /** Where the jar carries the default model (copied from {@code model/} at build time). */
    public static final String BUNDLED = "/ser-models/default/";

    private ModelLocator() {}

    public static ModelPackage load(String dir, Configuration conf) {
        if (dir == null) {
            return ModelPackage.of(
                    "bundled default model",
                    resource(ModelPackage.MANIFEST_FILE),
                    resource(ModelPackage.GRAPH_FILE));
        }
        Path root = new Path(dir);
        try {
            FileSystem fs = root.getFileSystem(conf);
            if (!fs.isDirectory(root)) {
                throw new InvalidModelException(
                        "model directory "
                                + dir
                                + " does not exist; pass --model DIR with "
                                + "a directory holding "
                                + ModelPackage.GRAPH_FILE
                                + " and "
                                + ModelPackage.MANIFEST_FILE
                                + ", or leave --model out for the default model");
            }
            return ModelPackage.of(
                    dir,
                    read(fs, new Path(root, ModelPackage.MANIFEST_FILE)),
                    read(fs, new Path(root, ModelPackage.GRAPH_FILE)));
        } catch (IOException e) {
            throw new ConfigurationException(
                    "cannot read model directory " + dir + ": " + e.getMessage());
        }
    }

    private static byte[] read(FileSystem fs, Path file) throws IOException {
        if (!fs.isFile(file)) {
            throw new InvalidModelException(
                    "model directory " + file.getParent() + " has no " + file.getName());
        }
        try (InputStream in = fs.open(file)) {
            return in.readAllBytes();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = ModelLocator.class.getResourceAsStream(BUNDLED + name)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the jar carries no default model (" + BUNDLED + name + ")");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
