package dev.ser.jobs.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.config.ConfigurationException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The peer {@code ser benchmark --peer} compares against: {@value #SCRIPT}, a plain Python loop
 * over the same files with Debian's PyTorch and torchaudio (load, resample, the same network in
 * PyTorch, two worker processes), run as a child process. It needs python3-torch,
 * python3-torchaudio and python3-onnx, and mn04's published weights; it does less than the job (no
 * speech detection, no Parquet), which the ratio should be read with.
 */
final class PythonPeer {
    static final String SCRIPT = "model/recipes/peer_score.py";

    /** What the peer printed: recordings found and scored, its wall time and its rate. */
    record Result(int recordings, int scored, double wallSeconds, double rate) {}

    private PythonPeer() {}

    static Result run(Path modelDir, Path mn04, Path folder)
            throws IOException, InterruptedException {
        Path script = locate();
        if (!Files.isRegularFile(mn04)) {
            throw new ConfigurationException(
                    "the peer needs mn04's weights: " + mn04 + " does not exist; pass --mn04 FILE");
        }
        String python =
                Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        List<String> command =
                List.of(
                        python,
                        script.toString(),
                        "--model",
                        modelDir.toString(),
                        "--mn04",
                        mn04.toString(),
                        folder.toString());
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        // the peer's last line: its JSON result, or why it failed
        String last = out.strip().lines().reduce((a, b) -> b).orElse("");
        if (p.waitFor() != 0) {
            throw new ConfigurationException(
                    "the Python peer failed (it needs python3-torch, python3-torchaudio and"
                            + " python3-onnx): "
                            + last);
        }
        JsonNode json = new ObjectMapper().readTree(last);
        return new Result(
                json.path("recordings").asInt(),
                json.path("scored").asInt(),
                json.path("wall_seconds").asDouble(),
                json.path("audio_seconds_per_second").asDouble());
    }

    private static Path locate() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isRegularFile(p.resolve(SCRIPT))) {
                return p.resolve(SCRIPT);
            }
        }
        throw new ConfigurationException(
                SCRIPT
                        + " not found above "
                        + Path.of("").toAbsolutePath()
                        + "; run from the project");
    }
}
