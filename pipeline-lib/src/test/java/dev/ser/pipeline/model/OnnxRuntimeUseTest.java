package dev.ser.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxRuntimeUseTest {
    @TempDir Path tmp;

    @Test
    void oneSharedSessionPerModelAndOptionsInAJvm() {
        ModelPackage pkg = ModelPackage.load(TestAudio.tinyModel());
        EmotionClassifier a = OrtSessions.emotionModel(pkg, new OnnxRuntimeOptions(1, 2));
        EmotionClassifier b =
                OrtSessions.emotionModel(
                        ModelPackage.load(TestAudio.tinyModel()), new OnnxRuntimeOptions(1, 2));
        assertSame(a, b, "a second task in the JVM reuses the session");
        assertFalse(
                a instanceof AutoCloseable,
                "tasks get a handle that cannot close the shared session");
        assertNotSame(a, OrtSessions.emotionModel(pkg, new OnnxRuntimeOptions(2, 2)));
    }

    @Test
    void threadsAreTheExecutorsCoresOverItsConcurrentTasks() {
        assertEquals(1, OnnxRuntimeOptions.forExecutor(8, 8, 2).intraOpThreads());
        assertEquals(4, OnnxRuntimeOptions.forExecutor(8, 2, 2).intraOpThreads());
        assertEquals(1, OnnxRuntimeOptions.forExecutor(2, 4, 2).intraOpThreads());
    }

    @Test
    void withoutPaddingWindowsRunAtTheirOwnLengthAndPaddingChangesScores() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("unpadded"));
        Files.copy(TestAudio.tinyModel().resolve("model.onnx"), dir.resolve("model.onnx"));
        Files.writeString(
                dir.resolve("model.json"),
                Files.readString(
                                TestAudio.tinyModel().resolve("model.json"), StandardCharsets.UTF_8)
                        .replace("\"zero_pad_to_window\"", "\"none\""));
        List<float[]> windows =
                List.of(
                        TestAudio.sine(300, 2, 16_000, 0.5),
                        TestAudio.sine(300, 2, 16_000, 0.5),
                        TestAudio.sine(300, 5, 16_000, 0.5));
        try (EmotionModel unpadded =
                        new EmotionModel(ModelPackage.load(dir), new OnnxRuntimeOptions(1, 4));
                EmotionModel padded =
                        new EmotionModel(
                                ModelPackage.load(TestAudio.tinyModel()),
                                new OnnxRuntimeOptions(1, 4))) {
            float[][] u = unpadded.predict(windows);
            float[][] p = padded.predict(windows);
            // a steady tone's statistics do not depend on its length, unless zeros are added
            assertArrayEquals(u[0], u[2], 1e-5f);
            assertArrayEquals(u[0], u[1], 1e-6f);
            float diff = 0;
            for (int i = 0; i < 4; i++) {
                diff += Math.abs(p[0][i] - p[2][i]);
            }
            assertEquals(
                    true, diff > 1e-3, "zero padding to 8 s makes the 2 s and 5 s tones differ");
        }
    }
}
