package dev.ser.jobs.config;

import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.archive.ArchiveLimits;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;

/**
 * The jobs' settings: the defaults in {@code conf/ser.properties} (carried in the jar), then a
 * user's {@code --conf FILE} on top. {@code spark.*} keys go to Spark; {@code ser.*} keys are
 * checked here, and an unknown or malformed one is a {@link ConfigurationException}.
 */
public final class JobSettings {
    public static final String DEFAULTS_RESOURCE = "/ser-conf/ser.properties";
    private static final Set<String> KNOWN =
            Set.of(
                    "ser.batch-size",
                    "ser.vad",
                    "ser.window.hop-seconds",
                    "ser.window.min-last-seconds",
                    "ser.aggregate.weight-by-speech",
                    "ser.onnx.intra-op-threads",
                    "ser.recordings-per-partition",
                    "ser.archive.max-entry-bytes",
                    "ser.archive.max-ratio",
                    "ser.progress-seconds",
                    "ser.feature-normalisation");

    private final Map<String, String> values;

    private JobSettings(Map<String, String> values) {
        this.values = values;
    }

    /** The defaults, overridden by {@code userFile} when it is not null. */
    public static JobSettings load(Path userFile) {
        Map<String, String> values = new TreeMap<>();
        try (InputStream in = JobSettings.class.getResourceAsStream(DEFAULTS_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(DEFAULTS_RESOURCE + " is missing from the jar");
            }
            read(in, values);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        if (userFile != null) {
            if (!Files.isRegularFile(userFile)) {
                throw new ConfigurationException(
                        "--conf "
                                + userFile
                                + " does not exist; pass a properties file "
                                + "(see conf/ser.properties for the keys)");
            }
            try (InputStream in = Files.newInputStream(userFile)) {
                read(in, values);
            } catch (IOException e) {
                throw new ConfigurationException(
                        "cannot read --conf " + userFile + ": " + e.getMessage());
            }
        }
        for (String key : values.keySet()) {
            if (!key.startsWith("spark.") && !KNOWN.contains(key)) {
                throw new ConfigurationException(
                        "unknown setting '"
                                + key
                                + "'"
                                + (userFile == null ? "" : " in " + userFile)
                                + "; known settings are spark.* and "
                                + String.join(", ", new java.util.TreeSet<>(KNOWN)));
            }
        }
        JobSettings settings = new JobSettings(values);
        settings.checkValues(); // a malformed value fails here, before Spark starts or an output is
        // touched
        return settings;
    }

    private static void read(InputStream in, Map<String, String> into) throws IOException {
        Properties p = new Properties();
        try (Reader r =
                new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8)) {
            p.load(r);
        }
        p.forEach((k, v) -> into.put(k.toString().trim(), v.toString().trim()));
    }

    private void checkValues() {
        batchSize();
        recordingsPerPartition();
        archiveLimits();
        intraOpThreads();
        scoring();
        progressSeconds();
        archiveNormalisation();
    }

    /**
     * How a model with archive normalisation standardises its features ({@code
     * ser.feature-normalisation}); no effect on other models.
     */
    public enum FeatureNormalisation {
        /** With the statistics of the recordings it scores in the run (the default). */
        ARCHIVE,
        /**
         * Each speaker's windows with that speaker's own statistics (falling back to the run's for
         * speakers of fewer than the model's {@code min_windows} windows): needs to know who
         * speaks, a corpus's speakers or a manifest's {@code speaker} column.
         */
        SPEAKER,
        /** With its training corpora's, so a recording's scores do not depend on the archive. */
        TRAINING
    }

    /** {@code ser.feature-normalisation}: archive (default), speaker or training. */
    public FeatureNormalisation featureNormalisation() {
        String v = values.getOrDefault("ser.feature-normalisation", "archive");
        return switch (v) {
            case "archive" -> FeatureNormalisation.ARCHIVE;
            case "speaker" -> FeatureNormalisation.SPEAKER;
            case "training" -> FeatureNormalisation.TRAINING;
            default ->
                    throw new ConfigurationException(
                            "ser.feature-normalisation="
                                    + v
                                    + " must be 'archive' (standardise with the scored archive's statistics),"
                                    + " 'speaker' (with each speaker's own) or 'training' (with the model's"
                                    + " training statistics)");
        };
    }

    /** Whether a model with archive normalisation standardises with the run's statistics. */
    public boolean archiveNormalisation() {
        return featureNormalisation() != FeatureNormalisation.TRAINING;
    }

    /** Seconds between progress lines on the console; 0 prints none. */
    public double progressSeconds() {
        return values.containsKey("ser.progress-seconds")
                ? nonNegativeDouble("ser.progress-seconds")
                : 5;
    }

