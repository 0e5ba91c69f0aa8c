package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * nEMO (Polish, 9 speakers): labels, speakers and genders in {@code data.tsv} (tab-separated,
 * header line: {@code file_id, emotion, raw_text, normalized_text, speaker_id, gender, age}); audio
 * in {@code samples/}. The published {@code file_id} names a {@code .wav}; a tree that re-encoded
 * the audio (as {@code ../shared} holds Opus) keeps the stem, so the file is looked up by stem. A
 * listed file that is missing is still listed and becomes an error row when scored. nEMO's fear and
 * surprised are outside the 4 classes.
 */
public final class NemoReader implements CorpusReader {
    private static final List<String> COLUMNS =
            List.of("file_id", "emotion", "speaker_id", "gender");
    private static final List<String> EXTENSIONS = List.of(".opus", ".wav", ".flac", ".ogg");

    @Override
    public String corpus() {
        return "nemo";
    }

    @Override
    public CorpusListing read(Path root) throws IOException {
        Path table = root.resolve("data.tsv");
        if (!Files.isRegularFile(table)) {
            throw new CorpusFormatException(
                    table
                            + " does not exist: --root is nEMO's folder holding data.tsv and samples/");
        }
        List<LabelledClip> clips = new ArrayList<>();
        CSVFormat tsv =
                CSVFormat.TDF.builder().setHeader().setSkipHeaderRecord(true).setTrim(true).build();
        try (Reader in = Files.newBufferedReader(table, StandardCharsets.UTF_8);
                var records = tsv.parse(in)) {
            for (String column : COLUMNS) {
                if (!records.getHeaderMap().containsKey(column)) {
                    throw new CorpusFormatException(
                            table
                                    + " has no '"
                                    + column
                                    + "' column (its columns: "
                                    + String.join(", ", records.getHeaderNames())
                                    + ")");
                }
            }
            for (CSVRecord r : records) {
                String file = r.get("file_id");
                String speaker = r.get("speaker_id");
                String gender = r.get("gender").toLowerCase(Locale.ROOT);
                if (file.isEmpty()
                        || speaker.isEmpty()
                        || !(gender.equals("female") || gender.equals("male"))) {
                    throw new CorpusFormatException(
                            table
                                    + " line "
                                    + r.getRecordNumber()
                                    + ": needs a file_id, a speaker_id and a gender (female or male)");
                }
                String emotion = r.get("emotion").toLowerCase(Locale.ROOT);
                String label = EmotionClass.LABELS.contains(emotion) ? emotion : null;
                clips.add(
                        new LabelledClip(
                                audio(root.resolve("samples"), file).toAbsolutePath().toString(),
                                corpus(),
                                speaker,
                                gender,
                                emotion,
                                label,
                                Map.of("text", r.get("raw_text"))));
            }
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException(table + " lists no clips");
        }
        return new CorpusListing(corpus(), clips, Map.of());
    }

    private static Path audio(Path samples, String fileId) {
        String stem = AudioFiles.stem(Path.of(fileId));
        for (String ext : EXTENSIONS) {
            Path p = samples.resolve(stem + ext);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        return samples.resolve(fileId);
    }
}
