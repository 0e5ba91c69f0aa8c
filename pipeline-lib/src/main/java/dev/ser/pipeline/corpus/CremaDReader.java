package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * CREMA-D in its published layout: {@code AudioWAV/AAAA_SSS_EEE_LL.wav}, actor demographics in
 * {@code VideoDemographics.csv}, and the crowd's votes in {@code processedResults/summaryTable.csv}
 * (or {@code summaryTable.csv} at the root). The label is the intended emotion (the file name's
 * EEE) or, as an option, the crowd's perceived voice-only label; a perceived vote that ties between
 * emotions (letters joined by ':') is outside the 4 classes, as "tie".
 */
public final class CremaDReader implements CorpusReader {
    private static final Pattern NAME =
            Pattern.compile("(\\d{4})_([A-Z]{3})_([A-Z]{3})_([A-Z]{2})");

    /** Which label a clip gets. */
    public enum LabelSource {
        INTENDED,
        PERCEIVED
    }

    private final LabelSource source;

    public CremaDReader(LabelSource source) {
        this.source = source;
    }

    @Override
    public String corpus() {
        return "crema-d";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        Map<String, String> sexByActor = new HashMap<>();
        for (CSVRecord r : csv(root.resolve("VideoDemographics.csv"), "ActorID", "Sex")) {
            sexByActor.put(r.get("ActorID"), r.get("Sex").toLowerCase(java.util.Locale.ROOT));
        }
        Map<String, String[]> votes = new HashMap<>();
        Path summary =
                Files.exists(root.resolve("processedResults/summaryTable.csv"))
                        ? root.resolve("processedResults/summaryTable.csv")
                        : root.resolve("summaryTable.csv");
        if (source == LabelSource.PERCEIVED || Files.exists(summary)) {
            for (CSVRecord r : csv(summary, "FileName", "VoiceVote", "VoiceLevel")) {
                votes.put(
                        r.get("FileName"), new String[] {r.get("VoiceVote"), r.get("VoiceLevel")});
            }
        }
        List<LabelledClip> clips = new ArrayList<>();
        for (Path file : AudioFiles.under(root.resolve("AudioWAV"))) {
            String stem = AudioFiles.stem(file);
            Matcher m = NAME.matcher(stem);
            if (!m.matches()) {
                throw new CorpusFormatException(
                        file + ": not a CREMA-D file name (AAAA_SSS_EEE_LL)");
            }
            String sex = sexByActor.get(m.group(1));
            if (sex == null) {
                throw new CorpusFormatException(
                        root.resolve("VideoDemographics.csv")
                                + " has no actor "
                                + m.group(1)
                                + " (needed by "
                                + file.getFileName()
                                + ")");
            }
            Map<String, String> facts =
                    new HashMap<>(
                            Map.of(
                                    "sentence",
                                    m.group(2),
                                    "intensity",
                                    m.group(4),
                                    "intended",
                                    m.group(3)));
            String[] vote = votes.get(stem);
            if (vote != null) {
                facts.put("perceived", vote[0]);
                facts.put("perceived_agreement", vote[1]);
            } else if (source == LabelSource.PERCEIVED) {
                throw new CorpusFormatException(summary + " has no votes for " + stem);
            }
            String own =
                    source == LabelSource.INTENDED
                            ? m.group(3)
                            : (vote[0].contains(":") ? "tie" : vote[0]);
            String label = source == LabelSource.INTENDED ? intended(own) : perceived(own);
            clips.add(
                    new LabelledClip(
                            file.toAbsolutePath().toString(),
                            corpus(),
                            m.group(1),
                            sex,
                            own,
                            label,
                            Map.copyOf(facts)));
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException(
                    root.resolve("AudioWAV") + " holds no CREMA-D audio files");
        }
        return new CorpusListing(
                corpus(), clips, Map.of("label", source.name().toLowerCase(java.util.Locale.ROOT)));
    }

    private static String intended(String code) {
        return switch (code) {
            case "ANG" -> EmotionClass.ANGER;
            case "HAP" -> EmotionClass.HAPPINESS;
            case "NEU" -> EmotionClass.NEUTRAL;
            case "SAD" -> EmotionClass.SADNESS;
            default -> null;
        };
    }

    private static String perceived(String letter) {
        return switch (letter) {
            case "A" -> EmotionClass.ANGER;
            case "H" -> EmotionClass.HAPPINESS;
            case "N" -> EmotionClass.NEUTRAL;
            case "S" -> EmotionClass.SADNESS;
            default -> null;
        };
    }

    private static List<CSVRecord> csv(Path file, String... required) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new CorpusFormatException(
                    file + " is missing; CREMA-D's metadata must sit beside AudioWAV/");
        }
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            // summaryTable.csv's first column (R's row names) has an empty header
            var parser =
                    CSVFormat.DEFAULT
                            .builder()
                            .setHeader()
                            .setSkipHeaderRecord(true)
                            .setAllowMissingColumnNames(true)
                            .get()
                            .parse(r);
            for (String column : required) {
                if (!parser.getHeaderMap().containsKey(column)) {
                    throw new CorpusFormatException(
                            file
                                    + " has no column '"
                                    + column
                                    + "'; its columns are "
                                    + parser.getHeaderNames());
                }
            }
            return parser.getRecords();
        } catch (java.io.UncheckedIOException
                | IllegalArgumentException
                | IllegalStateException e) {
            throw new CorpusFormatException(file + " is not valid CSV: " + e.getMessage());
        }
    }
}
