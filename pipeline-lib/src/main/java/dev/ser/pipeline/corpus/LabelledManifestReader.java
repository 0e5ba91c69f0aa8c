package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;

/**
 * A user's own labelled recordings, listed in a manifest instead of a corpus's layout: one row per
 * recording with the columns {@code path}, {@code label} and {@code speaker}, and optionally {@code
 * gender} ({@code female}, {@code male}, or empty for unknown). Relative paths resolve against the
 * manifest's folder; other columns are kept as the clip's facts. Labels go through a {@link
 * LabelMap}. The corpus is named after the manifest file ({@code notes.csv}: {@code notes}).
 *
 * <p>Reads CSV (header line) itself; any other tabular source (Parquet through Spark) hands its
 * rows to {@link #listing}.
 */
public final class LabelledManifestReader implements CorpusReader {
    public static final List<String> REQUIRED = List.of("path", "label", "speaker");

    private final String corpus;
    private final LabelMap labels;

    public LabelledManifestReader(String corpus, LabelMap labels) {
        this.corpus = corpus;
        this.labels = labels;
    }

    /** The corpus name of a manifest file: its name without the extension. */
    public static String corpusName(String fileName) {
        String n = fileName.replaceAll("/+$", "");
        n = n.substring(n.lastIndexOf('/') + 1);
        int dot = n.indexOf('.');
        return dot <= 0 ? n : n.substring(0, dot);
    }

    @Override
    public String corpus() {
        return corpus;
    }

    @Override
    public CorpusListing read(Path manifest) throws IOException {
        if (!Files.isRegularFile(manifest)) {
            throw new CorpusFormatException(
                    "labelled manifest " + manifest + " does not exist or is not a file");
        }
        List<Map<String, String>> rows = new ArrayList<>();
        List<String> columns;
        CSVFormat csv =
                CSVFormat.DEFAULT
                        .builder()
                        .setHeader()
                        .setSkipHeaderRecord(true)
                        .setTrim(true)
                        .setIgnoreEmptyLines(true)
                        .build();
        try (Reader in = Files.newBufferedReader(manifest, StandardCharsets.UTF_8);
                var records = csv.parse(in)) {
            columns = records.getHeaderNames();
            for (CSVRecord r : records) {
                Map<String, String> row = new LinkedHashMap<>();
                for (String c : columns) {
                    row.put(c, r.isSet(c) ? r.get(c) : "");
                }
                rows.add(row);
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new CorpusFormatException(
                    "labelled manifest "
                            + manifest
                            + " is not a CSV file with a header line: "
                            + e.getMessage());
        }
        return listing(manifest.toString(), manifest.toAbsolutePath().getParent(), columns, rows);
    }

    /**
     * The listing of a manifest's rows.
     *
     * @param source the manifest, for messages
     * @param base the folder relative paths resolve against
     * @param columns the manifest's columns
     * @param rows column to value, one map per row (null or empty for a missing value)
     */
    public CorpusListing listing(
            String source, Path base, List<String> columns, List<Map<String, String>> rows) {
        List<String> missing = REQUIRED.stream().filter(c -> !columns.contains(c)).toList();
        if (!missing.isEmpty()) {
            throw new CorpusFormatException(
                    "labelled manifest "
                            + source
                            + " has no "
                            + String.join(", ", missing)
                            + " column (its columns: "
                            + String.join(", ", columns)
                            + "); it needs path, label and speaker, "
                            + "and may have gender");
        }
        List<LabelledClip> clips = new ArrayList<>();
        int line = 1;
        for (Map<String, String> row : rows) {
            line++;
            String path = value(row, "path");
            String label = value(row, "label");
            String speaker = value(row, "speaker");
            if (path.isEmpty() || label.isEmpty() || speaker.isEmpty()) {
                throw new CorpusFormatException(
                        "labelled manifest "
                                + source
                                + ", row "
                                + (line - 1)
                                + ": path, label and speaker must not be empty");
            }
            String gender = value(row, "gender").toLowerCase(Locale.ROOT);
            gender =
                    switch (gender) {
                        case "f", "female", "w", "woman" -> "female";
                        case "m", "male", "man" -> "male";
                        case "" -> "unknown";
                        default ->
                                throw new CorpusFormatException(
                                        "labelled manifest "
                                                + source
                                                + ", row "
                                                + (line - 1)
                                                + ": gender '"
                                                + gender
                                                + "' is not female, male or empty");
                    };
            Map<String, String> facts = new HashMap<>();
            for (Map.Entry<String, String> e : row.entrySet()) {
                if (!REQUIRED.contains(e.getKey())
                        && !e.getKey().equals("gender")
                        && e.getValue() != null) {
                    facts.put(e.getKey(), e.getValue());
                }
            }
            if (path.contains("://") && !path.startsWith("file:")) {
                throw new CorpusFormatException(
                        "labelled manifest "
                                + source
                                + ", row "
                                + (line - 1)
                                + ": "
                                + path
                                + " is not a local file; a labelled manifest names local files (absolute or relative to it)");
            }
            Path file =
                    path.startsWith("file:")
                            ? Path.of(java.net.URI.create(path))
                            : base.resolve(path).normalize();
            clips.add(
                    new LabelledClip(
                            file.toAbsolutePath().toString(),
                            corpus,
                            speaker,
                            gender,
                            label,
                            labels.classOf(label),
                            facts));
        }
        if (clips.isEmpty()) {
            throw new CorpusFormatException("labelled manifest " + source + " lists no recordings");
        }
        if (clips.stream().allMatch(c -> c.label() == null)) {
            TreeSet<String> own = new TreeSet<>();
            clips.forEach(c -> own.add(c.corpusLabel()));
            throw new CorpusFormatException(
                    "labelled manifest "
                            + source
                            + ": none of its labels ("
                            + String.join(", ", own)
                            + ") is one of "
                            + String.join(", ", EmotionClass.LABELS)
                            + "; map them with --label-map, e.g. "
                            + "--label-map "
                            + own.first()
                            + "=anger");
        }
        Map<String, String> options = new TreeMap<>();
        options.put("manifest", source);
        labels.mapping().forEach((k, v) -> options.put("label_map." + k, v));
        return new CorpusListing(corpus, clips, options);
    }

    private static String value(Map<String, String> row, String column) {
        String v = row.get(column);
        return v == null ? "" : v.trim();
    }
}
