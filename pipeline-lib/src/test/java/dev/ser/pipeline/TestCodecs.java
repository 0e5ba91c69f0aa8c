package dev.ser.pipeline;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code ffmpeg} program that ships with the FFmpeg natives (JavaCPP presets): test files in
 * every compressed codec, AMR included, encoded at test time.
 */
public final class TestCodecs {
    private TestCodecs() {}

    /**
     * Runs {@code ffmpeg [-i source] args target} and returns {@code target}.
     *
     * @param source the input file, or null when {@code args} name their own (e.g. {@code -f
     *     lavfi})
     */
    public static Path ffmpeg(Path source, String args, Path target)
            throws IOException, InterruptedException {
        String program = org.bytedeco.javacpp.Loader.load(org.bytedeco.ffmpeg.ffmpeg.class);
        List<String> command =
                new ArrayList<>(
                        List.of(program, "-nostdin", "-hide_banner", "-loglevel", "error", "-y"));
        if (source != null) {
            command.addAll(List.of("-i", source.toString()));
        }
        command.addAll(List.of(args.split(" ")));
        command.add(target.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("ffmpeg " + args + " failed: " + log);
        }
        return target;
    }
}
