package dev.ser.pipeline.corpus;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Audio files under a folder, recursively, in a stable order. */
final class AudioFiles {
    /**
     * The audio files a corpus tree may hold; anything else beside them (label files, licences) is
     * not a clip.
     */
    private static final List<String> EXTENSIONS =
            List.of(".wav", ".flac", ".opus", ".ogg", ".mp3", ".m4a");

    private AudioFiles() {}

    static List<Path> under(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new CorpusFormatException(dir + " does not exist or is not a directory");
        }
        // corpora are often assembled from symbolic links
        try (Stream<Path> s = Files.walk(dir, java.nio.file.FileVisitOption.FOLLOW_LINKS)) {
            return s.filter(Files::isRegularFile)
                    .filter(
                            p -> {
                                String n =
                                        p.getFileName()
                                                .toString()
                                                .toLowerCase(java.util.Locale.ROOT);
                                return !n.startsWith(".")
                                        && EXTENSIONS.stream().anyMatch(n::endsWith);
                            })
                    .sorted()
                    .toList();
        }
    }

    static String stem(Path file) {
        String n = file.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? n : n.substring(0, dot);
    }
}
