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
            width = probe(samples, false).probabilities()[0].length;
        }
        ArchiveNormalisation archive = manifest.archiveNormalisation();
        if (archive != null) {
            TensorInfo features =
                    tensor(
                            session.getOutputInfo(),
                            archive.featuresOutput(),
                            "output",
                            source + " (archive_normalisation.features_output)");
            long dims = features.getShape().length == 2 ? features.getShape()[1] : -2;
            if (dims == -1) {
                dims = probe(samples, true).features()[0].length;
            }
            if (dims != archive.dimensions()) {
                throw new InvalidModelException(
                        source
                                + ": output '"
                                + archive.featuresOutput()
                                + "' has "
                                + (dims == -2
                                        ? "shape " + Arrays.toString(features.getShape())
                                        : dims + " features")
                                + " but archive_normalisation's statistics have "
                                + archive.dimensions());
            }
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

    /** A dynamic output's width: the graph run on one short window of silence. */
    private WindowOutputs probe(long fixedSamples, boolean withFeatures) throws OrtException {
        int length = fixedSamples > 0 ? (int) fixedSamples : manifest.sampleRate();
        return run(List.of(new float[length]), withFeatures);
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
        return outputs(waveforms, false).probabilities();
    }

    /**
     * Class probabilities (from the graph's own output: for a model with archive normalisation, its
     * head on the training statistics) and, for such a model, each window's pooled features (null
     * otherwise). Batched as {@link #predict}.
     */
    @Override
    public WindowOutputs score(List<float[]> waveforms) {
        return outputs(waveforms, manifest.archiveNormalisation() != null);
    }

    private WindowOutputs outputs(List<float[]> waveforms, boolean withFeatures) {
        float[][] result = new float[waveforms.size()][];
        float[][] features = withFeatures ? new float[waveforms.size()][] : null;
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
            WindowOutputs out;
            try {
                out = run(batch, withFeatures);
            } catch (OrtException e) {
                throw new IllegalStateException("inference failed: " + e.getMessage(), e);
            }
            float[][] p = out.probabilities();
            for (int k = 0; k < p.length; k++) {
                result[i + k] = manifest.outputIsLogits() ? softmax(p[k]) : p[k];
                if (withFeatures) {
                    features[i + k] = out.features()[k];
                }
            }
            i = j;
        }
        return new WindowOutputs(result, features);
    }

    private static float[] fit(float[] w, int length) {
        return w.length == length ? w : Arrays.copyOf(w, length); // zero-pads or truncates
    }

    /** The graph's raw output (logits or probabilities) and, when asked, its features output. */
    private WindowOutputs run(List<float[]> batch, boolean withFeatures) throws OrtException {
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
                                withFeatures
                                        ? java.util.Set.of(
                                                manifest.outputName(),
                                                manifest.archiveNormalisation().featuresOutput())
                                        : java.util.Set.of(manifest.outputName()))) {
            float[][] out = rows(result, manifest.outputName(), batch.size());
            return new WindowOutputs(
                    out,
                    withFeatures
                            ? rows(
                                    result,
                                    manifest.archiveNormalisation().featuresOutput(),
                                    batch.size())
                            : null);
        }
    }

    private static float[][] rows(OrtSession.Result result, String name, int batch) {
        OnnxTensor output =
                (OnnxTensor)
                        result.get(name)
                                .orElseThrow(() -> new IllegalStateException("no output " + name));
        long[] shape = output.getInfo().getShape();
        if (shape.length != 2 || shape[0] != batch) {
            throw new IllegalStateException(
                    "output '"
                            + name
                            + "' has shape "
                            + Arrays.toString(shape)
                            + " for a batch of "
                            + batch
                            + "; the contract is [batch, width]");
        }
        FloatBuffer values = output.getFloatBuffer();
        float[][] out = new float[batch][(int) shape[1]];
        for (float[] row : out) {
            values.get(row);
        }
        return out;
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
