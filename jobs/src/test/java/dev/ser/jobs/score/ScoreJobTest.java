package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.jobs.JobTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport;
import dev.ser.jobs.JobTestSupport.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The score job in embedded local Spark, on real RAVDESS recordings mixed with broken files. */
class ScoreJobTest {
    @TempDir static Path tmp;
    static Path input;
    static Path output;

    @BeforeAll
    static void scoreAnArchive() throws IOException {
        input = tmp.resolve("archive");
        Path day1 = Files.createDirectories(input.resolve("2026-11-20"));
        Path day2 = Files.createDirectories(input.resolve("2026-11-21/nested"));
        for (String f :
                List.of("03-01-05-02-01-01-07", "03-01-03-01-02-02-08", "03-01-04-02-01-02-09")) {
            GeneratedSpeech.flac(day1.resolve(f + ".flac"), Long.parseLong(f.substring(18)), 3.5);
        }
        GeneratedSpeech.wav(day2.resolve("stereo-48k.wav"), 1, 4.0, 48_000, 2);
        Files.write(day2.resolve("silence.wav"), silenceWav(10));
        Files.write(
                day2.resolve("corrupt.wav"),
                new java.util.Random(1)
                        .ints(5000, 0, 256)
                        .collect(
                                java.io.ByteArrayOutputStream::new,
                                (o, b) -> o.write(b),
                                (a, b) -> {})
                        .toByteArray());
        Files.write(day2.resolve("empty.flac"), new byte[0]);
        output = tmp.resolve("out");
        Run run =
                ser(
                        "score",
                        "--input",
                        day1.toString(),
                        day2.getParent().toString(),
                        "--output",
                        output.toString(),
                        "--run-id",
                        "test-run");
        assertEquals(0, run.code(), run.err());
    }

