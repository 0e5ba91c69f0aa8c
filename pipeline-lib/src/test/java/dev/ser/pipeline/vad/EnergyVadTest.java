package dev.ser.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The built-in detector's voice-band margin, the whole-band support it needs, and how impulsive a
 * frame is.
 */
class EnergyVadTest {
    private static final int RATE = 16_000;

    private static List<SpeechRegion> regions(EnergyVad vad, float[] x) {
        try (SpeechSegmenter s =
                GatedSegmenter.factory(() -> vad, VadConfig.DEFAULT)
                        .newSegmenter((samples, off, len, at) -> {})) {
            for (int i = 0; i + 512 <= x.length; i += 512) {
                s.frame(Arrays.copyOfRange(x, i, i + 512), 512);
            }
            return s.finish();
        }
    }

    /** A steady tone gliding down from 3 kHz into the voice band and through it, like a siren. */
    private static float[] sweepIntoTheVoiceBand() {
        float[] x = new float[10 * RATE];
        double phase = 0;
        for (int i = 0; i < x.length; i++) {
            phase += 2 * Math.PI * (3000 - 2900 * i / (double) x.length) / RATE;
            x[i] = (float) (0.03 * Math.sin(phase));
        }
        return x;
    }

    @Test
    void aToneSweepingIntoTheVoiceBandIsNotSpeech() {
        float[] x = sweepIntoTheVoiceBand();
        assertEquals(List.of(), regions(new EnergyVad(), x));
        // without the whole band's support the band's rising energy alone would read as speech
        assertFalse(regions(new EnergyVad(12, -55, 3, 0), x).isEmpty());
    }

    @Test
    void aKnocksOnsetIsImpulsiveAndAVowelIsNot() {
        EnergyVad vad = new EnergyVad();
        float[] knock = new float[512];
        float[] vowel = new float[512];
        java.util.Random random = new java.util.Random(1);
        for (int k = 0; k < 512; k++) {
            knock[k] = (float) (0.3 * random.nextGaussian() * Math.exp(-k / 200.0));
            vowel[k] =
                    (float)
                            (0.1 * Math.sin(2 * Math.PI * 150 * k / RATE)
                                    + 0.05 * Math.sin(2 * Math.PI * 600 * k / RATE));
        }
        vad.speechProbability(knock);
        double knockCrest = vad.lastCrestDb();
        vad.speechProbability(vowel);
        double vowelCrest = vad.lastCrestDb();
        // the knock's energy sits in the frame's first quarter: about 10*log10(4 * 0.72) dB
        assertTrue(knockCrest > CascadeSegmenter.Settings.DEFAULT.sureCrestDb(), "" + knockCrest);
        assertTrue(vowelCrest < 1, "" + vowelCrest);
    }
}
