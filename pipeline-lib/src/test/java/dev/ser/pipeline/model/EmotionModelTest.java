package dev.ser.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmotionModelTest {
    @TempDir Path tmp;

    private static final OnnxRuntimeOptions OPTIONS = new OnnxRuntimeOptions(1, 4);

    @Test
    void theTinyModelKeepsTheContractAndSaysItIsUntrained() {
        ModelPackage pkg = ModelPackage.load(TestAudio.tinyModel());
        assertFalse(pkg.manifest().trained());
        assertEquals("tiny-untrained (untrained)", pkg.manifest().displayName());
        try (EmotionModel model = new EmotionModel(pkg, OPTIONS)) {
            List<float[]> windows =
                    List.of(
                            TestAudio.sine(200, 3, 16_000, 0.5),
                            TestAudio.noise(8, 16_000, 0.3, 1),
                            TestAudio.sine(3000, 1, 16_000, 0.9),
                            new float[16_000],
                            TestAudio.noise(2, 16_000, 0.01, 2));
            float[][] p = model.predict(windows);
            assertEquals(5, p.length);
            for (float[] row : p) {
                assertEquals(4, row.length);
                double sum = 0;
                for (float v : row) {
                    assertTrue(v >= 0 && v <= 1);
                    sum += v;
                }
                assertEquals(1.0, sum, 1e-5);
            }
            assertNotEquals(p[0][0], p[1][0], "different audio, different scores");
            // Batching must not change a window's score.
            float[][] single = model.predict(List.of(windows.get(1)));
            assertEquals(p[1][2], single[0][2], 1e-6);
        }
    }

    /** Copies the tiny model with its manifest edited. */
    private Path variant(UnaryOperator<String> edit) throws IOException {
        Path dir = Files.createTempDirectory(tmp, "model");
        Path src = TestAudio.tinyModel();
        Files.copy(src.resolve("model.onnx"), dir.resolve("model.onnx"));
        String json = Files.readString(src.resolve("model.json"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("model.json"), edit.apply(json));
        return dir;
    }

    private String loadError(Path dir) {
        var e =
                assertThrows(
                        InvalidModelException.class,
                        () -> {
                            try (EmotionModel m =
                                    new EmotionModel(ModelPackage.load(dir), OPTIONS)) {
                                m.windowSamples();
                            }
                        });
        return e.getMessage();
    }

    @Test
    void loadErrorsNameTheMismatch() throws IOException {
        assertTrue(loadError(tmp.resolve("nowhere")).contains("does not exist"));
        Path noGraph = variant(s -> s);
        Files.delete(noGraph.resolve("model.onnx"));
        assertTrue(loadError(noGraph).contains("has no model.onnx"));

        String labels =
                loadError(
                        variant(
                                s ->
                                        s.replace("\"sadness\"", "")
                                                .replace("\"neutral\",", "\"neutral\"")));
        assertTrue(labels.contains("4 classes") && labels.contains("3 labels"), labels);

        String input =
                loadError(
                        variant(
                                s ->
                                        s.replace(
                                                "\"input_name\": \"waveform\"",
                                                "\"input_name\": \"audio\"")));
        assertTrue(input.contains("no input named 'audio'") && input.contains("waveform"), input);

        String output =
                loadError(
                        variant(
                                s ->
                                        s.replace(
                                                "\"output_name\": \"logits\"",
                                                "\"output_name\": \"probs\"")));
        assertTrue(output.contains("no output named 'probs'"), output);

        String rate =
                loadError(
                        variant(s -> s.replace("\"sample_rate\": 16000", "\"sample_rate\": 4000")));
        assertTrue(rate.contains("sample_rate 4000"), rate);

        String sha =
                loadError(
                        variant(
                                s ->
                                        s.replaceAll(
                                                "\"onnx_sha256\": \"[0-9a-f]+\"",
                                                "\"onnx_sha256\": \"" + "0".repeat(64) + "\"")));
        assertTrue(sha.contains("SHA-256") && sha.contains("another graph"), sha);

        String missing = loadError(variant(s -> s.replace("\"trained\": false,", "")));
        assertTrue(missing.contains("'trained' is missing"), missing);

        String garbage = loadError(variant(s -> "{ not json"));
        assertTrue(garbage.contains("not valid JSON"), garbage);

        Path badGraph = variant(s -> s);
        Files.write(badGraph.resolve("model.onnx"), "not a graph".getBytes());
        String fake = loadError(badGraph);
        assertTrue(fake.contains("SHA-256"), fake); // the checksum catches a swapped graph first
    }

    /** The shipped model, in the repository beside the tiny one. */
    private static Path defaultModel() {
        return TestAudio.tinyModel().resolveSibling("ser-default");
    }

    @Test
    void theDefaultModelsHeadInItsManifestIsTheHeadInItsGraph() {
        ModelPackage pkg = ModelPackage.load(defaultModel());
        ArchiveNormalisation head = pkg.manifest().archiveNormalisation();
        assertTrue(head != null, "ser-default is archive-normalised");
        try (EmotionModel model = new EmotionModel(pkg, OPTIONS)) {
            List<float[]> windows =
                    List.of(
                            TestAudio.sine(220, 3, 16_000, 0.5),
                            TestAudio.noise(5, 16_000, 0.2, 4),
                            TestAudio.sine(880, 8, 16_000, 0.3));
            WindowOutputs out = model.score(windows);
            var training =
                    head.standardisation(
                            new dev.ser.pipeline.normalise.FeatureMoments(head.dimensions()));
            for (int i = 0; i < windows.size(); i++) {
                assertEquals(head.dimensions(), out.features()[i].length);
                // the graph's probabilities are its head on the training statistics: the manifest's
                // head must give the same, or the archive pass scores with another model
                float[] p = head.probabilities(out.features()[i], training);
                for (int k = 0; k < p.length; k++) {
                    assertEquals(
                            out.probabilities()[i][k], p[k], 1e-4, "window " + i + " class " + k);
                }
            }
        }
        try (EmotionModel tiny =
                new EmotionModel(ModelPackage.load(TestAudio.tinyModel()), OPTIONS)) {
            assertEquals(
                    null,
                    tiny.score(List.of(new float[16_000])).features(),
                    "no head, no features");
        }
    }

    @Test
    void aFeaturesOutputTheGraphLacksIsALoadError() throws IOException {
        Path dir = Files.createTempDirectory(tmp, "model");
        Files.copy(defaultModel().resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.writeString(
                dir.resolve("model.json"),
                Files.readString(defaultModel().resolve("model.json"))
                        .replace(
                                "\"features_output\": \"features\"",
                                "\"features_output\": \"pooled\""));
        String e = loadError(dir);
        assertTrue(e.contains("no output named 'pooled'"), e);
    }
}
