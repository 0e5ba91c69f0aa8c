package dev.ser.pipeline.model;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * An emotion model in ONNX Runtime: scores batches of windows (16 kHz waveforms) with class
 * probabilities. Checks at load that the graph keeps the manifest's contract (tensor names, float32
 * [batch, samples] in, [batch, labels] out) and refuses it otherwise, naming the mismatch.
 * Thread-safe; owns its session and the session's options, which ONNX Runtime's Java API requires
 * to stay open until every session made with them is closed.
 */
public final class EmotionModel implements EmotionClassifier, AutoCloseable {
    private final ModelManifest manifest;
    private final String sha256;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions sessionOptions;
    private final OrtSession session;
    private final OnnxRuntimeOptions options;
    private final int windowSamples;

    public EmotionModel(ModelPackage model, OnnxRuntimeOptions options) {
        this.manifest = model.manifest();
        this.sha256 = model.sha256();
        this.options = options;
        this.windowSamples = (int) Math.round(manifest.windowSeconds() * manifest.sampleRate());
        this.env = OrtSessions.environment();
        this.sessionOptions = OrtSessions.sessionOptions(options.intraOpThreads());
        try {
            this.session = env.createSession(model.onnx(), sessionOptions);
        } catch (OrtException e) {
            sessionOptions.close();
            throw new InvalidModelException(
                    model.source()
                            + "/"
                            + ModelPackage.GRAPH_FILE
                            + " is not a loadable ONNX graph: "
                            + e.getMessage(),
                    e);
        }
        try {
            checkContract(model.source());
        } catch (RuntimeException | OrtException e) {
            close();
            throw e instanceof InvalidModelException ime
                    ? ime
                    : new InvalidModelException(model.source() + ": " + e.getMessage(), e);
        }
    }

    private void checkContract(String source) throws OrtException {
        TensorInfo in = tensor(session.getInputInfo(), manifest.inputName(), "input", source);
        TensorInfo out = tensor(session.getOutputInfo(), manifest.outputName(), "output", source);
        if (in.getShape().length != 2) {
            throw new InvalidModelException(
                    source
                            + ": input '"
                            + manifest.inputName()
                            + "' has shape "
                            + Arrays.toString(in.getShape())
                            + "; the contract is float32 [batch, samples]");
        }
        long samples = in.getShape()[1];
        if (samples > 0 && samples != windowSamples) {
            throw new InvalidModelException(
                    source
                            + ": input takes "
                            + samples
                            + " samples but the manifest's "
                            + manifest.windowSeconds()
                            + " s at "
                            + manifest.sampleRate()
                            + " Hz is "
                            + windowSamples);
        }
        if (samples > 0 && !manifest.zeroPadToWindow()) {
            throw new InvalidModelException(
                    source
                            + ": input has a fixed length, so padding must be "
                            + "'zero_pad_to_window'");
        }
        long[] outShape = out.getShape();
        long width = outShape.length == 2 ? outShape[1] : -2;
        if (width == -1) {
            // Dynamic width: ask the graph itself, with one short window of silence.
            width =
                    run(List.of(new float[samples > 0 ? (int) samples : manifest.sampleRate()]))[0]
                            .length;
        }
        if (width != manifest.labels().size()) {
            throw new InvalidModelException(
                    source
                            + ": output '"
                            + manifest.outputName()
                            + "' has "
                            + (width == -2
                                    ? "shape " + Arrays.toString(outShape)
                                    : width + " classes")
                            + " but the manifest lists "
                            + manifest.labels().size()
                            + " labels "
                            + manifest.labels()
                            + "; make model.json's labels match the graph's classes, in its output order");
        }
    }

    private TensorInfo tensor(
            Map<String, NodeInfo> nodes, String name, String role, String source) {
        NodeInfo node = nodes.get(name);
        if (node == null) {
            throw new InvalidModelException(
                    source
                            + ": the graph has no "
                            + role
                            + " named '"
                            + name
                            + "' (manifest "
                            + role
                            + "_name); its "
                            + role
                            + "s are "
                            + nodes.keySet());
        }
        if (!(node.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT) {
            throw new InvalidModelException(
                    source + ": " + role + " '" + name + "' is not a float32 tensor");
        }
        return t;
    }

    @Override
    public ModelManifest manifest() {
        return manifest;
    }

    public String sha256() {
        return sha256;
    }

    @Override
    public OnnxRuntimeOptions options() {
        return options;
    }

    /** Samples in a full window at the model's rate. */
    public int windowSamples() {
        return windowSamples;
    }

    /**
     * Class probabilities for each waveform, in order. Waveforms are zero-padded to the full window
     * when the manifest says so; otherwise runs of equal length are batched together. Batches hold
     * at most {@code batchSize} windows.
     */
    @Override
    public float[][] predict(List<float[]> waveforms) {
        float[][] result = new float[waveforms.size()][];
        int i = 0;
        while (i < waveforms.size()) {
            int length =
                    manifest.zeroPadToWindow()
                            ? windowSamples
                            : Math.max(1, waveforms.get(i).length);
            int j = i;
            List<float[]> batch = new ArrayList<>();
            while (j < waveforms.size()
                    && batch.size() < options.batchSize()
                    && (manifest.zeroPadToWindow()
                            || Math.max(1, waveforms.get(j).length) == length)) {
                batch.add(fit(waveforms.get(j), length));
                j++;
            }
            float[][] out;
            try {
                out = run(batch);
            } catch (OrtException e) {
                throw new IllegalStateException("inference failed: " + e.getMessage(), e);
            }
            for (int k = 0; k < out.length; k++) {
                result[i + k] = manifest.outputIsLogits() ? softmax(out[k]) : out[k];
            }
            i = j;
        }
        return result;
    }

    private static float[] fit(float[] w, int length) {
        return w.length == length ? w : Arrays.copyOf(w, length); // zero-pads or truncates
    }

    private float[][] run(List<float[]> batch) throws OrtException {
        int length = batch.get(0).length;
        FloatBuffer buffer = FloatBuffer.allocate(batch.size() * length);
        for (float[] w : batch) {
            buffer.put(w);
        }
        buffer.flip();
        try (OnnxTensor input =
                        OnnxTensor.createTensor(env, buffer, new long[] {batch.size(), length});
                OrtSession.Result result =
                        session.run(
                                Map.of(manifest.inputName(), input),
                                java.util.Set.of(manifest.outputName()))) {
            OnnxTensor output = (OnnxTensor) result.get(0);
            long[] shape = output.getInfo().getShape();
            if (shape.length != 2 || shape[0] != batch.size()) {
                throw new IllegalStateException(
                        "output shape "
                                + Arrays.toString(shape)
                                + " for a batch of "
                                + batch.size()
                                + "; the contract is [batch, labels]");
            }
            FloatBuffer values = output.getFloatBuffer();
            int width = (int) shape[1];
            float[][] out = new float[batch.size()][width];
            for (float[] row : out) {
                values.get(row);
            }
            return out;
        }
    }

    static float[] softmax(float[] logits) {
        float max = Float.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double sum = 0;
        float[] p = new float[logits.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) Math.exp(logits[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < p.length; i++) {
            p[i] /= (float) sum;
        }
        return p;
    }

    /** Closes the session, then its options (never the other way round). */
    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            sessionOptions.close();
        }
    }
}
