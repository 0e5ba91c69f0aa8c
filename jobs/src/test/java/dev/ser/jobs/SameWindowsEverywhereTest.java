package dev.ser.jobs;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.bench.BenchmarkCommand;
import dev.ser.jobs.config.JobSettings;
import dev.ser.jobs.demo.VoiceNoteSynthesizer;
import dev.ser.jobs.scoring.ModelLocator;
import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.model.ModelPackage;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code prepare}, {@code score}, {@code evaluate} and {@code benchmark} build their front end in
 * one place, so for the same settings they cut the same windows from the same recordings. The
 * settings here are not the defaults (a 4 s hop, a 2 s shortest last window), so a job that ignored
 * {@code --conf} would cut other windows and fail. The recordings are generated, so this runs on
 * any clone.
 */
class SameWindowsEverywhereTest {
    @TempDir static Path tmp;
    static List<Path> notes = new ArrayList<>();
    static Path conf;
    static Path manifest;

    @BeforeAll
    static void notesAndSettings() throws Exception {
        double[][] notesSpec = {{21, 120}, {33.5, 210}, {9.7, 180}};
        StringBuilder csv = new StringBuilder("path,label,speaker\n");
        for (int i = 0; i < notesSpec.length; i++) {
            Path file = tmp.resolve("note-" + i + ".wav");
            float[] mono =
                    new VoiceNoteSynthesizer(16_000, 40 + i)
                            .voiceNote(notesSpec[i][0], notesSpec[i][1], -50, true);
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                WavWriter.write(out, new float[][] {mono}, 16_000, WavWriter.Encoding.PCM16, false);
            }
            notes.add(file);
            csv.append(file)
                    .append(',')
                    .append(List.of("angry", "happy", "sad").get(i))
                    .append(",s")
                    .append(i)
                    .append('\n');
        }
        manifest = tmp.resolve("labelled.csv");
        Files.writeString(manifest, csv);
        conf = tmp.resolve("windows.properties");
        Files.writeString(conf, "ser.window.hop-seconds=4.0\nser.window.min-last-seconds=2.0\n");
    }

    @Test
    void everyJobCutsTheSameWindowsForTheSameSettings() throws Exception {
        Path prepared = tmp.resolve("prepared");
        var run =
                ser(
                        "prepare",
                        "--corpus",
                        "manifest",
                        "--root",
                        manifest.toString(),
                        "--label-map",
                        "angry=anger,happy=happiness,sad=sadness",
                        "--folds",
                        "3",
                        "--conf",
                        conf.toString(),
                        "--output",
                        prepared.toString());
        assertEquals(0, run.code(), run.err());
        Map<String, List<String>> byPrepare = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(prepared.resolve("index.jsonl"))) {
            JsonNode w = json.readTree(line);
            if (w.get("status").asText().equals("ok")) {
                byPrepare
                        .computeIfAbsent(name(w.get("path").asText()), k -> new ArrayList<>())
                        .add(
                                w.get("window").asInt()
                                        + "@"
                                        + round(w.get("speech_seconds").asDouble()));
            }
        }
        JsonNode meta = json.readTree(prepared.resolve("prepare.json").toFile());
        assertEquals(
                4.0,
                meta.path("front_end").path("hop_seconds").asDouble(),
                "prepare honours --conf");

        Path scored = tmp.resolve("scored");
        run =
                ser(
                        "score",
                        "--input",
                        notes.get(0).toString(),
                        notes.get(1).toString(),
                        notes.get(2).toString(),
                        "--conf",
                        conf.toString(),
                        "--output",
                        scored.toString());
        assertEquals(0, run.code(), run.err());
        Map<String, List<String>> byScore = new TreeMap<>();
        SparkSession spark = reader();
        for (Row w :
                spark.read()
                        .parquet(scored.resolve("windows").toString())
                        .join(
                                spark.read()
                                        .parquet(scored.resolve("recordings").toString())
                                        .select("recording_id", "path"),
                                "recording_id")
                        .orderBy("path", "window_index")
                        .collectAsList()) {
            byScore.computeIfAbsent(name(w.getAs("path")), k -> new ArrayList<>())
                    .add(
                            w.<Integer>getAs("window_index")
                                    + "@"
                                    + round(w.<Double>getAs("speech_seconds")));
        }
        assertEquals(byPrepare, byScore, "score cuts the windows prepare cut, speech for speech");

        Path evaluated = tmp.resolve("evaluated");
        run =
                ser(
                        "evaluate",
                        "--corpus",
                        "manifest",
                        "--root",
                        manifest.toString(),
                        "--label-map",
                        "angry=anger,happy=happiness,sad=sadness",
                        "--folds",
                        "3",
                        "--conf",
                        conf.toString(),
                        "--output",
                        evaluated.toString());
        assertEquals(0, run.code(), run.err());
        Map<String, Integer> byEvaluate = new TreeMap<>();
        spark = reader(); // each command stops the session it shared
        for (Row r :
                spark.read().parquet(evaluated.resolve("predictions").toString()).collectAsList()) {
            byEvaluate.put(name(r.getAs("path")), r.<Integer>getAs("window_count"));
        }
        Map<String, Integer> counts = new TreeMap<>();
        byScore.forEach((k, v) -> counts.put(k, v.size()));
        assertEquals(counts, byEvaluate, "evaluate scores the same windows");

        ModelPackage model = ModelLocator.load(null, new Configuration());
        JobSettings settings = JobSettings.load(conf);
        int total = counts.values().stream().mapToInt(Integer::intValue).sum();
        assertEquals(
                total,
                BenchmarkCommand.windowsOf(notes, model, settings).size(),
                "the benchmark feeds the model the same windows");
        assertTrue(
                BenchmarkCommand.windowsOf(notes, model, JobSettings.load(null)).size() < total,
                "the default (no overlap) cuts fewer windows, so the comparison above can tell settings apart");

        // ser-default was trained on non-overlapping windows: both jobs say the run differs
        JsonNode summary = json.readTree(scored.resolve("summary.json").toFile());
        assertEquals(
                List.of(
                        "hop_seconds: this run 4.0, training 8.0",
                        "min_last_window_seconds: this run 2.0, training 1.0"),
                json.convertValue(summary.get("front_end_differs_from_training"), List.class));
        assertEquals("4.0", summary.path("settings").path("ser.window.hop-seconds").asText());
        JsonNode metrics = json.readTree(evaluated.resolve("metrics.json").toFile());
        assertEquals(
                2, metrics.path("models").path(0).path("front_end_differs_from_training").size());
        assertEquals(4.0, metrics.path("front_end").path("hop_seconds").asDouble());
    }

    @Test
    void aRunWithTheModelsOwnSettingsReportsNoDifference() throws Exception {
        Path scored = tmp.resolve("scored-default");
        var run = ser("score", "--input", notes.get(2).toString(), "--output", scored.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode summary = new ObjectMapper().readTree(scored.resolve("summary.json").toFile());
        assertEquals(0, summary.get("front_end_differs_from_training").size(), summary.toString());
        assertEquals("energy+silero", summary.path("front_end").path("detector").asText());
        assertEquals(0, summary.get("internal_errors").asInt());
    }

    private static SparkSession reader() {
        return JobTestSupport.localSpark(1);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    private static String round(double seconds) {
        return String.format("%.3f", seconds);
    }
}