    /**
     * A session for reading outputs (each command stops its own, so this one is made as needed).
     */
    static SparkSession reader() {
        return SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @AfterAll
    static void stop() {
        reader().stop();
    }

    static byte[] silenceWav(int seconds) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try {
            dev.ser.pipeline.audio.WavWriter.write(
                    out,
                    new float[][] {new float[seconds * 16_000]},
                    16_000,
                    dev.ser.pipeline.audio.WavWriter.Encoding.PCM16,
                    false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    private static List<Row> sql(String query) {
        reader().read()
                .parquet(output.resolve("recordings").toString())
                .createOrReplaceTempView("recordings");
        reader().read()
                .parquet(output.resolve("windows").toString())
                .createOrReplaceTempView("windows");
        return reader().sql(query).collectAsList();
    }

    @Test
    void everyInputFileHasExactlyOneRowWithItsStatus() {
        List<Row> rows =
                sql(
                        "SELECT path, status, error, window_count, emotion, model_name, model_trained, run_id, "
                                + "recording_id FROM recordings");
        assertEquals(7, rows.size());
        assertEquals(7, rows.stream().map(r -> r.getString(0)).distinct().count());
        Map<String, Row> byName = new HashMap<>();
        rows.forEach(
                r ->
                        byName.put(
                                Path.of(java.net.URI.create(r.getString(0)))
                                        .getFileName()
                                        .toString(),
                                r));
        for (String ok :
                List.of(
                        "03-01-05-02-01-01-07.flac",
                        "03-01-03-01-02-02-08.flac",
                        "03-01-04-02-01-02-09.flac",
                        "stereo-48k.wav")) {
            Row r = byName.get(ok);
            assertEquals("ok", r.getString(1), ok + ": " + r.getString(2));
            assertEquals(1, r.getInt(3));
            assertTrue(
                    List.of("anger", "happiness", "neutral", "sadness").contains(r.getString(4)));
        }
        assertEquals("no_speech", byName.get("silence.wav").getString(1));
        assertEquals("error", byName.get("corrupt.wav").getString(1));
        assertTrue(byName.get("corrupt.wav").getString(2).contains("unrecognised audio format"));
        assertEquals("error", byName.get("empty.flac").getString(1));
        assertTrue(byName.get("empty.flac").getString(2).contains("empty file"));
        for (Row r : rows) {
            assertEquals(
                    "ser-default",
                    r.getString(5),
                    "the bundled default model names itself in every row");
            assertTrue(r.getBoolean(6), "the bundled default is trained");
            assertEquals("test-run", r.getString(7));
            assertTrue(r.getString(8).matches("[0-9a-f]{16}"), r.getString(8));
        }
    }

    @Test
    void probabilitiesAreQueryableByLabelAndWindowsJoinTheirRecording() {
        List<Row> rows =
                sql(
                        "SELECT r.path, r.probabilities.anger + r.probabilities.happiness + r.probabilities.neutral "
                                + "+ r.probabilities.sadness, w.probabilities.sadness, w.start_seconds, w.end_seconds, r.duration_seconds "
                                + "FROM recordings r JOIN windows w ON r.recording_id = w.recording_id");
        assertEquals(4, rows.size());
        for (Row r : rows) {
            assertEquals(1.0, r.getFloat(1), 1e-5);
            assertTrue(r.getFloat(2) >= 0 && r.getFloat(2) <= 1);
            assertTrue(
                    r.getDouble(3) >= 0
                            && r.getDouble(4) > r.getDouble(3)
                            && r.getDouble(4) <= r.getDouble(5) + 1e-9);
        }
        assertEquals(
                0,
                sql("SELECT * FROM recordings WHERE status = 'ok' AND (emotion IS NULL OR probabilities IS NULL "
                                + "OR arousal IS NULL OR confidence < 0.25)")
                        .size());
    }

    @Test
    void summaryCountsTheRun() throws IOException {
        JsonNode s = new ObjectMapper().readTree(output.resolve("summary.json").toFile());
        assertEquals(7, s.get("inputs").asInt());
        assertEquals(4, s.get("ok").asInt());
        assertEquals(1, s.get("no_speech").asInt());
        assertEquals(2, s.get("error").asInt());
        double audio = sql("SELECT sum(duration_seconds) FROM recordings").get(0).getDouble(0);
        assertEquals(audio, s.get("audio_seconds").asDouble(), 1e-6);
        assertTrue(audio > 10 + 4 * 2.5, "10 s of silence and four utterances: " + audio);
        assertEquals(4, s.get("windows").asInt());
        // four windows are too few for an archive's own statistics: the training ones
        assertEquals("training", s.get("feature_normalisation").get("basis").asText());
        assertEquals(4, s.get("feature_normalisation").get("windows").asInt());
        assertTrue(s.get("wall_seconds").asDouble() > 0);
        assertEquals("ser-default", s.get("model").get("name").asText());
        JsonNode shipped =
                new ObjectMapper()
                        .readTree(
                                JobTestSupport.projectRoot()
                                        .resolve("model/ser-default/model.json")
                                        .toFile());
        assertEquals(
                shipped.get("onnx_sha256").asText(),
                s.get("model").get("sha256").asText(),
                "the summary names the graph that scored the run");
    }

    @Test
    void anUntrainedModelSaysSoInEveryRowAndTheSummary() throws IOException {
        Path out = tmp.resolve("untrained-out");
        Run run =
                ser(
                        "score",
                        "--input",
                        input.resolve("2026-11-20").toString(),
                        "--output",
                        out.toString(),
                        "--model",
                        dev.ser.jobs.JobTestSupport.projectRoot()
                                .resolve("model/tiny-untrained")
                                .toString());
        assertEquals(0, run.code(), run.err());
        reader().read().parquet(out.resolve("recordings").toString()).createOrReplaceTempView("u");
        assertEquals(
                0,
                reader().sql(
                                "SELECT * FROM u WHERE model_name != 'tiny-untrained (untrained)' OR model_trained")
                        .count());
        assertTrue(reader().sql("SELECT * FROM u").count() > 0);
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile());
        assertEquals("tiny-untrained (untrained)", s.get("model").get("name").asText());
        assertFalse(s.get("model").get("trained").asBoolean());
    }

    @Test
    void globsSelectFiles() {
        Path out = tmp.resolve("glob-out");
        Run run =
                ser(
                        "score",
                        "--input",
                        input.resolve("2026-11-20").toString() + "/*-07.flac",
                        "--output",
                        out.toString());
        assertEquals(0, run.code(), run.err());
        reader().read().parquet(out.resolve("recordings").toString()).createOrReplaceTempView("g");
        assertEquals(1, reader().sql("SELECT * FROM g WHERE status = 'ok'").count());
        assertEquals(1, reader().sql("SELECT * FROM g").count());
    }

    @Test
    void wrongConfigurationIsOneLineAndExitCode2() throws IOException {
        Run exists = ser("score", "--input", input.toString(), "--output", output.toString());
        assertEquals(2, exists.code());
        assertTrue(
                exists.err().startsWith("ser: error: output")
                        && exists.err().contains("--overwrite"),
                exists.err());
        assertEquals(1, exists.err().strip().lines().count(), exists.err());

        Run missingInput =
                ser(
                        "score",
                        "--input",
                        tmp.resolve("no-such-dir").toString(),
                        "--output",
                        tmp.resolve("x1").toString());
        assertEquals(2, missingInput.code());
        assertTrue(
                missingInput.err().contains("input does not exist")
                        && missingInput.err().contains("no-such-dir"),
                missingInput.err());
        assertFalse(Files.exists(tmp.resolve("x1")), "nothing left behind");

        Run missingModel =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        tmp.resolve("x2").toString(),
                        "--model",
                        tmp.resolve("no-model").toString());
        assertEquals(2, missingModel.code());
        assertTrue(
                missingModel.err().contains("model directory")
                        && missingModel.err().contains("does not exist"),
                missingModel.err());

        Path conf =
                Files.writeString(
                        tmp.resolve("bad.properties"), "ser.batch-size=4\nser.bacth-size=8\n");
        Run badKey =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        tmp.resolve("x3").toString(),
                        "--conf",
                        conf.toString());
        assertEquals(2, badKey.code());
        assertTrue(badKey.err().contains("unknown setting 'ser.bacth-size'"), badKey.err());

        Path zero = Files.writeString(tmp.resolve("zero.properties"), "ser.batch-size=0\n");
        Run badValue =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        tmp.resolve("x4").toString(),
                        "--conf",
                        zero.toString());
        assertEquals(2, badValue.code());
        assertTrue(
                badValue.err().contains("ser.batch-size=0 must be a positive whole number"),
                badValue.err());