    /**
     * The run's {@code ser.*} settings as they take effect: the defaults with the user's file on
     * top.
     */
    public Map<String, String> effective() {
        Map<String, String> ser = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith("ser.")) {
                        ser.put(k, v);
                    }
                });
        return ser;
    }

    /** The {@code spark.*} settings. */
    public Map<String, String> spark() {
        Map<String, String> spark = new TreeMap<>();
        values.forEach(
                (k, v) -> {
                    if (k.startsWith("spark.")) {
                        spark.put(k, v);
                    }
                });
        return spark;
    }

    public int batchSize() {
        return positiveInt("ser.batch-size");
    }

    public int recordingsPerPartition() {
        return positiveInt("ser.recordings-per-partition");
    }

    /** What an archive entry may expand to before it is rejected as a decompression bomb. */
    public ArchiveLimits archiveLimits() {
        ArchiveLimits d = ArchiveLimits.DEFAULT;
        long maxBytes = d.maxEntryBytes();
        if (values.containsKey("ser.archive.max-entry-bytes")) {
            String v = values.get("ser.archive.max-entry-bytes");
            try {
                maxBytes = Long.parseLong(v);
            } catch (NumberFormatException e) {
                maxBytes = -1;
            }
            if (maxBytes <= 0) {
                throw new ConfigurationException(
                        "ser.archive.max-entry-bytes=" + v + " must be a positive number of bytes");
            }
        }
        double ratio =
                values.containsKey("ser.archive.max-ratio")
                        ? number("ser.archive.max-ratio")
                        : d.maxRatio();
        if (!(ratio >= 1)) {
            throw new ConfigurationException(
                    "ser.archive.max-ratio="
                            + values.get("ser.archive.max-ratio")
                            + " must be a number of at least 1");
        }
        return new ArchiveLimits(maxBytes, ratio, d.ratioGraceBytes());
    }

    /** Intra-op threads per task, or null to derive them from the executor. */
    public Integer intraOpThreads() {
        String v = values.getOrDefault("ser.onnx.intra-op-threads", "");
        return v.isEmpty() ? null : positiveInt("ser.onnx.intra-op-threads");
    }

    /** The per-recording settings, on top of the library's defaults. */
    public ScoringConfig scoring() {
        String vad = values.getOrDefault("ser.vad", ScoringConfig.DEFAULT.detector());
        boolean named = ScoringConfig.DETECTORS.contains(vad);
        if (!named && !(vad.endsWith(".onnx") || vad.contains("/"))) {
            throw new ConfigurationException(
                    "ser.vad="
                            + vad
                            + " is not a detector; use one of "
                            + String.join(", ", ScoringConfig.DETECTORS)
                            + ", or the path of a Silero VAD v5 .onnx file");
        }
        String hop = values.getOrDefault("ser.window.hop-seconds", "");
        ScoringConfig d = ScoringConfig.DEFAULT;
        return new ScoringConfig(
                d.vad(),
                named ? vad : "silero",
                named ? null : vad,
                d.cascade(),
                hop.isEmpty() ? null : positiveDouble("ser.window.hop-seconds"),
                values.containsKey("ser.window.min-last-seconds")
                        ? nonNegativeDouble("ser.window.min-last-seconds")
                        : d.minLastWindowSeconds(),
                values.containsKey("ser.aggregate.weight-by-speech")
                        ? bool("ser.aggregate.weight-by-speech")
                        : d.weightBySpeech());
    }

    private int positiveInt(String key) {
        String v = values.get(key);
        try {
            int n = Integer.parseInt(v);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException | NullPointerException e) {
            // fall through to the message
        }
        throw new ConfigurationException(key + "=" + v + " must be a positive whole number");
    }

    private double positiveDouble(String key) {
        double d = number(key);
        if (!(d > 0)) {
            throw new ConfigurationException(
                    key + "=" + values.get(key) + " must be a positive number of seconds");
        }
        return d;
    }

    private double nonNegativeDouble(String key) {
        double d = number(key);
        if (!(d >= 0)) {
            throw new ConfigurationException(key + "=" + values.get(key) + " must not be negative");
        }
        return d;
    }

    private double number(String key) {
        try {
            return Double.parseDouble(values.get(key));
        } catch (NumberFormatException | NullPointerException e) {
            throw new ConfigurationException(key + "=" + values.get(key) + " must be a number");
        }
    }

    private boolean bool(String key) {
        String v = values.get(key);
        if (!v.equals("true") && !v.equals("false")) {
            throw new ConfigurationException(key + "=" + v + " must be true or false");
        }
        return Boolean.parseBoolean(v);
    }
}
