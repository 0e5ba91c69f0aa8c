package dev.ser.jobs.demo;

import dev.ser.jobs.Ser;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ser demo}: generates the demo archive and scores it with embedded Spark. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generate a demo archive of long-form voice notes (no corpus or network needed) and run",
                "'ser score' on it with embedded local Spark and the default model."})
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--dir", paramLabel = "DIR", defaultValue = "target/demo",
            description = "Where the archive (DIR/archive) and the output (DIR/output) go. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--model", paramLabel = "DIR", description = "Model directory. Default: the bundled default model.")
    String model;

    @Override
    public Integer call() throws Exception {
        Path archive = dir.resolve("archive").toAbsolutePath();
        List<Path> files = DemoArchive.write(archive);
        System.out.printf("ser demo: wrote %d voice notes to %s%n", files.size(), archive);
        List<String> args = new ArrayList<>(List.of("score", "--input", archive.toString(),
                "--output", dir.resolve("output").toAbsolutePath().toString(), "--overwrite"));
        if (model != null) {
            args.addAll(List.of("--model", model));
        }
        int code = Ser.execute(args.toArray(String[]::new));
        if (code == 0) {
            System.out.printf("  read it with Spark SQL: SELECT path, status, emotion, confidence, probabilities "
                    + "FROM parquet.`%s`%n", dir.resolve("output/recordings").toAbsolutePath());
        }
        return code;
    }
}
