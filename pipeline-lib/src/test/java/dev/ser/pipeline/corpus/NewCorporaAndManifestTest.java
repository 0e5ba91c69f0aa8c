package dev.ser.pipeline.corpus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** nEMO and ASED in their shared layouts; users' labelled manifests with generated audio. */
class NewCorporaAndManifestTest {
    @TempDir Path tmp;

    private static Map<String, Long> byLabel(List<LabelledClip> clips) {
        return clips.stream()
                .collect(
                        Collectors.groupingBy(
                                LabelledClip::label, TreeMap::new, Collectors.counting()));
    }

    @Test
    void nemoFromItsTable() throws IOException {
        CorpusListing l = new NemoReader().read(SharedCorpora.require("corpora/nemo"));
        // the corpus README's counts per class, and its 9 speakers (4 female)
        assertEquals(
                Map.of("anger", 749L, "happiness", 749L, "neutral", 809L, "sadness", 769L),
                byLabel(l.used()));
        assertEquals(9, l.clips().stream().map(LabelledClip::speaker).distinct().count());
        assertEquals(
                4,
                l.clips().stream()
                        .filter(c -> c.gender().equals("female"))
                        .map(LabelledClip::speaker)
                        .distinct()
                        .count());
        LabelledClip c =
                l.clips().stream()
                        .filter(x -> x.path().endsWith("EB0_neutral_13.opus"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("EB0", c.speaker(), "speaker ids are trimmed");
        assertEquals("neutral", c.label());
        assertTrue(
                Files.isRegularFile(Path.of(c.path())),
                "the Opus file is found by the stem of file_id");
    }

    @Test
    void asedFromItsFileNames() throws IOException {
        CorpusListing l = new AsedReader().read(SharedCorpora.require("corpora/ased"));
        assertEquals(
                Map.of("anger", 486L, "happiness", 486L, "neutral", 522L, "sadness", 470L),
                byLabel(l.used()));
        LabelledClip c =
                l.clips().stream()
                        .filter(x -> x.path().endsWith("a5-03-01-02-50.flac"))
                        .findFirst()
                        .orElseThrow();
        assertEquals("50", c.speaker());
        assertEquals("anger", c.label());
        assertEquals("03", c.facts().get("sentence"));
        // a speaker has one gender even where the release's codes disagree
        Map<String, Long> gendersPerSpeaker =
                l.clips().stream()
                        .collect(
                                Collectors.groupingBy(
                                        LabelledClip::speaker,
                                        Collectors.mapping(
                                                LabelledClip::gender,
                                                Collectors.collectingAndThen(
                                                        Collectors.toSet(),
                                                        s -> (long) s.size()))));
        assertTrue(
                gendersPerSpeaker.values().stream().allMatch(n -> n == 1),
                gendersPerSpeaker.toString());
    }

    @Test
    void asedNamesAreCheckedAndTheGenderIsTheMajorityCode() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("ased/05Angry"));
        byte[] tone =
                TestAudio.wav(
                        new float[][] {TestAudio.sine(200, 0.3, 16_000, 0.3)},
                        16_000,
                        dev.ser.pipeline.audio.WavWriter.Encoding.PCM16,
                        false);
        Files.write(root.resolve("a5-01-01-01-09.wav"), tone);
        Files.write(root.resolve("A5-01-02-01-09.wav"), tone);
        Files.write(root.resolve("f2-01-01-02-09.wav"), tone);
        CorpusListing l = new AsedReader().read(tmp.resolve("ased"));
        assertEquals(3, l.clips().size());
        assertTrue(l.clips().stream().allMatch(c -> c.gender().equals("female")));
        assertEquals(Map.of("f2", 1), l.excludedByCorpusLabel());
        Files.write(root.resolve("a4-01-01-01-09.wav"), tone); // letter and number disagree
        var e =
                assertThrows(
                        CorpusFormatException.class,
                        () -> new AsedReader().read(tmp.resolve("ased")));
        assertTrue(e.getMessage().contains("a4-01-01-01-09.wav"), e.getMessage());
    }

    @Test
    void labelledManifestWithUsersLabelNames() throws IOException {
        Path notes = Files.createDirectories(tmp.resolve("notes/phone"));
        byte[] tone =
                TestAudio.wav(
                        new float[][] {TestAudio.sine(200, 0.3, 16_000, 0.3)},
                        16_000,
                        dev.ser.pipeline.audio.WavWriter.Encoding.PCM16,
                        false);
        for (String n : List.of("a.wav", "b.wav", "c.wav", "d.wav")) {
            Files.write(notes.resolve(n), tone);
        }
        Path manifest = tmp.resolve("notes/my-notes.csv");
        Files.writeString(
                manifest,
                """
                path,label,speaker,gender,user_id
                phone/a.wav,Angry,u1,F,1001
                phone/b.wav,joy,u1,female,1001
                %s,calm,u2,,1002
                phone/d.wav,bored,u2,m,1002
                """
                        .formatted(notes.resolve("c.wav").toAbsolutePath()));
        var reader =
                new LabelledManifestReader(
                        LabelledManifestReader.corpusName(manifest.toString()),
                        LabelMap.parse("angry=anger, joy=happiness,calm=neutral"));
        CorpusListing l = reader.read(manifest);
        assertEquals("my-notes", l.corpus());
        assertEquals(
                List.of("anger", "happiness", "neutral"),
                l.used().stream().map(LabelledClip::label).toList());
        assertEquals(
                Map.of("bored", 1),
                l.excludedByCorpusLabel(),
                "an unmapped label is counted, not dropped");
        LabelledClip a = l.clips().get(0);
        assertEquals(
                notes.resolve("a.wav").toAbsolutePath().toString(),
                a.path(),
                "relative to the manifest");
        assertEquals("female", a.gender());
        assertEquals("1001", a.facts().get("user_id"));
        assertEquals("unknown", l.clips().get(2).gender());
        assertEquals("male", l.clips().get(3).gender());
        // without the map, none of these labels is a class: one error that says how to map them
        assertThrows(
                CorpusFormatException.class,
                () -> new LabelledManifestReader("x", LabelMap.IDENTITY).read(manifest));
    }

    @Test
    void badManifestsAreOneLineThatSaysWhatToDo() throws IOException {
        Path noSpeaker = tmp.resolve("a.csv");
        Files.writeString(noSpeaker, "path,label\nx.wav,anger\n");
        var reader = new LabelledManifestReader("a", LabelMap.IDENTITY);
        var e = assertThrows(CorpusFormatException.class, () -> reader.read(noSpeaker));
        assertTrue(e.getMessage().contains("no speaker column"), e.getMessage());

        Path unmapped = tmp.resolve("b.csv");
        Files.writeString(unmapped, "path,label,speaker\nx.wav,angry,s1\ny.wav,mad,s1\n");
        e = assertThrows(CorpusFormatException.class, () -> reader.read(unmapped));
        assertTrue(e.getMessage().contains("--label-map angry=anger"), e.getMessage());

        Path emptySpeaker = tmp.resolve("c.csv");
        Files.writeString(emptySpeaker, "path,label,speaker\nx.wav,anger,\n");
        e = assertThrows(CorpusFormatException.class, () -> reader.read(emptySpeaker));
        assertTrue(e.getMessage().contains("row 1"), e.getMessage());

        assertThrows(CorpusFormatException.class, () -> reader.read(tmp.resolve("missing.csv")));
        var bad =
                assertThrows(IllegalArgumentException.class, () -> LabelMap.parse("angry=furious"));
        assertTrue(bad.getMessage().contains("angry=furious"), bad.getMessage());
    }
}