        Run unknownOption =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        tmp.resolve("x5").toString(),
                        "--fast");
        assertEquals(2, unknownOption.code());
        assertTrue(unknownOption.err().contains("Unknown option: '--fast'"), unknownOption.err());
    }

    @Test
    void sileroVadIsUsedWhenConfiguredAndFindsTheSameSpeech() throws IOException {
        Path conf =
                Files.writeString(
                        tmp.resolve("silero.properties"),
                        "ser.vad=" + shared("models/silero_vad.onnx") + "\n");
        Path out = tmp.resolve("silero-out");
        Run run =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        out.toString(),
                        "--conf",
                        conf.toString());
        assertEquals(0, run.code(), run.err());
        reader().read()
                .parquet(out.resolve("recordings").toString())
                .createOrReplaceTempView("silero");
        List<Row> rows =
                reader().sql("SELECT status, count(*) FROM silero GROUP BY status ORDER BY status")
                        .collectAsList();
        assertEquals("[[error,2], [no_speech,1], [ok,4]]", rows.toString());
        // Silero and the energy detector agree on how much speech there is, roughly
        double silero = reader().sql("SELECT sum(speech_seconds) FROM silero").first().getDouble(0);
        double energy = sql("SELECT sum(speech_seconds) FROM recordings").get(0).getDouble(0);
        assertTrue(
                silero > 0.5 * energy && silero < 2 * energy,
                "silero " + silero + " s vs energy " + energy + " s");

        Path missing =
                Files.writeString(
                        tmp.resolve("nosilero.properties"), "ser.vad=/no/such/silero.onnx\n");
        Run bad =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        tmp.resolve("x6").toString(),
                        "--conf",
                        missing.toString());
        assertEquals(2, bad.code());
        assertTrue(
                bad.err().contains("Silero VAD model /no/such/silero.onnx does not exist"),
                bad.err());
    }

    @Test
    void helpDescribesTheCommand() {
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        System.setOut(new java.io.PrintStream(buf));
        try {
            assertEquals(0, dev.ser.jobs.Ser.execute("score", "--help"));
        } finally {
            System.setOut(old);
        }
        String help = buf.toString();
        assertTrue(
                help.contains("--input") && help.contains("--model") && help.contains("--master"),
                help);
    }
}
