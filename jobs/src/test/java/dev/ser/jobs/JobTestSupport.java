package dev.ser.jobs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

/** Finds ../shared beside the checkout, and runs the command line capturing its errors. */
public final class JobTestSupport {
    private JobTestSupport() {}

    public static Path projectRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("pipeline-lib"))
                    && Files.isDirectory(p.resolve("jobs"))) {
                return p;
            }
        }
        throw new IllegalStateException("project root not found");
    }

    /** {@code ../shared/<relative>}, or the test is skipped (with a message) when it is absent. */
    public static Path shared(String relative) {
        Path p = projectRoot().resolveSibling("shared").resolve(relative);
        assumeTrue(
                Files.exists(p),
                "skipped: " + p + " is absent (../shared is not beside this checkout)");
        return p;
    }

    /** Exit code and error output of one command line. */
    public record Run(int code, String err) {}

    public static Run ser(String... args) {
        StringWriter err = new StringWriter();
        int code = Ser.execute(new PrintWriter(err, true), args);
        return new Run(code, err.toString());
    }

    /** A small embedded Spark session, UI off, for a test's own jobs or for reading outputs. */
    public static org.apache.spark.sql.SparkSession localSpark(int cores) {
        return org.apache.spark.sql.SparkSession.builder()
                .master("local[" + cores + "]")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }
}
