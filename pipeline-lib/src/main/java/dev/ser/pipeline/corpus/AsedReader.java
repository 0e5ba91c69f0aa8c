package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ASED (Amharic Speech Emotion Dataset v1, 65 speakers): labels in the file names, {@code
 * xn-yy-aa-gg-bb.ext} (emotion letter and number, sentence, repetition, gender 01 female / 02 male,
 * speaker 01-65). n1 neutral, h3 happiness, s4 sadness, a5 anger; f2 fear is outside the 4 classes.
 * The speaker is {@code bb}. Two speakers' files carry both gender codes (a slip in the release),
 * so a speaker's gender is the code most of their files carry.
 */
public final class AsedReader implements CorpusReader {
    private static final Pattern NAME =
            Pattern.compile("([nhsaf])([1-5])-(\\d{2})-(\\d{2})-(0[12])-(\\d{2})");

    @Override
    public String corpus() {
        return "ased";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        List<Matcher> names = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        Map<String, int[]> genderVotes = new HashMap<>();
        for (Path file : AudioFiles.under(root)) {
            // one file of the release has an upper-case emotion letter (S4-04-02-01-29)
            Matcher m = NAME.matcher(AudioFiles.stem(file).toLowerCase(java.util.Locale.ROOT));
            if (!m.matches() || "nfhsa".indexOf(m.group(1)) + 1 != Integer.parseInt(m.group(2))) {
                throw new CorpusFormatException(
                        file
                                + ": not an ASED file name (xn-yy-aa-gg-bb: emotion, sentence, "
                                + "repetition, gender, speaker)");
            }
            names.add(m);
            files.add(file);
            genderVotes
                    .computeIfAbsent(m.group(6), k -> new int[2])[
                    m.group(5).equals("01") ? 0 : 1]++;
        }
        List<LabelledClip> clips = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            Matcher m = names.get(i);
            int[] votes = genderVotes.get(m.group(6));
            String label =
                    switch (m.group(1)) {
                        case "a" -> EmotionClass.ANGER;
                        case "h" -> EmotionClass.HAPPINESS;
                        case "n" -> EmotionClass.NEUTRAL;
                        case "s" -> EmotionClass.SADNESS;
                        default -> null;
                    };
            clips.add(
                    new LabelledClip(
                            files.get(i).toAbsolutePath().toString(),
                            corpus(),
                            m.group(6),
                            votes[0] > votes[1] ? "female" : "male",
                            m.group(1) + m.group(2),
                            label,
                            Map.of(
                                    "sentence",
                                    m.group(3),
                                    "repetition",
                                    m.group(4),
                                    "gender_code",
                                    m.group(5))));
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException(root + " holds no ASED audio files");
        }
        return new CorpusListing(corpus(), clips, Map.of());
    }
}
