package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.JobTestSupport;
import dev.ser.jobs.JobTestSupport.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Wrong configurations of the score job's newer inputs: each is one line that says what is wrong
 * and what to do, exit code 2, and no output left behind. (ScoreJobTest covers an existing output,
 * a missing input or model, unknown settings and options.)
 */
class BadConfigurationTest {
    @TempDir Path tmp;
    Path input;
    Path out;

    @BeforeEach
    void input() throws Exception {
        input = Files.createDirectories(tmp.resolve("in"));
        Files.write(input.resolve("silence.wav"), ScoreJobTest.silenceWav(1));
        out = tmp.resolve("out");
    }

    private void assertOneLine(Run run, String... parts) {
        assertEquals(2, run.code(), run.err());
        assertEquals(1, run.err().strip().lines().count(), run.err());
        for (String part : parts) {
            assertTrue(run.err().contains(part), run.err());
        }
        assertFalse(Files.exists(out), "nothing is left behind");
    }

    @Test
    void aModelManifestThatDoesNotMatchItsGraph() throws Exception {
        Path model = Files.createDirectories(tmp.resolve("model"));
        Path tiny = JobTestSupport.projectRoot().resolve("model/tiny-untrained");
        Files.copy(tiny.resolve("model.onnx"), model.resolve("model.onnx"));
        Files.writeString(
                model.resolve("model.json"),
                Files.readString(tiny.resolve("model.json"))
                        .replace("\"sadness\"", "\"sadness\", \"fear\""));
        assertOneLine(
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        model.toString()),
                "has 4 classes but the manifest lists 5 labels",
                "make model.json's labels match");
    }

    @Test
    void inputAndManifestTogether() {
        Run run =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--manifest",
                        "m.csv",
                        "--output",
                        out.toString());
        assertEquals(2, run.code());
        assertTrue(
                run.err().contains("--input")
                        && run.err().contains("--manifest")
                        && run.err().contains("mutually exclusive"),
                run.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aMissingManifest() {
        assertOneLine(
                ser(
                        "score",
                        "--manifest",
                        tmp.resolve("none.csv").toString(),
                        "--output",
                        out.toString()),
                "manifest",
                "does not exist");
    }

    @Test
    void incrementalWithOverwriteOrAnUnknownKey() {
        assertOneLine(
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--incremental",
                        "--overwrite"),
                "--incremental adds to OUT and --overwrite replaces it");
        assertOneLine(
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--incremental=mtime"),
                "--incremental=mtime is not a key");
    }

    /** {@code ser score} of the input into {@code out} with the settings {@code properties}. */
    private Run scoreWith(String properties, String... more) throws Exception {
        Path conf = Files.writeString(tmp.resolve("settings.properties"), properties);
        List<String> args =
                new ArrayList<>(
                        List.of("score", "--input", input.toString(), "--conf", conf.toString()));
        args.addAll(List.of(more));
        if (!args.contains("--output")) {
            args.addAll(List.of("--output", out.toString()));
        }
        return ser(args.toArray(String[]::new));
    }

    @Test
    void archiveLimitsOutOfRange() throws Exception {
        assertOneLine(
                scoreWith("ser.archive.max-ratio=0.5\n"),
                "ser.archive.max-ratio=0.5 must be a number of at least 1");
        assertOneLine(
                scoreWith("ser.archive.max-entry-bytes=lots\n"),
                "ser.archive.max-entry-bytes=lots must be a positive number of bytes");
    }

    @Test
    void anUnknownSpeechDetector() throws Exception {
        assertOneLine(
                scoreWith("ser.vad=webrtc\n"),
                "ser.vad=webrtc is not a detector; use one of energy+silero, energy, silero,"
                        + " or the path of a Silero VAD v5 .onnx file");
    }

    @Test
    void aMalformedSettingFailsBeforeAnExistingOutputIsReplaced() throws Exception {
        Path earlier = Files.createDirectories(tmp.resolve("earlier"));
        Files.writeString(earlier.resolve("summary.json"), "{}");
        Run run =
                scoreWith(
                        "ser.progress-seconds=soon\n",
                        "--output",
                        earlier.toString(),
                        "--overwrite");
        assertEquals(2, run.code(), run.err());
        assertTrue(run.err().contains("ser.progress-seconds=soon must be a number"), run.err());
        assertTrue(Files.exists(earlier.resolve("summary.json")), "the earlier output is kept");
    }
}
