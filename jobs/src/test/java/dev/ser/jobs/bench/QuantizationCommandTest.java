package dev.ser.jobs.bench;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.JobTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ser quantization}'s bad inputs: one line naming the option, and an existing output kept.
 */
class QuantizationCommandTest {
    @TempDir Path tmp;

    @Test
    void aMissingModelIsOneLineAndTheExistingOutputIsKept() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Files.writeString(out.resolve("quantization.json"), "{}");
        String tiny = JobTestSupport.projectRoot().resolve("model/tiny-untrained").toString();
        var run =
                ser(
                        "quantization",
                        "--float",
                        tiny,
                        "--int8",
                        tmp.resolve("no-model").toString(),
                        "--notes",
                        tmp.toString(),
                        "--output",
                        out.toString(),
                        "--overwrite");
        assertEquals(2, run.code(), run.err());
        assertTrue(
                run.err().startsWith("ser: error: --int8: model directory")
                        && run.err().contains("no-model"),
                run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        assertEquals(
                "{}",
                Files.readString(out.resolve("quantization.json")),
                "a bad input deletes nothing");
    }
}
