package dev.ser.pipeline.vad;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ser.pipeline.model.InvalidModelException;
import dev.ser.pipeline.model.OrtSessions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;

/**
 * Silero VAD (v5) through ONNX Runtime: 512-sample frames at 16 kHz, each fed with the previous
 * frame's last 64 samples and the recurrent state, both reset per recording. The session is shared
 * by every recording in the JVM; the state is per detector.
 */
public final class SileroVad implements VoiceActivityDetector {
    public static final int FRAME_SAMPLES = 512;
    private static final int CONTEXT = 64;
    private static final int STATE = 2 * 128;

    private final OrtSession session;
    private final OrtEnvironment env = OrtSessions.environment();
    // Direct buffers back the input tensors, so a frame is written in place: no tensor is made
    // per 32 ms frame.
    private final FloatBuffer input = direct(CONTEXT + FRAME_SAMPLES);
    private final FloatBuffer state = direct(STATE);
    private final OnnxTensor inputTensor;
    private final OnnxTensor stateTensor;
    private final OnnxTensor sampleRate;
    private final Map<String, OnnxTensor> inputs;

    private SileroVad(OrtSession session) {
        this.session = session;
        try {
            this.inputTensor =
                    OnnxTensor.createTensor(env, input, new long[] {1, CONTEXT + FRAME_SAMPLES});
            this.stateTensor = OnnxTensor.createTensor(env, state, new long[] {2, 1, 128});
            this.sampleRate = OnnxTensor.createTensor(env, 16_000L);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
        this.inputs = Map.of("input", inputTensor, "state", stateTensor, "sr", sampleRate);
    }

    private static FloatBuffer direct(int floats) {
        return ByteBuffer.allocateDirect(4 * floats).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Where the jar carries the bundled model (copied from {@code model/silero-vad/}). */
    public static final String BUNDLED = "/ser-vad/silero_vad.onnx";

    /** A factory whose detectors share one session of the model at {@code modelPath}. */
    public static Factory factory(Path modelPath) {
        if (!Files.isRegularFile(modelPath)) {
            throw new InvalidModelException(
                    "Silero VAD model "
                            + modelPath
                            + " does not exist; set ser.vad to a silero_vad.onnx file, or to"
                            + " energy+silero, silero or energy for a bundled detector");
        }
        return factory(
                "silero:" + modelPath.toAbsolutePath(),
                modelPath.toString(),
                options -> OrtSessions.environment().createSession(modelPath.toString(), options));
    }

    /** A factory over the Silero VAD v5 model carried in the jar (MIT, see its licence). */
    public static Factory bundled() {
        return factory(
                "silero:bundled",
                "the bundled Silero VAD",
                options -> {
                    try (InputStream in = SileroVad.class.getResourceAsStream(BUNDLED)) {
                        if (in == null) {
                            throw new IllegalStateException(
                                    "the jar carries no Silero VAD (" + BUNDLED + ")");
                        }
                        return OrtSessions.environment().createSession(in.readAllBytes(), options);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    private interface SessionSource {
        OrtSession open(OrtSession.SessionOptions options) throws OrtException;
    }

    private static Factory factory(String key, String name, SessionSource source) {
        OrtSession session =
                OrtSessions.sharedSession(
                        key,
                        1,
                        options -> {
                            try {
                                OrtSession s = source.open(options);
                                if (!s.getInputNames()
                                        .containsAll(Set.of("input", "state", "sr"))) {
                                    s.close();
                                    throw new InvalidModelException(
                                            name
                                                    + " is not Silero VAD v5: inputs are "
                                                    + s.getInputNames()
                                                    + ", expected input, state, sr");
                                }
                                return s;
                            } catch (OrtException e) {
                                throw new InvalidModelException(
                                        "cannot load Silero VAD " + name + ": " + e.getMessage(),
                                        e);
                            }
                        });
        return () -> new SileroVad(session);
    }

    @Override
    public int frameSamples() {
        return FRAME_SAMPLES;
    }

    @Override
    public float speechProbability(float[] frame) {
        input.put(CONTEXT, frame, 0, FRAME_SAMPLES);
        try (OrtSession.Result r = session.run(inputs)) {
            float probability =
                    ((OnnxTensor) r.get("output").orElseThrow()).getFloatBuffer().get(0);
            state.put(0, ((OnnxTensor) r.get("stateN").orElseThrow()).getFloatBuffer(), 0, STATE);
            input.put(0, frame, FRAME_SAMPLES - CONTEXT, CONTEXT);
            return probability;
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        inputTensor.close();
        stateTensor.close();
        sampleRate.close();
    }
}
