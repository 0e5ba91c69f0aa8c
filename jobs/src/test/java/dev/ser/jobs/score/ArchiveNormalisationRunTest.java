package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
 * standardised with their archive's statistics than with the training ones.
 */
class ArchiveNormalisationRunTest {
    @TempDir Path tmp;

    private static JsonNode summary(Path out) throws Exception {
        return new ObjectMapper().readTree(out.resolve("summary.json").toFile());
    }

    private static Map<String, Float> anger(Path out) {
        SparkSession spark = JobTestSupport.localSpark(1);
        Map<String, Float> m = new TreeMap<>();
        for (Row r :
                spark.read()
                        .parquet(out.resolve("recordings").toString())
                        .selectExpr("path", "probabilities.anger")
                        .collectAsList()) {
            m.put(r.getString(0), r.getFloat(1));
        }
        return m;
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

        Map<String, Float> own = anger(archive);
        Map<String, Float> trained = anger(training);
        assertEquals(own.keySet(), trained.keySet());
        int differ = 0;
        for (String path : own.keySet()) {
            differ += Math.abs(own.get(path) - trained.get(path)) > 1e-3 ? 1 : 0;
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
        assertEquals(
                trained.values().iterator().next(), anger(alone).values().iterator().next(), 1e-4);
        assertNotEquals(own.values().iterator().next(), anger(alone).values().iterator().next());
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
