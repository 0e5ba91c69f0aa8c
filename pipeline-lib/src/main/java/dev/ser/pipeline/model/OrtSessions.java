package dev.ser.pipeline.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The JVM's ONNX Runtime: one {@link OrtEnvironment}, and one session per model (and thread
 * setting), created on first use and shared by every task in the JVM (sessions are
 * thread-safe for {@code run}). Sessions live until the JVM ends; a shutdown hook closes them.
 */
public final class OrtSessions {
    private static final Map<String, Object> CACHE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(OrtSessions::closeAll, "ort-sessions-close"));
    }

    private OrtSessions() {
    }

    /** The JVM's single environment; created before any session so its settings hold. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /** The JVM's shared emotion model for this package and these options. */
    public static EmotionModel emotionModel(ModelPackage model, OnnxRuntimeOptions options) {
        String key = "ser:" + model.identity() + ":" + options.intraOpThreads() + ":" + options.batchSize();
        return (EmotionModel) CACHE.computeIfAbsent(key, k -> new EmotionModel(model, options));
    }

    /** Any other shared object keyed by the caller (e.g. a VAD session). */
    @SuppressWarnings("unchecked")
    public static <T extends AutoCloseable> T shared(String key, Function<String, T> create) {
        return (T) CACHE.computeIfAbsent(key, create);
    }

    /** Session options with spinning off: idle inference threads must not burn the executor's cores. */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) throws OrtException {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        options.setIntraOpNumThreads(intraOpThreads);
        options.setInterOpNumThreads(1);
        options.addConfigEntry("session.intra_op.allow_spinning", "0");
        options.addConfigEntry("session.inter_op.allow_spinning", "0");
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        return options;
    }

    static void closeAll() {
        for (Object o : CACHE.values()) {
            try {
                ((AutoCloseable) o).close();
            } catch (Exception ignored) {
                // JVM is ending: nothing to do about a failed close
            }
        }
        CACHE.clear();
    }
}
