package dev.ser.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.TestAudio;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime's profile of the tiny model: every kernel counted once by operator and by node. */
class ModelProfileTest {
    @TempDir Path tmp;

    @Test
    void kernelTimeIsSplitByOperatorAndByNode() throws Exception {
        ModelPackage pkg = ModelPackage.load(TestAudio.tinyModel());
        ModelProfile p =
                ModelProfile.of(
                        pkg,
                        List.of(
                                TestAudio.noise(2, 16_000, 0.1, 1),
                                TestAudio.sine(300, 3, 16_000, 0.5)),
                        tmp);
        assertTrue(p.totalMicros() > 0, "the profiler saw the runs");
        assertEquals(
                p.totalMicros(), p.byOperator().values().stream().mapToLong(Long::longValue).sum());
        assertEquals(
                p.totalMicros(), p.byNode().values().stream().mapToLong(Long::longValue).sum());
        assertTrue(p.byNode().size() >= p.byOperator().size(), p.byNode().keySet().toString());
        long previous = Long.MAX_VALUE;
        for (long v : p.byOperator().values()) {
            assertTrue(v <= previous, "largest first: " + p.byOperator());
            previous = v;
        }
    }
}
