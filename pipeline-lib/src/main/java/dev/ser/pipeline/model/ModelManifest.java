package dev.ser.pipeline.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code model.json}: everything the pipeline needs to feed the graph the way it was
 * trained. See the model contract in the README.
 *
 * @param name model name, shown in every output row
 * @param trained false for a network with random weights: its outputs mean nothing, and every
 *     output made with it says {@code untrained}
 * @param labels class labels in the order of the output's last dimension
 * @param sampleRate input rate in Hz (the pipeline resamples to it)
 * @param windowSeconds window length the model was trained on
 * @param inputName name of the float32 [batch, samples] waveform input
 * @param outputName name of the float32 [batch, labels] output
 * @param outputIsLogits true when the output is logits (softmax applied here), false when
 *     probabilities
 * @param preprocessing the preprocessing the model was trained with
 * @param zeroPadToWindow true: shorter windows are zero-padded to the full length (as in training);
 *     false: they are scored at their own length
 * @param quantization e.g. {@code none}, {@code int8-qdq}
 * @param onnxSha256 SHA-256 of {@code model.onnx}, checked at load
 * @param metrics the metrics on the model card (free form)
 * @param trainedFrontEnd the front-end settings its training windows were cut with ({@code
 *     "front_end"}, as {@code prepare} recorded them), or empty when the model does not say; see
 *     {@link dev.ser.pipeline.FrontEndSettings}
 * @param archiveNormalisation for a model whose head reads features standardised per archive
 *     ({@code "archive_normalisation"}), its features output, head and training statistics; null
 *     for a model whose output is all there is
 */
