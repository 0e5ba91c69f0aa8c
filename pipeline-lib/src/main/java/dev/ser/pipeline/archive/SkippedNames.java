package dev.ser.pipeline.archive;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which listed files and archive entries are not recordings, by rule, and the normal form of an
 * entry's name. {@code tar -C notes -cf notes.tar .} names every entry {@code ./x}: the {@code .}
 * segment is the archive's own folder, not a hidden name, so names are normalised first ({@code ./}
 * prefixes and {@code .} or empty segments removed). Then a name is skipped when one of its
 * segments is hidden ({@code .DS_Store}, AppleDouble {@code ._a.wav}), macOS's {@code __MACOSX}
 * folder, or a marker Hadoop and Spark write beside data ({@code _SUCCESS}, {@code _temporary},
 * {@code _committed_*}, {@code _started_*}, {@code _metadata}, {@code _common_metadata}). Any other
 * name that starts with {@code _} ({@code _call.wav}) is a recording.
 */
public final class SkippedNames {
    private static final Set<String> MARKERS =
            Set.of("__macosx", "_success", "_temporary", "_metadata", "_common_metadata", "_logs");

    private SkippedNames() {}

    /**
     * The name without {@code ./} prefixes, {@code .} segments or empty segments; '\' read as '/'.
     */
    public static String normalise(String name) {
        List<String> kept = new ArrayList<>();
        for (String segment : name.replace('\\', '/').split("/")) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                kept.add(segment);
            }
        }
        return (name.startsWith("/") ? "/" : "") + String.join("/", kept);
    }

    /** Whether a (normalised) name is not a recording by the rule above. */
    public static boolean skippedByRule(String name) {
        for (String segment : name.split("/")) {
            String s = segment.toLowerCase(Locale.ROOT);
            if ((s.startsWith(".") && !s.equals(".."))
                    || MARKERS.contains(s)
                    || s.startsWith("_committed_")
                    || s.startsWith("_started_")) {
                return true;
            }
        }
        return false;
    }
}
