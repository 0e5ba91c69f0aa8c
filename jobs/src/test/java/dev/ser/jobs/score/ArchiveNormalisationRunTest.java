package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport;
import dev.ser.jobs.JobTestSupport.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default model scored through the score job with archive normalisation on (the default) and
 * off: the run records the statistics it used, and the same recordings get other probabilities when
 * standardised with their archive's statistics than with the training ones; per speaker, a speaker
 * of enough windows is standardised apart and a speaker of few with the archive's statistics.
 */
class ArchiveNormalisationRunTest {
    @TempDir Path tmp;

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    /** Each recording's four probabilities, by path. */
    private static Map<String, float[]> probabilities(Path out) {
        SparkSession spark = JobTestSupport.localSpark(1);
        Map<String, float[]> m = new TreeMap<>();
        for (Row r :
                spark.read()
                        .parquet(out.resolve("recordings").toString())
                        .selectExpr(
                                "path",
                                "probabilities.anger",
                                "probabilities.happiness",
                                "probabilities.neutral",
                                "probabilities.sadness")
                        .collectAsList()) {
            m.put(
                    r.getString(0),
                    new float[] {r.getFloat(1), r.getFloat(2), r.getFloat(3), r.getFloat(4)});
        }
        return m;
    }

    private static double largestDifference(float[] a, float[] b) {
        double d = 0;
        for (int k = 0; k < a.length; k++) {
            d = Math.max(d, Math.abs(a[k] - b[k]));
        }
        return d;
    }

    @Test
    void aRunIsStandardisedWithItsOwnStatisticsUnlessTrainingIsAskedFor() throws Exception {
        Path input = tmp.resolve("notes");
        for (int i = 0; i < 12; i++) {
            GeneratedSpeech.wav(input.resolve("note" + i + ".wav"), 40 + i, 3.0, 16_000, 1);
        }
        Path archive = tmp.resolve("archive");
        Run a = ser("score", "--input", input.toString(), "--output", archive.toString());
        assertEquals(0, a.code(), a.err());
        JsonNode used = summary(archive).get("feature_normalisation");
        assertEquals("archive", used.get("basis").asText());
        assertEquals(summary(archive).get("windows").asInt(), used.get("windows").asInt());
        assertTrue(used.get("windows").asInt() >= 12, used.toString());

        Path conf =
                Files.writeString(
                        tmp.resolve("training.properties"), "ser.feature-normalisation=training\n");
        Path training = tmp.resolve("training");
        Run t =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        training.toString(),
                        "--conf",
                        conf.toString());
        assertEquals(0, t.code(), t.err());
        assertTrue(summary(training).get("feature_normalisation").isNull());
        assertEquals(
                "training",
                summary(training).get("settings").get("ser.feature-normalisation").asText());

        Map<String, float[]> own = probabilities(archive);
        Map<String, float[]> trained = probabilities(training);
        assertEquals(own.keySet(), trained.keySet());
        int differ = 0;
        for (String path : own.keySet()) {
            differ += largestDifference(own.get(path), trained.get(path)) > 1e-3 ? 1 : 0;
        }
        assertTrue(differ >= 10, differ + " of 12 recordings scored differently");

        Path one = tmp.resolve("one");
        Files.createDirectories(one);
        Files.copy(input.resolve("note0.wav"), one.resolve("note0.wav"));
        Path alone = tmp.resolve("alone");
        Run o = ser("score", "--input", one.toString(), "--output", alone.toString());
        assertEquals(0, o.code(), o.err());
        assertEquals("training", summary(alone).get("feature_normalisation").get("basis").asText());
        // one recording falls back to the training statistics: the same scores as a training run
        float[] aloneNote0 = probabilities(alone).values().iterator().next();
        assertArrayEquals(trained.values().iterator().next(), aloneNote0, 1e-4f);
        assertTrue(largestDifference(own.values().iterator().next(), aloneNote0) > 1e-6);
    }

    @Test
    void perSpeakerAManifestsTalkativeSpeakerIsStandardisedApartAQuietOneWithTheArchive()
            throws Exception {
        Path input = tmp.resolve("notes");
        StringBuilder manifest = new StringBuilder("path,speaker\n");
        for (int i = 0; i < 15; i++) {
            Path note = input.resolve("note" + i + ".wav");
            GeneratedSpeech.wav(note, 60 + i, 3.0, 16_000, 1);
            manifest.append(note).append(',').append(i < 12 ? "talkative" : "quiet").append('\n');
        }
        Path csv = Files.writeString(tmp.resolve("notes.csv"), manifest.toString());
        Path speakerConf =
                Files.writeString(
                        tmp.resolve("speaker.properties"), "ser.feature-normalisation=speaker\n");
        Path perSpeaker = tmp.resolve("per-speaker");
        java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
        java.io.PrintStream stdout = System.out;
        System.setOut(
                new java.io.PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8));
        Run s;
        try {
            s =
                    ser(
                            "score",
                            "--manifest",
                            csv.toString(),
                            "--output",
                            perSpeaker.toString(),
                            "--conf",
                            speakerConf.toString());
        } finally {
            System.setOut(stdout);
        }
        assertEquals(0, s.code(), s.err());
        JsonNode used = summary(perSpeaker).get("feature_normalisation");
        assertEquals("speaker", used.get("basis").asText(), used.toString());
        assertEquals(2, used.get("speakers").asInt(), used.toString());
        assertEquals(1, used.get("speakers_with_own_statistics").asInt(), used.toString());
        assertEquals("archive", used.get("others").get("basis").asText(), used.toString());
        String printed = console.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(
                printed.contains(
                        "features standardised per speaker: 1 of 2 speaker(s) with their own"
                                + " statistics, the others with the archive statistics (15 windows"),
                printed);

        Path archive = tmp.resolve("archive");
        Run a = ser("score", "--manifest", csv.toString(), "--output", archive.toString());
        assertEquals(0, a.code(), a.err());
        Map<String, float[]> bySpeaker = probabilities(perSpeaker);
        Map<String, float[]> byArchive = probabilities(archive);
        assertEquals(15, bySpeaker.size());
        assertEquals(bySpeaker.keySet(), byArchive.keySet());
        for (String path : bySpeaker.keySet()) {
            int i = Integer.parseInt(path.replaceAll(".*note(\\d+)\\.wav$", "$1"));
            double d = largestDifference(byArchive.get(path), bySpeaker.get(path));
            if (i < 12) {
                assertTrue(d > 1e-3, path + " differs by " + d);
            } else {
                assertTrue(d < 1e-6, path + " differs by " + d);
            }
        }

        Path folder = tmp.resolve("folder");
        Run f =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        folder.toString(),
                        "--conf",
                        speakerConf.toString());
        assertEquals(2, f.code(), f.err());
        assertTrue(
                f.err().contains("ser.feature-normalisation=speaker needs to know who speaks"),
                f.err());
        assertTrue(Files.notExists(folder), "nothing written");
    }

    @Test
    void aWrongValueIsOneLine() throws Exception {
        Path conf =
                Files.writeString(
                        tmp.resolve("bad.properties"), "ser.feature-normalisation=corpus\n");
        Run r =
                ser(
                        "score",
                        "--input",
                        tmp.toString(),
                        "--output",
                        tmp.resolve("out").toString(),
                        "--conf",
                        conf.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("ser.feature-normalisation=corpus must be 'archive'"), r.err());
    }
}
