package dev.ser.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Both detectors on real RAVDESS speech placed in noise: regions must cover the utterances and stay
 * out of the noise between them.
 */
class VoiceActivityOnRealSpeechTest {
    private static final int RATE = 16_000;

    private static List<SpeechRegion> detect(VoiceActivityDetector vad, float[] x) {
        SpeechGate gate = new SpeechGate(VadConfig.DEFAULT, RATE, (s, o, l, p) -> {});
        float[] frame = new float[vad.frameSamples()];
        for (int i = 0; i + frame.length <= x.length; i += frame.length) {
            System.arraycopy(x, i, frame, 0, frame.length);
            gate.frame(frame, frame.length, vad.speechProbability(frame));
        }
        return gate.finish();
    }

    /** [start, end) samples of each utterance in the test signal. */
    private record Scene(float[] signal, List<long[]> utterances) {}

    private static Scene scene() throws IOException {
        float[] a =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ravdess/Actor_03/03-01-05-02-01-01-03.flac"),
                        RATE);
        float[] b =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ravdess/Actor_04/03-01-04-01-02-01-04.flac"),
                        RATE);
        // The clips have their own leading and trailing silence; take the speech span by energy.
        long[] spanA = span(a);
        long[] spanB = span(b);
        float[] gap1 = new float[3 * RATE];
        float[] gap2 = new float[4 * RATE];
        float[] gap3 = new float[3 * RATE];
        float[] x = TestAudio.concat(gap1, a, gap2, b, gap3);
        float[] noise = TestAudio.noise(x.length / (double) RATE, RATE, 0.002, 11);
        for (int i = 0; i < x.length; i++) {
            x[i] += noise[i];
        }
        long offB = gap1.length + a.length + gap2.length;
        return new Scene(
                x,
                List.of(
                        new long[] {gap1.length + spanA[0], gap1.length + spanA[1]},
                        new long[] {offB + spanB[0], offB + spanB[1]}));
    }

    /** First and last sample whose 32 ms frame is within 30 dB of the clip's loudest frame. */
    private static long[] span(float[] x) {
        double[] e = new double[x.length / 512];
        double max = 0;
        for (int k = 0; k < e.length; k++) {
            for (int i = k * 512; i < (k + 1) * 512; i++) {
                e[k] += x[i] * x[i];
            }
            max = Math.max(max, e[k]);
        }
        int first = -1;
        int last = -1;
        for (int k = 0; k < e.length; k++) {
            if (e[k] > max / 1000) {
                if (first < 0) {
                    first = k;
                }
                last = k;
            }
        }
        return new long[] {first * 512L, (last + 1) * 512L};
    }

    private static void check(String name, List<SpeechRegion> regions, Scene scene) {
        long margin = RATE / 2;
        for (SpeechRegion r : regions) {
            boolean insideAnUtterance =
                    scene.utterances().stream()
                            .anyMatch(
                                    u ->
                                            r.startSample() >= u[0] - margin
                                                    && r.endSample() <= u[1] + margin);
            assertTrue(insideAnUtterance, name + ": region " + r + " lies in the noise");
        }
        for (long[] u : scene.utterances()) {
            long covered = 0;
            for (SpeechRegion r : regions) {
                covered +=
                        Math.max(
                                0, Math.min(u[1], r.endSample()) - Math.max(u[0], r.startSample()));
            }
            double fraction = covered / (double) (u[1] - u[0]);
            assertTrue(
                    fraction > 0.8,
                    name
                            + ": only "
                            + fraction
                            + " of utterance "
                            + u[0]
                            + ".."
                            + u[1]
                            + " covered");
        }
        assertFalse(regions.isEmpty());
    }

    @Test
    void energyDetectorFindsBothUtterancesAndNothingElse() throws IOException {
        Scene scene = scene();
        check("energy", detect(new EnergyVad(), scene.signal()), scene);
    }

    @Test
    void sileroFindsBothUtterancesAndNothingElse() throws IOException {
        Scene scene = scene();
        var model = SharedCorpora.require("models/silero_vad.onnx");
        try (VoiceActivityDetector vad = SileroVad.factory(model).newDetector()) {
            check("silero", detect(vad, scene.signal()), scene);
        }
    }

    @Test
    void noiseAloneIsNotSpeechForEitherDetector() {
        float[] noise = TestAudio.noise(10, RATE, 0.01, 3);
        assertTrue(detect(new EnergyVad(), noise).isEmpty(), "energy VAD on noise");
        assertTrue(
                detect(new EnergyVad(), new float[10 * RATE]).isEmpty(),
                "energy VAD on digital silence");
    }
}
