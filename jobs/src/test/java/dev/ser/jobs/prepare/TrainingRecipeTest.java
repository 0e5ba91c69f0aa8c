package dev.ser.jobs.prepare;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.jobs.JobTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.JobTestSupport;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training recipe end to end: {@code ser prepare} on real RAVDESS audio, the trainer's
 * unit tests, a smoke run of training, and the exported model loaded by the pipeline.
 * The Python parts need Debian's python3-torch and python3-torchaudio (.ci/run installs them).
 */
class TrainingRecipeTest {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    @TempDir
    Path tmp;

    static void assumeTorch() throws Exception {
        boolean ok = Files.isExecutable(PYTHON)
                && new ProcessBuilder(PYTHON.toString(), "-c", "import torch, torchaudio, onnx").start().waitFor() == 0;
        assumeTrue(ok, "skipped: /usr/bin/python3 lacks Debian's python3-torch, python3-torchaudio, python3-onnx");
    }

    static String python(Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON.toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(JobTestSupport.projectRoot().toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(10, TimeUnit.MINUTES), "python did not finish");
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void theTrainersLossAugmentationAndNetworkTestsPass() throws Exception {
        assumeTorch();
        String out = python(tmp.resolve("unittest.log"), "-m", "unittest", "discover", "-s", "model/tests", "-v");
        assertTrue(out.contains("OK"), out);
    }

    @Test
    void prepareOnRealAudioThenASmokeTrainingRunGivesAModelThePipelineLoads() throws Exception {
        // five RAVDESS actors (three male, two female): five folds of one actor
        Path corpus = Files.createDirectories(tmp.resolve("ravdess"));
        for (String actor : List.of("Actor_01", "Actor_02", "Actor_03", "Actor_04", "Actor_05")) {
            Files.createSymbolicLink(corpus.resolve(actor), shared("corpora/ravdess/" + actor));
        }
        Path prepared = tmp.resolve("prepared");
        var run = ser("prepare", "--corpus", "ravdess", "--root", corpus.toString(), "--folds", "5", "--output",
                prepared.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode meta = new ObjectMapper().readTree(prepared.resolve("prepare.json").toFile());
        JsonNode windows = meta.path("corpora").path("ravdess").path("windows_by_label");
        int total = 0;
        for (JsonNode n : windows) {
            total += n.asInt();
        }
        List<String> index = Files.readAllLines(prepared.resolve("index.jsonl"), StandardCharsets.UTF_8);
        long ok = index.stream().filter(l -> l.contains("\"status\":\"ok\"")).count();
        assertEquals(ok, total);
        assertTrue(total >= 5 * 28 - 3, "about 28 windows per actor: " + total); // 4 + 3 x 8 four-class clips
        int rows = 0;
        try (var shards = Files.list(prepared.resolve("shards"))) {
            for (Path shard : shards.filter(p -> p.toString().endsWith(".npy")).toList()) {
                rows += npyRows(shard, 128_000);
            }
        }
        assertEquals(total, rows, "every indexed window is in a shard");
        assertEquals(0.95, meta.path("preprocessing").path("peak_normalize").asDouble());

        assumeTorch();
        Path model = tmp.resolve("model");
        String out = python(tmp.resolve("train.log"), "model/recipes/train_ser.py", "--data", prepared.toString(), "--out",
                model.toString(), "--test-fold", "1", "--epochs", "1", "--max-steps", "3");
        assertTrue(out.contains("epoch 1: loss"), out);
        ModelPackage pkg = ModelPackage.load(model);
        assertFalse(pkg.manifest().trained(), "a smoke run is not a trained model");
        assertEquals(PreprocessingConfig.STUDY, pkg.manifest().preprocessing(), "the manifest says how it was fed");
        try (EmotionModel m = new EmotionModel(pkg, new OnnxRuntimeOptions(1, 2))) {
            float[][] p = m.predict(List.of(new float[16_000], new float[128_000]));
            assertEquals(4, p[0].length);
            assertEquals(1.0, p[1][0] + p[1][1] + p[1][2] + p[1][3], 1e-5);
        }
        JsonNode training = new ObjectMapper().readTree(model.resolve("model.json").toFile()).path("training");
        assertEquals(1, training.path("test_fold").asInt());
        assertEquals(2, training.path("val_fold").asInt());
        assertArrayEquals(new int[] {0}, new int[] {training.path("extra_corpora").size()});
    }

    /** Rows of an int16 [rows, samples] .npy file, from its header. */
    private static int npyRows(Path file, int samples) throws IOException {
        byte[] head = new byte[128];
        try (var in = Files.newInputStream(file)) {
            in.readNBytes(head, 0, head.length);
        }
        String header = new String(head, StandardCharsets.US_ASCII);
        assertTrue(header.startsWith("\u0093NUMPY") || head[0] == (byte) 0x93, "npy magic");
        assertTrue(header.contains("'descr': '<i2'"), header);
        String shape = header.replaceAll("(?s).*'shape': \\((\\d+), (\\d+)\\).*", "$1 $2");
        assertEquals(samples, Integer.parseInt(shape.split(" ")[1]));
        long expectedSize = 128L + (long) Integer.parseInt(shape.split(" ")[0]) * samples * 2;
        assertEquals(expectedSize, Files.size(file), "header and data sizes agree");
        return Integer.parseInt(shape.split(" ")[0]);
    }
}