public record ModelManifest(
        String name,
        String version,
        boolean trained,
        List<String> labels,
        int sampleRate,
        double windowSeconds,
        String inputName,
        String outputName,
        boolean outputIsLogits,
        PreprocessingConfig preprocessing,
        boolean zeroPadToWindow,
        String quantization,
        String onnxSha256,
        Map<String, Object> metrics,
        Map<String, Object> trainedFrontEnd,
        ArchiveNormalisation archiveNormalisation) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Name as shown in outputs: with an {@code (untrained)} mark when it is one. */
    public String displayName() {
        return trained ? name : name + " (untrained)";
    }

    /** Parses and checks a manifest; errors name {@code source} and the field. */
    public static ModelManifest parse(byte[] json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidModelException(
                    source + " is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new InvalidModelException("cannot read " + source + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new InvalidModelException(source + " must hold a JSON object");
        }
        Fields f = new Fields(root, source);
        List<String> labels = new ArrayList<>();
        JsonNode labelNode = root.get("labels");
        if (labelNode == null || !labelNode.isArray() || labelNode.isEmpty()) {
            throw new InvalidModelException(
                    source + ": 'labels' must be a non-empty array of class names");
        }
        labelNode.forEach(n -> labels.add(n.asText()));
        if (labels.stream().distinct().count() != labels.size()) {
            throw new InvalidModelException(source + ": 'labels' has duplicates: " + labels);
        }
        for (String label : labels) {
            if (!label.matches("[A-Za-z][A-Za-z0-9_]*")) {
                throw new InvalidModelException(
                        source
                                + ": label '"
                                + label
                                + "' must be a plain identifier (letters, digits, underscore) so it can name a column");
            }
        }
        int rate = f.integer("sample_rate");
        if (rate < 8000 || rate > 48000) {
            throw new InvalidModelException(
                    source + ": sample_rate " + rate + " Hz is outside 8000..48000");
        }
        double window = f.number("window_seconds");
        if (!(window > 0 && window <= 60)) {
            throw new InvalidModelException(
                    source + ": window_seconds " + window + " is outside (0, 60]");
        }
        String outputKind = f.text("output_kind");
        if (!outputKind.equals("logits") && !outputKind.equals("probabilities")) {
            throw new InvalidModelException(
                    source
                            + ": output_kind must be 'logits' or 'probabilities', not '"
                            + outputKind
                            + "'");
        }
        String padding = f.text("padding");
        if (!padding.equals("zero_pad_to_window") && !padding.equals("none")) {
            throw new InvalidModelException(
                    source
                            + ": padding must be 'zero_pad_to_window' or 'none', not '"
                            + padding
                            + "'");
        }
        String sha = f.text("onnx_sha256").toLowerCase(java.util.Locale.ROOT);
        if (!sha.matches("[0-9a-f]{64}")) {
            throw new InvalidModelException(source + ": onnx_sha256 must be 64 hex digits");
        }
        JsonNode metricsNode = root.get("metrics");
        @SuppressWarnings("unchecked")
        Map<String, Object> metrics =
                metricsNode == null ? Map.of() : JSON.convertValue(metricsNode, Map.class);
        JsonNode frontEndNode = root.get("front_end");
        if (frontEndNode != null && !frontEndNode.isNull() && !frontEndNode.isObject()) {
            throw new InvalidModelException(
                    source
                            + ": 'front_end' must be an object (the settings prepare.json "
                            + "records), or absent");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> frontEnd =
                frontEndNode == null || frontEndNode.isNull()
                        ? Map.of()
                        : JSON.convertValue(frontEndNode, Map.class);
        JsonNode archiveNode = root.get("archive_normalisation");
        ArchiveNormalisation archive =
                archiveNode == null || archiveNode.isNull()
                        ? null
                        : ArchiveNormalisation.parse(archiveNode, labels.size(), source);
        if (archive != null && !outputKind.equals("logits")) {
            throw new InvalidModelException(
                    source + ": archive_normalisation needs output_kind 'logits'");
        }
        return new ModelManifest(
                f.text("name"),
                root.path("version").asText(""),
                f.bool("trained"),
                List.copyOf(labels),
                rate,
                window,
                f.text("input_name"),
                f.text("output_name"),
                outputKind.equals("logits"),
                preprocessing(root.get("preprocessing"), source),
                padding.equals("zero_pad_to_window"),
                root.path("quantization").asText("none"),
                sha,
                metrics,
                frontEnd,
                archive);
    }

    private static PreprocessingConfig preprocessing(JsonNode node, String source) {
        if (node == null || node.isNull()) {
            throw new InvalidModelException(
                    source + ": 'preprocessing' is missing; write {} for none");
        }
        try {
            return new PreprocessingConfig(
                    optional(node, "trim_top_db"),
                    node.path("trim_frame_length").asInt(2048),
                    node.path("trim_hop_length").asInt(512),
                    optional(node, "pre_emphasis"),
                    optional(node, "peak_normalize"));
        } catch (IllegalArgumentException e) {
            throw new InvalidModelException(source + ": preprocessing: " + e.getMessage());
        }
    }

    private static Double optional(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v.asDouble();
    }

    /** Required-field reads that fail with the field's name. */
    private record Fields(JsonNode root, String source) {
        JsonNode require(String field) {
            JsonNode v = root.get(field);
            if (v == null || v.isNull()) {
                throw new InvalidModelException(
                        source + ": required field '" + field + "' is missing");
            }
            return v;
        }

        String text(String field) {
            JsonNode v = require(field);
            if (!v.isTextual() || v.asText().isBlank()) {
                throw new InvalidModelException(
                        source + ": '" + field + "' must be a non-empty string");
            }
            return v.asText();
        }

        int integer(String field) {
            JsonNode v = require(field);
            if (!v.isIntegralNumber()) {
                throw new InvalidModelException(source + ": '" + field + "' must be an integer");
            }
            return v.asInt();
        }

        double number(String field) {
            JsonNode v = require(field);
            if (!v.isNumber()) {
                throw new InvalidModelException(source + ": '" + field + "' must be a number");
            }
            return v.asDouble();
        }

        boolean bool(String field) {
            JsonNode v = require(field);
            if (!v.isBoolean()) {
                throw new InvalidModelException(source + ": '" + field + "' must be true or false");
            }
            return v.asBoolean();
        }
    }
}
