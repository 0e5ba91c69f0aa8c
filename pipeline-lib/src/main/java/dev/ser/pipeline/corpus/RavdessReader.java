package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RAVDESS: labels are in the file names, {@code MM-VC-EE-II-SS-RR-AA.ext} (modality, vocal channel,
 * emotion, intensity, statement, repetition, actor; odd actors male). Anger, happy, neutral and sad
 * map to the 4 classes; calm too when {@code calmAsNeutral} is set. An audio file whose name does
 * not follow the scheme is an error naming it.
 */
public final class RavdessReader implements CorpusReader {
    private static final Pattern NAME =
            Pattern.compile("(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})-(\\d{2})");
    private static final String[] EMOTIONS = {
        null, "neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"
    };

    private final boolean calmAsNeutral;

    public RavdessReader(boolean calmAsNeutral) {
        this.calmAsNeutral = calmAsNeutral;
    }

    @Override
    public String corpus() {
        return "ravdess";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        List<LabelledClip> clips = new ArrayList<>();
        for (Path file : AudioFiles.under(root)) {
            Matcher m = NAME.matcher(AudioFiles.stem(file));
            if (!m.matches()) {
                throw new CorpusFormatException(
                        file + ": not a RAVDESS file name (MM-VC-EE-II-SS-RR-AA)");
            }
            int emotion = Integer.parseInt(m.group(3));
            int actor = Integer.parseInt(m.group(7));
            if (emotion < 1 || emotion > 8 || actor < 1) {
                throw new CorpusFormatException(
                        file
                                + ": emotion code "
                                + m.group(3)
                                + " or actor "
                                + m.group(7)
                                + " is outside RAVDESS's codes");
            }
            String own = m.group(2).equals("02") ? "song-" + EMOTIONS[emotion] : EMOTIONS[emotion];
            String label =
                    m.group(2).equals("02")
                            ? null
                            : switch (emotion) {
                                case 1 -> EmotionClass.NEUTRAL;
                                case 2 -> calmAsNeutral ? EmotionClass.NEUTRAL : null;
                                case 3 -> EmotionClass.HAPPINESS;
                                case 4 -> EmotionClass.SADNESS;
                                case 5 -> EmotionClass.ANGER;
                                default -> null;
                            };
            clips.add(
                    new LabelledClip(
                            file.toAbsolutePath().toString(),
                            corpus(),
                            "Actor_" + m.group(7),
                            actor % 2 == 1 ? "male" : "female",
                            own,
                            label,
                            Map.of(
                                    "intensity",
                                    m.group(4).equals("02") ? "strong" : "normal",
                                    "statement",
                                    m.group(5),
                                    "repetition",
                                    m.group(6))));
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException(root + " holds no RAVDESS audio files");
        }
        return new CorpusListing(
                corpus(), clips, Map.of("calm_as_neutral", String.valueOf(calmAsNeutral)));
    }
}
