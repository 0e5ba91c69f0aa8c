package dev.ser.pipeline;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates {@code ../shared/corpora} (beside the project root). Tests that need real recordings call
 * {@link #require}; they are skipped, with a message, only where the folder is absent, as on a
 * user's fresh clone. CI always has it.
 */
public final class SharedCorpora {
    private SharedCorpora() {}

    public static Path sharedRoot() {
        Path dir = Path.of("").toAbsolutePath();
        for (Path p = dir; p != null; p = p.getParent()) {
            Path candidate = p.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("corpora"))
                    && Files.exists(p.resolve("pom.xml"))
                    && !Files.exists(p.getParent().resolve("pom.xml"))) {
                return candidate;
            }
        }
        return dir.resolve("../shared").normalize();
    }

    /** {@code ../shared/<relative>}, or the test is skipped when it is absent. */
    public static Path require(String relative) {
        Path p = sharedRoot().resolve(relative);
        assumeTrue(
                Files.exists(p),
                "skipped: " + p + " is absent (../shared is not beside this checkout)");
        return p;
    }
}
