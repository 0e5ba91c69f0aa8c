package dev.ser.jobs.demo;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's first command: the generated archive shows every status, with no corpus at all. */
class DemoCommandTest {
    @TempDir Path tmp;

    @Test
    void demoArchiveScoresFiveNotesAndShowsNoSpeechAndError() throws Exception {
        var run = ser("demo", "--dir", tmp.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode s = new ObjectMapper().readTree(tmp.resolve("output/summary.json").toFile());
        assertEquals(8, s.get("inputs").asInt());
        assertEquals(5, s.get("ok").asInt(), "the five speech notes");
        assertEquals(2, s.get("no_speech").asInt(), "the noise-only and the silent note");
        assertEquals(1, s.get("error").asInt(), "the corrupt file");
        double audio = s.get("audio_seconds").asDouble();
        assertEquals(45 + 95 + 150 + 30 + 70 + 25 + 12, audio, 0.01);
        double speech = s.get("speech_seconds").asDouble();
        assertTrue(
                speech > 0.4 * 390 && speech < 0.9 * 390,
                "speech found in the speaking notes: " + speech);
        assertEquals(
                "ser-default",
                s.get("model").get("name").asText(),
                "the demo uses the bundled default");
        assertEquals(true, s.get("model").get("trained").asBoolean());
    }
}
