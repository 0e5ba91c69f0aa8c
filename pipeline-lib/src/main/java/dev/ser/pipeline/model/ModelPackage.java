package dev.ser.pipeline.model;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A model as it travels: the manifest's bytes and the ONNX graph's bytes, checked against each
 * other (SHA-256). Serializable, so a job reads it once on the driver and ships it to every
 * executor, which needs no access to the model's directory.
 */
public final class ModelPackage implements Serializable {
    public static final String GRAPH_FILE = "model.onnx";
    public static final String MANIFEST_FILE = "model.json";
    private static final long serialVersionUID = 1L;

    private final String source;
    private final byte[] manifestJson;
    private final byte[] onnx;
    private final String sha256;
    private transient ModelManifest manifest;

    private ModelPackage(String source, byte[] manifestJson, byte[] onnx) {
        this.source = source;
        this.manifestJson = manifestJson;
        this.onnx = onnx;
        this.sha256 = sha256(onnx);
        manifest();
    }

    /** Checks the bytes of a model directory read from anywhere (local disk, HDFS, S3). */
    public static ModelPackage of(String source, byte[] manifestJson, byte[] onnx) {
        return new ModelPackage(source, manifestJson, onnx);
    }

    /** Reads and checks a local model directory. */
    public static ModelPackage load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new InvalidModelException(
                    "model directory "
                            + dir
                            + " does not exist; pass --model DIR "
                            + "with a directory holding "
                            + GRAPH_FILE
                            + " and "
                            + MANIFEST_FILE);
        }
        return of(dir.toString(), read(dir.resolve(MANIFEST_FILE)), read(dir.resolve(GRAPH_FILE)));
    }

    private static byte[] read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidModelException(
                    "model directory " + file.getParent() + " has no " + file.getFileName());
        }
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new InvalidModelException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    public ModelManifest manifest() {
        if (manifest == null) {
            ModelManifest m = ModelManifest.parse(manifestJson, source + "/" + MANIFEST_FILE);
            if (!m.onnxSha256().equals(sha256)) {
                throw new InvalidModelException(
                        source
                                + "/"
                                + GRAPH_FILE
                                + " has SHA-256 "
                                + sha256
                                + " but "
                                + MANIFEST_FILE
                                + " says "
                                + m.onnxSha256()
                                + ": the manifest belongs to another graph; re-export the model or correct onnx_sha256");
            }
            manifest = m;
        }
        return manifest;
    }

    public String source() {
        return source;
    }

    public String sha256() {
        return sha256;
    }

    /**
     * The graph and its manifest together (SHA-256 of each): what a shared session is keyed by,
     * since one graph may come with different manifests (labels, preprocessing).
     */
    public String identity() {
        return sha256 + ":" + sha256(manifestJson);
    }

    byte[] onnx() {
        return onnx;
    }

    /** Size of the ONNX graph file in bytes. */
    public long onnxBytes() {
        return onnx.length;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
