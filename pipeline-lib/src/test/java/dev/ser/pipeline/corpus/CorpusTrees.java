package dev.ser.pipeline.corpus;

import dev.ser.pipeline.SharedCorpora;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Function;

/**
 * Test trees in the published layouts of the corpora that are not in ../shared: CREMA-D (its real
 * file names and metadata, with audio made by the caller) and IEMOCAP (label files with the real
 * line format, xxx, fru and exc among the labels).
 */
public final class CorpusTrees {
    private CorpusTrees() {}

    /**
     * CREMA-D under {@code root}: AudioWAV/ with the real names of the actors matching {@code
     * actors} (a regex on the 4-digit id), the real VideoDemographics.csv and
     * processedResults/summaryTable.csv. {@code audio} makes each file's bytes from its name.
     */
    public static Path cremaD(Path root, String actors, Function<String, byte[]> audio)
            throws IOException {
        Path meta = SharedCorpora.require("corpora/crema-d-metadata");
        Path wavs = Files.createDirectories(root.resolve("AudioWAV"));
        for (String name : Files.readAllLines(meta.resolve("AudioWAV-filenames.txt"))) {
            name = name.strip();
            if (name.substring(0, 4).matches(actors)) {
                Files.write(wavs.resolve(name), audio.apply(name));
            }
        }
        Files.copy(meta.resolve("VideoDemographics.csv"), root.resolve("VideoDemographics.csv"));
        Files.createDirectories(root.resolve("processedResults"));
        Files.copy(
                meta.resolve("summaryTable.csv"),
                root.resolve("processedResults/summaryTable.csv"));
        return root;
    }

    /**
     * The utterances of {@link #iemocap}: dialog, then label lines (and other lines the reader
     * skips).
     */
    public static final List<List<String>> IEMOCAP_DIALOGS =
            List.of(
                    List.of(
                            "Ses01F_impro01",
                            "[6.2901 - 8.2357]\tSes01F_impro01_F000\tneu\t[2.5000, 2.5000, 2.5000]",
                            "C-E2:\tNeutral;\t()",
                            "[10.0100 - 11.3925]\tSes01F_impro01_M000\tfru\t[2.5000, 3.5000, 3.0000]",
                            "[14.8872 - 18.0175]\tSes01F_impro01_F001\texc\t[3.5000, 3.5000, 3.0000]",
                            "[19.2900 - 20.7875]\tSes01F_impro01_M001\tang\t[1.5000, 3.5000, 4.0000]"),
                    List.of(
                            "Ses01M_script01_1",
                            "% comment line",
                            "[1.0000 - 2.5000]\tSes01M_script01_1_M000\tsad\t[2.0000, 2.0000, 2.0000]",
                            "[3.0000 - 4.5000]\tSes01M_script01_1_F000\txxx\t[2.5000, 2.5000, 2.5000]",
                            "[5.0000 - 6.0000]\tSes01M_script01_1_F001\thap\t[4.0000, 3.0000, 3.0000]"),
                    List.of(
                            "Ses02F_impro02",
                            "[1.0000 - 2.0000]\tSes02F_impro02_F000\tneu\t[2.5000, 2.5000, 2.5000]",
                            "[2.5000 - 3.5000]\tSes02F_impro02_M000\tsad\t[2.0000, 2.0000, 2.0000]",
                            "[4.0000 - 5.5000]\tSes02F_impro02_F001\tang\t[1.5000, 4.0000, 4.0000]",
                            "[6.0000 - 7.5000]\tSes02F_impro02_M001\texc\t[3.5000, 3.5000, 3.0000]"));

    /**
     * IEMOCAP under {@code root}: SessionN/dialog/EmoEvaluation/*.txt and SessionN/sentences/wav/.
     */
    public static Path iemocap(
            Path root, List<List<String>> dialogs, Function<String, byte[]> audio)
            throws IOException {
        for (List<String> dialog : dialogs) {
            String name = dialog.get(0);
            String session = "Session" + Integer.parseInt(name.substring(3, 5));
            Path labels =
                    Files.createDirectories(root.resolve(session).resolve("dialog/EmoEvaluation"));
            Files.write(labels.resolve(name + ".txt"), dialog.subList(1, dialog.size()));
            Path wavDir =
                    Files.createDirectories(
                            root.resolve(session).resolve("sentences/wav").resolve(name));
            for (String line : dialog) {
                if (line.startsWith("[")) {
                    String id = line.split("\t")[1];
                    Files.write(wavDir.resolve(id + ".wav"), audio.apply(id));
                }
            }
        }
        return root;
    }
}
