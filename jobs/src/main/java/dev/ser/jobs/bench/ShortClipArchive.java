package dev.ser.jobs.bench;

import dev.ser.jobs.config.ConfigurationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.Stream;

/**
 * An archive of many short recordings for {@code ser benchmark --short-clips}: a seeded choice of a
 * corpus's own files, hard-linked (copied where links are refused) into one folder, reusing the
 * corpus when more are asked for than it holds. This is how a night of voice notes arrives: many
 * files of a few seconds, where per-file costs (listing, opening, model calls) weigh most.
 */
final class ShortClipArchive {
    private ShortClipArchive() {}

    static void build(Path corpus, Path out, int count, long seed) throws IOException {
        List<Path> sources = audioFiles(corpus);
        Collections.shuffle(sources, new Random(seed));
        Files.createDirectories(out);
        for (int i = 0; i < count; i++) {
            Path source = sources.get(i % sources.size());
            String name = source.getFileName().toString();
            Path target =
                    out.resolve(
                            String.format(
                                    Locale.ROOT,
                                    "clip-%06d%s",
                                    i,
                                    name.substring(name.lastIndexOf('.'))));
            try {
                Files.createLink(target, source.toAbsolutePath());
            } catch (IOException | UnsupportedOperationException e) {
                Files.copy(source, target);
            }
        }
    }

    /** The corpus's .flac and .wav files, sorted, in a list the caller may shuffle. */
    static List<Path> audioFiles(Path corpus) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(corpus)) {
            files =
                    new ArrayList<>(
                            s.filter(Files::isRegularFile)
                                    .filter(ShortClipArchive::isAudio)
                                    .sorted()
                                    .toList());
        }
        if (files.isEmpty()) {
            throw new ConfigurationException(
                    "no .flac or .wav files under " + corpus + "; pass --corpus DIR");
        }
        return files;
    }

    private static boolean isAudio(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return name.endsWith(".flac") || name.endsWith(".wav");
    }
}
