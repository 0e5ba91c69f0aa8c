package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * IEMOCAP in its official layout: {@code SessionN/dialog/EmoEvaluation/<dialog>.txt} label files,
 * one {@code [START - END] TAB UTTERANCE_ID TAB LABEL TAB [V, A, D]} line per utterance (annotator
 * lines, comments and blank lines skipped), and the audio at {@code
 * SessionN/sentences/wav/<dialog>/<UTTERANCE_ID>.wav}. Speakers are a session's female and male
 * actor ({@code Ses01F}, {@code Ses01M}). ang, hap, neu, sad map to the 4 classes, and exc to
 * happiness when {@code mergeExcited} (the usual protocol); fru, fea, sur, dis, oth and xxx (no
 * agreement) are outside. A label line that is not in that form is an error naming the file and
 * line.
 */
public final class IemocapReader implements CorpusReader {
    private static final Pattern LINE =
            Pattern.compile(
                    "\\[(\\d+(?:\\.\\d+)?) - (\\d+(?:\\.\\d+)?)\\]\\t(Ses(\\d{2})([FM])_(impro|script)\\S*_([FM])\\d+)\\t(\\w+)\\t\\[.*\\]\\s*");

    private final boolean mergeExcited;

    public IemocapReader(boolean mergeExcited) {
        this.mergeExcited = mergeExcited;
    }

    @Override
    public String corpus() {
        return "iemocap";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        List<LabelledClip> clips = new ArrayList<>();
        int sessions = 0;
        for (int s = 1; s <= 5; s++) {
            Path session = root.resolve("Session" + s);
            if (!Files.isDirectory(session)) {
                continue;
            }
            sessions++;
            Path labels = session.resolve("dialog/EmoEvaluation");
            if (!Files.isDirectory(labels)) {
                throw new CorpusFormatException(
                        labels + " is missing: IEMOCAP's label files live there");
            }
            List<Path> files;
            try (Stream<Path> list = Files.list(labels)) {
                files =
                        list.filter(p -> p.getFileName().toString().endsWith(".txt"))
                                .sorted()
                                .toList();
            }
            for (Path file : files) {
                String dialog = AudioFiles.stem(file);
                int lineNumber = 0;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    lineNumber++;
                    if (!line.startsWith("[")) {
                        continue; // annotator lines (C-, A-), comments (%), blank lines
                    }
                    Matcher m = LINE.matcher(line);
                    if (!m.matches()) {
                        throw new CorpusFormatException(
                                file
                                        + ":"
                                        + lineNumber
                                        + ": not an IEMOCAP label line ([START - END] TAB ID TAB LABEL TAB [V, A, D])");
                    }
                    String id = m.group(3);
                    String own = m.group(8);
                    Path audio =
                            session.resolve("sentences/wav").resolve(dialog).resolve(id + ".wav");
                    clips.add(
                            new LabelledClip(
                                    audio.toAbsolutePath().toString(),
                                    corpus(),
                                    "Ses" + m.group(4) + m.group(7),
                                    m.group(7).equals("F") ? "female" : "male",
                                    own,
                                    label(own),
                                    Map.of(
                                            "session",
                                            String.valueOf(s),
                                            "dialog",
                                            dialog,
                                            "mode",
                                            m.group(6).equals("impro") ? "improvised" : "scripted",
                                            "start",
                                            m.group(1),
                                            "end",
                                            m.group(2))));
                }
            }
        }
        if (sessions == 0) {
            throw new CorpusFormatException(
                    root + " has no Session1..Session5 directories (IEMOCAP's layout)");
        }
        return new CorpusListing(
                corpus(), clips, Map.of("merge_excited", String.valueOf(mergeExcited)));
    }

    private String label(String code) {
        return switch (code) {
            case "ang" -> EmotionClass.ANGER;
            case "hap" -> EmotionClass.HAPPINESS;
            case "exc" -> mergeExcited ? EmotionClass.HAPPINESS : null;
            case "neu" -> EmotionClass.NEUTRAL;
            case "sad" -> EmotionClass.SADNESS;
            default -> null;
        };
    }
}
