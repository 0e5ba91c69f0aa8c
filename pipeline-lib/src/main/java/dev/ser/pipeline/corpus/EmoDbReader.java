package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * EmoDB (Berlin Database of Emotional Speech): labels in the file names, {@code SSTTTEV.ext}
 * (speaker, text, German emotion letter, version). W (Wut) anger, F (Freude) happiness, N neutral,
 * T (Trauer) sadness; L boredom, E disgust, A fear are outside the 4 classes.
 */
public final class EmoDbReader implements CorpusReader {
    private static final Pattern NAME = Pattern.compile("(\\d{2})([a-z]\\d{2})([WLEAFTN])([a-z])");
    private static final Set<String> MALE = Set.of("03", "10", "11", "12", "15");
    private static final Set<String> SPEAKERS =
            Set.of("03", "08", "09", "10", "11", "12", "13", "14", "15", "16");

    @Override
    public String corpus() {
        return "emodb";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        List<LabelledClip> clips = new ArrayList<>();
        for (Path file : AudioFiles.under(root)) {
            Matcher m = NAME.matcher(AudioFiles.stem(file));
            if (!m.matches() || !SPEAKERS.contains(m.group(1))) {
                throw new CorpusFormatException(
                        file + ": not an EmoDB file name (speaker, text, emotion letter, version)");
            }
            String letter = m.group(3);
            String label =
                    switch (letter) {
                        case "W" -> EmotionClass.ANGER;
                        case "F" -> EmotionClass.HAPPINESS;
                        case "N" -> EmotionClass.NEUTRAL;
                        case "T" -> EmotionClass.SADNESS;
                        default -> null;
                    };
            clips.add(
                    new LabelledClip(
                            file.toAbsolutePath().toString(),
                            corpus(),
                            m.group(1),
                            MALE.contains(m.group(1)) ? "male" : "female",
                            letter,
                            label,
                            Map.of("text", m.group(2), "version", m.group(4))));
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException(root + " holds no EmoDB audio files");
        }
        return new CorpusListing(corpus(), clips, Map.of());
    }
}
