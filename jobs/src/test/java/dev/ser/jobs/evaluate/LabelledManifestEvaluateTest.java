package dev.ser.jobs.evaluate;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.jobs.JobTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.JobTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ser evaluate} on a user's labelled manifest: real nEMO and ASED recordings listed in a CSV
 * with a user's own label names (angry, joyful, calm, down) and speaker ids, mapped with {@code
 * --label-map}; one label left unmapped is counted as excluded. Per speaker, the manifest's
 * speakers of enough windows are standardised apart and the rest with the manifest's statistics.
 */
class LabelledManifestEvaluateTest {
    @TempDir Path tmp;

    private static final Map<String, String> USER_LABELS =
            Map.of("anger", "angry", "happiness", "joyful", "neutral", "calm", "sadness", "down");

    /** {@code ser evaluate} on {@code manifest} with the users' label map. */
    private static JobTestSupport.Run evaluate(Path manifest, Path out, String... more) {
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "evaluate",
                                "--corpus",
                                "manifest",
                                "--root",
                                manifest.toString(),
                                "--label-map",
                                "angry=anger,joyful=happiness,calm=neutral,down=sadness",
                                "--output",
                                out.toString()));
        args.addAll(List.of(more));
        return ser(args.toArray(String[]::new));
    }

    @Test
    void evaluatesAManifestWithUsersLabelNames() throws IOException {
        Path nemo = shared("corpora/nemo/samples");
        Path ased = shared("corpora/ased");
        List<String> lines = new ArrayList<>(List.of("path,label,speaker,gender,device"));
        int perSpeaker = 0;
        for (String speaker : List.of("EB0", "KS0", "MK0", "TP0")) {
            for (String emotion : USER_LABELS.keySet()) {
                for (int i = 1; i <= 3; i++) {
                    Path f = nemo.resolve(speaker + "_" + emotion + "_" + i + ".opus");
                    if (Files.exists(f)) {
                        lines.add(
                                f + "," + USER_LABELS.get(emotion) + ",pl-" + speaker + ",,phone");
                        perSpeaker++;
                    }
                }
            }
        }
        assertTrue(perSpeaker >= 30, "enough nEMO clips: " + perSpeaker);
        try (Stream<Path> s = Files.list(ased.resolve("05Angry"))) {
            s.sorted()
                    .limit(6)
                    .forEach(
                            f ->
                                    lines.add(
                                            f
                                                    + ",angry,am-"
                                                    + f.getFileName().toString().substring(12, 14)
                                                    + ",m,studio"));
        }
        lines.add(ased.resolve("01Neutral").toFile().listFiles()[0] + ",bored,am-x,f,studio");
        Path manifest = tmp.resolve("my-notes.csv");
        Files.write(manifest, lines);

        Path out = tmp.resolve("eval");
        var run = evaluate(manifest, out, "--folds", "2");
        assertEquals(0, run.code(), run.err());
        JsonNode c =
                new ObjectMapper()
                        .readTree(out.resolve("metrics.json").toFile())
                        .path("corpora")
                        .path("my-notes");
        assertEquals(lines.size() - 1, c.path("clips").path("total").asInt(), c.toString());
        assertEquals(lines.size() - 2, c.path("clips").path("used").asInt(), c.toString());
        assertEquals("{\"bored\":1}", c.path("clips").path("excluded_by_label").toString());
        assertEquals(
                lines.size() - 2,
                c.path("clips").path("scored").asInt(),
                "every mapped clip is scored");
        assertTrue(c.path("over_folds").path("ua").path("mean").asDouble() > 0, c.toString());
        // predicted and true class shares, each summing to 1
        double truth = 0;
        double predicted = 0;
        for (String label : USER_LABELS.keySet()) {
            truth += c.path("class_shares").path("true").path(label).asDouble();
            predicted += c.path("class_shares").path("predicted").path(label).asDouble();
        }
        assertEquals(1.0, truth, 1e-9);
        assertEquals(1.0, predicted, 1e-9);
        long angry = lines.stream().filter(l -> l.contains(",angry,")).count();
        assertEquals(
                (double) angry / (lines.size() - 2),
                c.path("class_shares").path("true").path("anger").asDouble(),
                1e-9);

        var unmapped =
                ser(
                        "evaluate",
                        "--corpus",
                        "manifest",
                        "--root",
                        manifest.toString(),
                        "--output",
                        tmp.resolve("x").toString());
        assertEquals(2, unmapped.code());
        assertTrue(unmapped.err().contains("--label-map"), unmapped.err());
        assertEquals(1, unmapped.err().strip().lines().count(), unmapped.err());
        var badMap =
                ser(
                        "evaluate",
                        "--corpus",
                        "manifest",
                        "--root",
                        manifest.toString(),
                        "--label-map",
                        "angry",
                        "--output",
                        tmp.resolve("y").toString());
        assertEquals(2, badMap.code());
        assertTrue(badMap.err().contains("--label-map: 'angry' is not LABEL=CLASS"), badMap.err());

        Path conf =
                Files.writeString(
                        tmp.resolve("speaker.properties"), "ser.feature-normalisation=speaker\n");
        Path bySpeaker = tmp.resolve("by-speaker");
        var speakers = evaluate(manifest, bySpeaker, "--conf", conf.toString());
        assertEquals(0, speakers.code(), speakers.err());
        JsonNode used =
                new ObjectMapper()
                        .readTree(bySpeaker.resolve("metrics.json").toFile())
                        .path("models")
                        .get(0)
                        .path("feature_normalisation")
                        .path("my-notes");
        // 4 nEMO speakers of 10-12 clips have their own statistics; the ASED speakers of a clip or
        // two (the unmapped clip's speaker is not scored) take the manifest's
        long asedSpeakers =
                lines.stream()
                        .filter(l -> l.contains(",angry,am-"))
                        .map(l -> l.split(",")[2])
                        .distinct()
                        .count();
        assertEquals("speaker", used.path("basis").asText(), used.toString());
        assertEquals(4 + asedSpeakers, used.path("speakers").asLong(), used.toString());
        assertEquals(4, used.path("speakers_with_own_statistics").asInt(), used.toString());
        assertEquals("archive", used.path("others").path("basis").asText(), used.toString());
    }
}
