package dev.ser.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the fuzz test's seeds and findings ({@code AudioDecoderFuzzTestInputs/}) through the same
 * property as {@link AudioDecoderFuzzTest}, on every test run and without the fuzzer: each file
 * decodes, or fails with the readers' own errors, within seconds and bounded memory.
 */
class DecoderFindingsTest {
    static final Path INPUTS =
            Path.of(
                    "src/test/resources/dev/ser/pipeline/audio/AudioDecoderFuzzTestInputs/"
                            + "anyBytesDecodeOrFailWithTheReadersOwnErrors");

    static Stream<Path> inputs() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(INPUTS)) {
            files = s.sorted().toList();
        }
        assertTrue(
                files.stream().anyMatch(p -> p.getFileName().toString().startsWith("crash-")),
                "the first finding is kept as a regression input");
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("inputs")
    void decodesOrFailsCleanly(Path input) throws Exception {
        byte[] data = Files.readAllBytes(input);
        assertTimeoutPreemptively(
                Duration.ofSeconds(20), () -> AudioDecoderFuzzTest.decodeOrFailCleanly(data));
    }
}
