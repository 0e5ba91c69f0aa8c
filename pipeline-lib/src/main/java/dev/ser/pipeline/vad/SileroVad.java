package dev.ser.pipeline.vad;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.ser.pipeline.model.InvalidModelException;
import dev.ser.pipeline.model.OrtSessions;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

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
    private final float[] input = new float[CONTEXT + FRAME_SAMPLES];
    private float[] state = new float[STATE];
    private final OnnxTensor sampleRate;

    private SileroVad(OrtSession session) {
        this.session = session;
        try {
            this.sampleRate = OnnxTensor.createTensor(env, 16_000L);
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A factory whose detectors share one session of the model at {@code modelPath}. */
    public static Factory factory(Path modelPath) {
        if (!Files.isRegularFile(modelPath)) {
            throw new InvalidModelException(
                    "Silero VAD model "
                            + modelPath
                            + " does not exist; set the VAD "
                            + "model path to a silero_vad.onnx file, or leave it unset for the built-in detector");
        }
        OrtSession session =
                OrtSessions.sharedSession(
                        "silero:" + modelPath.toAbsolutePath(),
                        1,
                        options -> {
                            try {
                                OrtSession s =
                                        OrtSessions.environment()
                                                .createSession(modelPath.toString(), options);
                                if (!s.getInputNames()
                                        .containsAll(java.util.Set.of("input", "state", "sr"))) {
                                    s.close();
                                    throw new InvalidModelException(
                                            modelPath
                                                    + " is not Silero VAD v5: inputs are "
                                                    + s.getInputNames()
                                                    + ", expected input, state, sr");
                                }
                                return s;
                            } catch (OrtException e) {
                                throw new InvalidModelException(
                                        "cannot load Silero VAD "
                                                + modelPath
                                                + ": "
                                                + e.getMessage(),
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
        System.arraycopy(frame, 0, input, CONTEXT, FRAME_SAMPLES);
        try (OnnxTensor x =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(input), new long[] {1, input.length});
                OnnxTensor s =
                        OnnxTensor.createTensor(
                                env, FloatBuffer.wrap(state), new long[] {2, 1, 128});
                OrtSession.Result r =
                        session.run(Map.of("input", x, "state", s, "sr", sampleRate))) {
            float probability =
                    ((OnnxTensor) r.get("output").orElseThrow()).getFloatBuffer().get(0);
            FloatBuffer next = ((OnnxTensor) r.get("stateN").orElseThrow()).getFloatBuffer();
            float[] fresh = new float[STATE];
            next.get(fresh);
            state = fresh;
            System.arraycopy(frame, FRAME_SAMPLES - CONTEXT, input, 0, CONTEXT);
            return probability;
        } catch (OrtException e) {
            throw new IllegalStateException("Silero VAD failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        sampleRate.close();
    }
}
