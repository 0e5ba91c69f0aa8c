package dev.ser.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The project's 48 kHz -> 16 kHz path (WAV decode, down-mix, resample) against the same RAVDESS
 * utterances resampled by a high-quality reference: at least 35 dB SNR on every file.
 */
class ResamplerQualityTest {

    static float[] decode16k(Path file) throws IOException {
        try (MonoStream s =
                new MonoStream(AudioDecoders.open(Files.newInputStream(file)), 16_000)) {
            return s.readAll();
        }
    }

    /** SNR in dB of {@code test} against {@code reference} over their common length. */
    static double snrDb(float[] reference, float[] test) {
        int n = Math.min(reference.length, test.length);
        double signal = 0;
        double noise = 0;
        for (int i = 0; i < n; i++) {
            signal += (double) reference[i] * reference[i];
            double d = reference[i] - test[i];
            noise += d * d;
        }
        return 10 * Math.log10(signal / Math.max(noise, 1e-30));
    }

    @Test
    void everyRavdessActor01FileMatchesTheReferenceAtLeast35dB() throws IOException {
        Path originals = SharedCorpora.require("corpora/ravdess-48k/Actor_01");
        Path references = SharedCorpora.require("corpora/ravdess/Actor_01");
        List<Double> snrs = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(originals)) {
            files = list.filter(p -> p.toString().endsWith(".wav")).sorted().toList();
        }
        assertEquals(60, files.size());
        StringBuilder worst = new StringBuilder();
        for (Path wav : files) {
            String name = wav.getFileName().toString().replace(".wav", ".flac");
            float[] ours = decode16k(wav);
            float[] ref = decode16k(references.resolve(name));
            assertTrue(
                    Math.abs(ours.length - ref.length) <= 2,
                    name + ": " + ours.length + " samples vs reference " + ref.length);
            double snr = snrDb(ref, ours);
            snrs.add(snr);
            if (snr < 35) {
                worst.append(String.format(" %s=%.1f dB", name, snr));
            }
        }
        Collections.sort(snrs);
        System.out.printf(
                "resampling SNR vs reference over %d files: min %.2f dB, median %.2f dB, max %.2f dB%n",
                snrs.size(), snrs.get(0), (snrs.get(29) + snrs.get(30)) / 2, snrs.get(59));
        assertTrue(worst.isEmpty(), "files below 35 dB:" + worst);
    }
}
