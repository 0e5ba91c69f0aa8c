package dev.ser.pipeline.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CorpusReadersTest {
    @TempDir Path tmp;

    private static Map<String, Long> byLabel(List<LabelledClip> clips) {
        return clips.stream()
                .collect(
                        Collectors.groupingBy(
                                LabelledClip::label, TreeMap::new, Collectors.counting()));
    }

    @Test
    void ravdessActors01To20() throws IOException {
        CorpusListing l = new RavdessReader(false).read(SharedCorpora.require("corpora/ravdess"));
        assertEquals(1200, l.clips().size());
        // per actor: 4 neutral and 8 of every other emotion
        assertEquals(
                Map.of("anger", 160L, "happiness", 160L, "neutral", 80L, "sadness", 160L),
                byLabel(l.used()));
        assertEquals(
                Map.of("calm", 160, "disgust", 160, "fearful", 160, "surprised", 160),
                l.excludedByCorpusLabel());
        LabelledClip c =
                l.clips().stream()
                        .filter(x -> x.path().endsWith("03-01-05-02-01-02-07.flac"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("Actor_07", c.speaker());
        assertEquals("male", c.gender());
        assertEquals("anger", c.label());
        assertEquals("strong", c.facts().get("intensity"));
        assertEquals("01", c.facts().get("statement"));
        assertEquals(
                "female",
                l.clips().stream()
                        .filter(x -> x.speaker().equals("Actor_08"))
                        .findFirst()
                        .orElseThrow()
                        .gender());

        CorpusListing calm = new RavdessReader(true).read(SharedCorpora.require("corpora/ravdess"));
        assertEquals(240L, byLabel(calm.used()).get("neutral"));
        assertEquals("true", calm.options().get("calm_as_neutral"));
    }

    @Test
    void emoDb() throws IOException {
        CorpusListing l = new EmoDbReader().read(SharedCorpora.require("corpora/emodb/wav"));
        assertEquals(535, l.clips().size());
        // the corpus README's counts: W 127, F 71, N 79, T 62; L 81, E 46, A 69 excluded
        assertEquals(
                Map.of("anger", 127L, "happiness", 71L, "neutral", 79L, "sadness", 62L),
                byLabel(l.used()));
        assertEquals(Map.of("A", 69, "E", 46, "L", 81), l.excludedByCorpusLabel());
        assertEquals(10, l.clips().stream().map(LabelledClip::speaker).distinct().count());
        assertEquals(
                5,
                l.clips().stream()
                        .filter(c -> c.gender().equals("male"))
                        .map(LabelledClip::speaker)
                        .distinct()
                        .count());
    }

    @Test
    void malformedNamesAreErrorsNamingTheFile() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ravdess/Actor_01"));
        TestAudio.writeWav(dir.resolve("03-01-05-01-01-01-01.wav"), new float[100], 16_000);
        TestAudio.writeWav(dir.resolve("recording.wav"), new float[100], 16_000);
        var e =
                assertThrows(
                        CorpusFormatException.class,
                        () -> new RavdessReader(false).read(tmp.resolve("ravdess")));
        assertTrue(e.getMessage().contains("recording.wav"), e.getMessage());
        var missing =
                assertThrows(
                        CorpusFormatException.class,
                        () -> new EmoDbReader().read(tmp.resolve("nothing")));
        assertTrue(missing.getMessage().contains("nothing"), missing.getMessage());
    }

    private static byte[] tone(String name) {
        return TestAudio.wav(
                new float[][] {TestAudio.sine(200, 0.3, 16_000, 0.3)},
                16_000,
                dev.ser.pipeline.audio.WavWriter.Encoding.PCM16,
                false);
    }

    /**
     * A CREMA-D tree: the real file names of 6 actors and the real metadata, with generated audio.
     */
    private Path cremaTree() throws IOException {
        return CorpusTrees.cremaD(tmp.resolve("crema-d"), "100[1-6]", CorpusReadersTest::tone);
    }

    @Test
    void cremaDIntendedAndPerceivedLabels() throws IOException {
        Path root = cremaTree();
        long files;
        try (var s = Files.list(root.resolve("AudioWAV"))) {
            files = s.count();
        }
        CorpusListing intended = new CremaDReader(CremaDReader.LabelSource.INTENDED).read(root);
        assertEquals(files, intended.clips().size());
        // by the names: the intended emotion is the third field
        Map<String, Long> expected = new TreeMap<>();
        Map<String, String> code =
                Map.of("ANG", "anger", "HAP", "happiness", "NEU", "neutral", "SAD", "sadness");
        for (LabelledClip c : intended.clips()) {
            String field = Path.of(c.path()).getFileName().toString().split("_")[2];
            if (code.containsKey(field)) {
                expected.merge(code.get(field), 1L, Long::sum);
            }
        }
        assertEquals(expected, byLabel(intended.used()));
        assertTrue(intended.excludedByCorpusLabel().keySet().containsAll(List.of("DIS", "FEA")));
        LabelledClip first =
                intended.clips().stream()
                        .filter(c -> c.path().endsWith("1001_DFA_ANG_XX.wav"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("male", first.gender());
        assertEquals(
                "1002",
                intended.clips().stream()
                        .filter(c -> c.gender().equals("female"))
                        .findFirst()
                        .orElseThrow()
                        .speaker());

        CorpusListing perceived = new CremaDReader(CremaDReader.LabelSource.PERCEIVED).read(root);
        // the votes, read here by plain splitting of the summary table's lines
        Map<String, String> votes = new HashMap<>();
        for (String line :
                Files.readAllLines(root.resolve("processedResults/summaryTable.csv"))
                        .subList(1, 7443)) {
            String[] f = line.replace("\"", "").split(",");
            votes.put(f[1], f[2]);
        }
        for (LabelledClip c : perceived.clips()) {
            String vote = votes.get(Path.of(c.path()).getFileName().toString().replace(".wav", ""));
            String want =
                    vote.contains(":")
                            ? null
                            : Map.of("A", "anger", "H", "happiness", "N", "neutral", "S", "sadness")
                                    .get(vote);
            assertEquals(want, c.label(), c.path() + " vote " + vote);
        }
        assertTrue(perceived.excludedByCorpusLabel().containsKey("tie"), "ties are counted");

        Files.delete(root.resolve("VideoDemographics.csv"));
        var e =
                assertThrows(
                        CorpusFormatException.class,
                        () -> new CremaDReader(CremaDReader.LabelSource.INTENDED).read(root));
        assertTrue(e.getMessage().contains("VideoDemographics.csv"), e.getMessage());
    }

    /** An IEMOCAP tree in the official layout, with generated audio. */
    private Path iemocapTree() throws IOException {
        return CorpusTrees.iemocap(
                tmp.resolve("iemocap"), CorpusTrees.IEMOCAP_DIALOGS, CorpusReadersTest::tone);
    }

    @Test
    void iemocapLabelsSpeakersAndSessions() throws IOException {
        Path root = iemocapTree();
        CorpusListing merged = new IemocapReader(true).read(root);
        assertEquals(11, merged.clips().size());
        assertEquals(
                Map.of("anger", 2L, "happiness", 3L, "neutral", 2L, "sadness", 2L),
                byLabel(merged.used()));
        assertEquals(Map.of("fru", 1, "xxx", 1), merged.excludedByCorpusLabel());
        LabelledClip exc =
                merged.clips().stream()
                        .filter(c -> c.corpusLabel().equals("exc"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("happiness", exc.label());
        assertEquals("Ses01F", exc.speaker());
        assertEquals("female", exc.gender());
        assertEquals("improvised", exc.facts().get("mode"));
        assertTrue(Files.exists(Path.of(exc.path())), exc.path());
        LabelledClip sad =
                merged.clips().stream()
                        .filter(c -> c.path().endsWith("Ses01M_script01_1_M000.wav"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("Ses01M", sad.speaker());
        assertEquals("scripted", sad.facts().get("mode"));
        assertEquals("1", sad.facts().get("session"));

        CorpusListing unmerged = new IemocapReader(false).read(root);
        assertNull(
                unmerged.clips().stream()
                        .filter(c -> c.corpusLabel().equals("exc"))
                        .findFirst()
                        .orElseThrow()
                        .label());
        assertEquals(2, unmerged.excludedByCorpusLabel().get("exc"));

        Map<String, Integer> folds = LeaveSpeakersOutFolds.assign(merged.used(), 5);
        assertEquals(
                Map.of("Ses01F", 0, "Ses01M", 0, "Ses02F", 1, "Ses02M", 1),
                folds,
                "folds are sessions");

        Path bad = root.resolve("Session2/dialog/EmoEvaluation/Ses02F_impro02.txt");
        Files.writeString(
                bad,
                "[1.0 - 2.0] Ses02F_impro02_F000 neu\n",
                java.nio.file.StandardOpenOption.APPEND);
        var e = assertThrows(CorpusFormatException.class, () -> new IemocapReader(true).read(root));
        assertTrue(e.getMessage().contains("Ses02F_impro02.txt:5"), e.getMessage());
    }

    @Test
    void speakerFoldsBalanceGenders() throws IOException {
        CorpusListing ravdess =
                new RavdessReader(false).read(SharedCorpora.require("corpora/ravdess"));
        Map<String, Integer> folds = LeaveSpeakersOutFolds.assign(ravdess.used(), 5);
        assertEquals(20, folds.size());
        for (int f = 0; f < 5; f++) {
            int fold = f;
            List<String> speakers =
                    folds.entrySet().stream()
                            .filter(e -> e.getValue() == fold)
                            .map(Map.Entry::getKey)
                            .toList();
            long female =
                    speakers.stream()
                            .filter(s -> Integer.parseInt(s.substring(6)) % 2 == 0)
                            .count();
            assertEquals(4, speakers.size(), "fold " + f + ": " + speakers);
            assertEquals(2, female, "fold " + f + ": " + speakers);
        }
        assertEquals(folds, LeaveSpeakersOutFolds.assign(ravdess.used(), 5), "deterministic");
        CorpusListing emodb = new EmoDbReader().read(SharedCorpora.require("corpora/emodb/wav"));
        Map<String, Integer> e = LeaveSpeakersOutFolds.assign(emodb.used(), 5);
        for (int f = 0; f < 5; f++) {
            int fold = f;
            assertEquals(2, e.values().stream().filter(v -> v == fold).count());
        }
    }
}
