package dev.ser.jobs;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user watches while a job runs: the Spark UI's address, a progress line driven by Spark's
 * listener events (recordings done of the total, hours of audio, rate, time left) for score,
 * prepare and evaluate, and the final time per stage, also in {@code summary.json}.
 */
class RunProgressTest {
    @TempDir static Path tmp;

    /** Runs the command line and returns what it printed on standard output. */
    private static String printed(String... args) {
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            var run = ser(args);
            assertEquals(0, run.code(), run.err());
        } finally {
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        console.print(out);
        return out;
    }

    @Test
    void scorePrepareAndEvaluateShowTheUiTheirProgressAndWhereTheTimeWent() throws Exception {
        StringBuilder manifest = new StringBuilder("path,label,speaker\n");
        for (int i = 0; i < 6; i++) {
            Path note = GeneratedSpeech.wav(tmp.resolve("notes/n" + i + ".wav"), i, 9, 16_000, 1);
            manifest.append(note)
                    .append(',')
                    .append(i % 2 == 0 ? "sad" : "angry")
                    .append(",s")
                    .append(i % 3)
                    .append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("labelled.csv"), manifest);
        // a line after every task, and the UI on (as conf/ser.properties has it)
        Path conf =
                Files.writeString(
                        tmp.resolve("progress.properties"),
                        "ser.progress-seconds=0.001\nspark.ui.enabled=true\n");

        String score =
                printed(
                        "score",
                        "--input",
                        tmp.resolve("notes").toString(),
                        "--conf",
                        conf.toString(),
                        "--output",
                        tmp.resolve("scored").toString());
        assertTrue(score.matches("(?s).*Spark UI: http://[^ ]+:\\d+ .*"), score);
        assertTrue(score.contains("scoring: 6 of 6 recordings (100%), 0.02 h of audio"), score);
        assertTrue(!score.contains("scoring: 0 of 6"), "no line without news: " + score);
        assertTrue(
                score.matches(
                        "(?s).*time: model loading [0-9.]+ s, listing [0-9.]+ s, scoring [0-9.]+ s.*"),
                score);
        JsonNode summary = new ObjectMapper().readTree(tmp.resolve("scored/summary.json").toFile());
        for (String stage :
                List.of(
                        "model_loading",
                        "listing",
                        "scoring",
                        "decoding",
                        "vad",
                        "inference",
                        "writing")) {
            assertTrue(
                    summary.path("stage_seconds").path(stage).asDouble(-1) >= 0,
                    stage + ": " + summary);
        }
        assertTrue(
                summary.path("stage_seconds").path("inference").asDouble() > 0, summary.toString());

        String prepare =
                printed(
                        "prepare",
                        "--corpus",
                        "manifest",
                        "--root",
                        csv.toString(),
                        "--label-map",
                        "sad=sadness,angry=anger",
                        "--folds",
                        "3",
                        "--conf",
                        conf.toString(),
                        "--output",
                        tmp.resolve("prepared").toString());
        assertTrue(prepare.contains("preparing: 6 of 6 recordings (100%)"), prepare);

        String evaluate =
                printed(
                        "evaluate",
                        "--corpus",
                        "manifest",
                        "--root",
                        csv.toString(),
                        "--label-map",
                        "sad=sadness,angry=anger",
                        "--folds",
                        "3",
                        "--conf",
                        conf.toString(),
                        "--output",
                        tmp.resolve("evaluated").toString());
        assertTrue(evaluate.contains("evaluating: 6 of 6 recordings (100%)"), evaluate);
    }

    @Test
    void noProgressLinesWhenTurnedOff() throws Exception {
        GeneratedSpeech.wav(tmp.resolve("quiet/q.wav"), 9, 5, 16_000, 1);
        Path conf =
                Files.writeString(
                        tmp.resolve("quiet.properties"),
                        "ser.progress-seconds=0\nspark.ui.enabled=false\n");
        String score =
                printed(
                        "score",
                        "--input",
                        tmp.resolve("quiet").toString(),
                        "--conf",
                        conf.toString(),
                        "--output",
                        tmp.resolve("quiet-out").toString());
        assertTrue(!score.contains("scoring:") && !score.contains("Spark UI"), score);
        assertTrue(score.contains("ser score: 1 recording(s)"), score);
    }
}
