package dev.ser.pipeline.model;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The JVM's ONNX Runtime: one {@link OrtEnvironment}, and one session per model (and thread
 * setting), created on first use and shared by every task in the JVM (sessions are thread-safe for
 * {@code run}). This cache is the sessions' one owner: callers get handles without {@code close}
 * ({@link EmotionClassifier}, a bare {@link OrtSession} for the VAD that only this class closes),
 * and the sessions live until the JVM ends, when a shutdown hook closes each session and then its
 * options.
 */
public final class OrtSessions {
    /** A cached session's owner and the handle callers get. */
    private record Shared(Object handle, AutoCloseable owner) {}

    private static final Map<String, Shared> CACHE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime()
                .addShutdownHook(new Thread(OrtSessions::closeAll, "ort-sessions-close"));
    }

    private OrtSessions() {}

    /** The JVM's single environment; created before any session so its settings hold. */
    public static OrtEnvironment environment() {
        return OrtEnvironment.getEnvironment();
    }

    /**
     * The JVM's shared emotion model for this package and these options, as a handle that cannot
     * close it.
     */
    public static EmotionClassifier emotionModel(ModelPackage model, OnnxRuntimeOptions options) {
        String key =
                "ser:"
                        + model.identity()
                        + ":"
                        + options.intraOpThreads()
                        + ":"
                        + options.batchSize();
        return (EmotionClassifier)
                CACHE.computeIfAbsent(
                                key,
                                k -> {
                                    EmotionModel owned = new EmotionModel(model, options);
                                    return new Shared(new SharedModel(owned), owned);
                                })
                        .handle();
    }

    /**
     * The JVM's shared session for {@code key}, made by {@code create} from options this cache
     * keeps open as long as the session (ONNX Runtime's Java API requires that). Callers must not
     * close it.
     */
    public static OrtSession sharedSession(String key, int intraOpThreads, SessionFactory create) {
        return (OrtSession)
                CACHE.computeIfAbsent(
                                key,
                                k -> {
                                    OrtSession.SessionOptions options =
                                            sessionOptions(intraOpThreads);
                                    try {
                                        OrtSession session = create.create(options);
                                        return new Shared(
                                                session, () -> closeInOrder(session, options));
                                    } catch (RuntimeException e) {
                                        options.close();
                                        throw e;
                                    }
                                })
                        .handle();
    }

    /** Makes a session from the cache's options. */
    @FunctionalInterface
    public interface SessionFactory {
        OrtSession create(OrtSession.SessionOptions options);
    }

    /**
     * Session options with spinning off: idle inference threads must not burn the executor's cores.
     */
    public static OrtSession.SessionOptions sessionOptions(int intraOpThreads) {
        OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        try {
            options.setIntraOpNumThreads(intraOpThreads);
            options.setInterOpNumThreads(1);
            options.addConfigEntry("session.intra_op.allow_spinning", "0");
            options.addConfigEntry("session.inter_op.allow_spinning", "0");
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return options;
        } catch (OrtException e) {
            options.close();
            throw new IllegalStateException(
                    "cannot set ONNX Runtime session options: " + e.getMessage(), e);
        }
    }

    private static void closeInOrder(OrtSession session, OrtSession.SessionOptions options)
            throws OrtException {
        try {
            session.close();
        } finally {
            options.close();
        }
    }

    static void closeAll() {
        for (Shared s : List.copyOf(CACHE.values())) {
            try {
                s.owner().close();
            } catch (Exception ignored) {
                // JVM is ending: nothing to do about a failed close
            }
        }
        CACHE.clear();
    }

    /** The handle tasks hold: the shared model's scoring, without its {@code close}. */
    private record SharedModel(EmotionModel model) implements EmotionClassifier {
        @Override
        public ModelManifest manifest() {
            return model.manifest();
        }

        @Override
        public OnnxRuntimeOptions options() {
            return model.options();
        }

        @Override
        public float[][] predict(List<float[]> waveforms) {
            return model.predict(waveforms);
        }

        @Override
        public WindowOutputs score(List<float[]> waveforms) {
            return model.score(waveforms);
        }
    }
}
