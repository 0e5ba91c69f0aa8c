package dev.ser.jobs.bench;

import static dev.ser.jobs.JobTestSupport.ser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.JobTestSupport;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ser benchmark} tells the whole story on a small run: long notes and an archive of short
 * clips, each with the job's stage breakdown and the Python peer's rate beside ours (the peer runs
 * for real: Debian's PyTorch and torchaudio, the same network), and the model's profile. Needs
 * RAVDESS actor 01 and mn04's weights from ../shared.
 */
class BenchmarkCommandTest {
    @TempDir Path tmp;

    @Test
    void longNotesAndShortClipsEachGetStagesAndThePeersRatio() {
        Path corpus = JobTestSupport.shared("corpora/ravdess/Actor_01");
        Path mn04 = JobTestSupport.shared("models/mn04_as_mAP_432.pt");
        PrintStream console = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        JobTestSupport.Run run;
        try {
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            run =
                    ser(
                            "benchmark",
                            "--corpus",
                            corpus.toString(),
                            "--minutes",
                            "0.3",
                            "--short-clips",
                            "12",
                            "--peer",
                            "--profile-model",
                            "--mn04",
                            mn04.toString(),
                            "--work",
                            tmp.toString());
        } finally {
            System.setOut(console);
        }
        String out = captured.toString(StandardCharsets.UTF_8);
        System.out.print(out);
        assertEquals(0, run.code(), run.err());
        assertTrue(out.contains("benchmark: 12 short recordings"), out);
        assertTrue(out.contains("12 of 12 scored"), "the peer scored every clip: " + out);
        List<Double> inferenceShares = numbers(out, "inference [0-9.]+ s \\(([0-9]+) %\\)");
        assertEquals(2, inferenceShares.size(), "a stage line per archive: " + out);
        inferenceShares.forEach(s -> assertTrue(s > 0 && s <= 100, "inference share " + s));
        // the default model's STFTs are convolutions: Conv leads its profile
        assertTrue(out.contains("by operator: Conv "), "profile: " + out);
        List<Double> ratios = numbers(out, "ratio ours / python peer: ([0-9.]+)");
        assertEquals(2, ratios.size(), "a peer ratio per archive: " + out);
        ratios.forEach(r -> assertTrue(r > 0, "ratio " + r));
    }

    private static List<Double> numbers(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        List<Double> out = new java.util.ArrayList<>();
        while (m.find()) {
            out.add(Double.parseDouble(m.group(1)));
        }
        return out;
    }
}
