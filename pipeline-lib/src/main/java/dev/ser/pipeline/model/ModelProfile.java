package dev.ser.pipeline.model;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a model's inference time goes: windows run one at a time through a session with ONNX
 * Runtime's own profiler on (the session options the job uses, one thread), and its kernel times
 * summed by operator type and by graph node. For {@code ser benchmark --profile-model}.
 *
 * @param totalMicros kernel time of all nodes, summed over the windows
 * @param byOperator microseconds per operator type, largest first
 * @param byNode microseconds per graph node, largest first
 */
public record ModelProfile(
        long totalMicros, Map<String, Long> byOperator, Map<String, Long> byNode) {

    /** Profiles {@code windows} (each zero-padded as the manifest says) through {@code model}. */
    public static ModelProfile of(ModelPackage model, List<float[]> windows, Path workDir)
            throws IOException {
        int full =
                (int) Math.round(model.manifest().windowSeconds() * model.manifest().sampleRate());
        OrtEnvironment env = OrtSessions.environment();
        String file;
        try (OrtSession.SessionOptions options = OrtSessions.sessionOptions(1)) {
            options.enableProfiling(workDir.resolve("ort-profile").toString());
            try (OrtSession session = env.createSession(model.onnx(), options)) {
                for (float[] w : windows) {
                    float[] x = model.manifest().zeroPadToWindow() ? Arrays.copyOf(w, full) : w;
                    try (OnnxTensor t =
                                    OnnxTensor.createTensor(
                                            env, FloatBuffer.wrap(x), new long[] {1, x.length});
                            OrtSession.Result r =
                                    session.run(Map.of(model.manifest().inputName(), t))) {
                        // the profiler records the run
                    }
                }
                file = session.endProfiling();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("profiling failed: " + e.getMessage(), e);
        }
        JsonNode events = new ObjectMapper().readTree(Files.readAllBytes(Path.of(file)));
        Map<String, Long> byOperator = new TreeMap<>();
        Map<String, Long> byNode = new TreeMap<>();
        long total = 0;
        for (JsonNode e : events) {
            String name = e.path("name").asText();
            if (!"Node".equals(e.path("cat").asText()) || !name.endsWith("_kernel_time")) {
                continue;
            }
            long micros = e.path("dur").asLong();
            byOperator.merge(e.path("args").path("op_name").asText("?"), micros, Long::sum);
            byNode.merge(
                    name.substring(0, name.length() - "_kernel_time".length()), micros, Long::sum);
            total += micros;
        }
        return new ModelProfile(total, largestFirst(byOperator), largestFirst(byNode));
    }

    private static Map<String, Long> largestFirst(Map<String, Long> m) {
        Map<String, Long> out = new LinkedHashMap<>();
        m.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The share of the kernel time, in percent. */
    public double percent(long micros) {
        return totalMicros == 0 ? 0 : 100.0 * micros / totalMicros;
    }
}
