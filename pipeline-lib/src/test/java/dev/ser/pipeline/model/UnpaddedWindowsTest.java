package dev.ser.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.ser.pipeline.TestAudio;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shipped model is fed each window as it is, without zero padding to 8 s (its manifest says
 * padding "none"): its features ignore trailing zeros (masked statistics and squeeze-excitation,
 * {@code model/recipes/pooled_ser.py}), so a short window scores what it would score padded, for
 * the work of its own length. Checked on the graph as shipped (int8 QDQ) for windows of several
 * lengths.
 */
class UnpaddedWindowsTest {
    @Test
    void theDefaultModelScoresAShortWindowAsItWouldScoreItPadded() {
        ModelPackage pkg = ModelPackage.load(TestAudio.projectModel("ser-default"));
        assertFalse(pkg.manifest().zeroPadToWindow(), "ser-default says padding none");
        try (EmotionModel model = new EmotionModel(pkg, new OnnxRuntimeOptions(1, 1))) {
            int full = model.windowSamples();
            List<float[]> windows = new ArrayList<>();
            for (double seconds : new double[] {1.0, 2.37, 3.7, 6.1}) {
                windows.add(voiced(seconds, (long) (seconds * 100)));
            }
            float[][] alone = model.predict(windows);
            float[][] padded =
                    model.predict(windows.stream().map(w -> Arrays.copyOf(w, full)).toList());
            for (int i = 0; i < windows.size(); i++) {
                for (int c = 0; c < alone[i].length; c++) {
                    assertEquals(
                            padded[i][c],
                            alone[i][c],
                            1e-3,
                            "window " + i + " class " + c + ": " + Arrays.toString(alone[i]));
                }
            }
        }
    }

    /** A voiced, syllable-like signal: a gliding harmonic tone, amplitude-modulated, with noise. */
    private static float[] voiced(double seconds, long seed) {
        float[] noise = TestAudio.noise(seconds, 16_000, 0.01, seed);
        float[] x = new float[noise.length];
        double phase = 0;
        for (int i = 0; i < x.length; i++) {
            double t = i / 16_000.0;
            phase += 2 * Math.PI * (130 + 40 * Math.sin(2 * Math.PI * 0.8 * t)) / 16_000;
            double tone = 0;
            for (int k = 1; k <= 10; k++) {
                tone += Math.sin(k * phase) / k;
            }
            double envelope = Math.pow(0.5 + 0.5 * Math.sin(2 * Math.PI * 3.5 * t), 2);
            x[i] = (float) (0.3 * tone * envelope) + noise[i];
        }
        return x;
    }
}
