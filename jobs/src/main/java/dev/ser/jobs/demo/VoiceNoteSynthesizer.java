package dev.ser.jobs.demo;

import java.util.Random;

/**
 * Makes long-form, speech-like voice notes without any recording: phrases of syllables (a glottal
 * pulse train's harmonics shaped by vowel formants, under a syllable envelope, with noise bursts
 * for consonants), pauses and long silences between them, over background noise and mains hum. It
 * exists so the demo runs anywhere, with no corpus and no network; it is not speech, and its
 * emotions mean nothing.
 */
public final class VoiceNoteSynthesizer {
    /** F1, F2, F3 of a few vowels (Hz), after Peterson and Barney. */
    private static final double[][] VOWELS = {
        {730, 1090, 2440},
        {270, 2290, 3010},
        {530, 1840, 2480},
        {570, 840, 2410},
        {300, 870, 2240},
        {660, 1720, 2410}
    };

    private final int rate;
    private final Random random;

    public VoiceNoteSynthesizer(int rate, long seed) {
        this.rate = rate;
        this.random = new Random(seed);
    }

    /**
     * A voice note of {@code seconds}: speech phrases separated by pauses, plus noise at {@code
     * noiseDb} dBFS (RMS) and hum. {@code speaking} = false gives background only.
     */
    public float[] voiceNote(double seconds, double baseF0, double noiseDb, boolean speaking) {
        if (speaking && !(baseF0 > 0)) {
            // the harmonic loop below would never end
            throw new IllegalArgumentException(
                    "a speaking voice needs a positive pitch, got " + baseF0 + " Hz");
        }
        float[] x = new float[(int) (seconds * rate)];
        if (speaking) {
            double t = 0.5 + random.nextDouble() * 2;
            while (t < seconds - 1) {
                double phrase = Math.min(1.5 + random.nextDouble() * 5, seconds - 0.5 - t);
                addPhrase(x, (int) (t * rate), (int) (phrase * rate), baseF0);
                t += phrase;
                // mostly short pauses, sometimes a long silence
                t +=
                        random.nextDouble() < 0.15
                                ? 5 + random.nextDouble() * 10
                                : 0.3 + random.nextDouble() * 1.5;
            }
        }
        double noise = Math.pow(10, noiseDb / 20);
        double hum = noise * 0.7;
        double humHz = random.nextBoolean() ? 50 : 60;
        for (int i = 0; i < x.length; i++) {
            x[i] +=
                    (float)
                            (noise * random.nextGaussian()
                                    + hum * Math.sin(2 * Math.PI * humHz * i / rate));
        }
        return x;
    }

    private void addPhrase(float[] x, int start, int length, double baseF0) {
        double phase = 0;
        int i = start;
        int end = Math.min(x.length, start + length);
        double level = 0.1 + random.nextDouble() * 0.2;
        while (i < end) {
            int syllable = (int) ((0.12 + random.nextDouble() * 0.2) * rate);
            double[] vowel = VOWELS[random.nextInt(VOWELS.length)];
            double f0 =
                    baseF0
                            * (0.85 + 0.3 * random.nextDouble())
                            * (1 - 0.15 * (i - start) / (double) length);
            // a consonant: 20-60 ms of bright noise before the vowel
            int burst =
                    random.nextDouble() < 0.6
                            ? (int) ((0.02 + random.nextDouble() * 0.04) * rate)
                            : 0;
            float previous = 0;
            for (int k = 0; k < burst && i + k < end; k++) {
                float white = (float) (random.nextGaussian() * level * 0.3);
                x[i + k] += white - previous; // first difference: a high-frequency tilt
                previous = white;
            }
            i += burst;
            for (int k = 0; k < syllable && i < end; k++, i++) {
                double env = Math.sin(Math.PI * k / syllable);
                double f = f0 * (1 + 0.03 * Math.sin(2 * Math.PI * 5 * k / rate)); // vibrato
                phase += 2 * Math.PI * f / rate;
                double s = 0;
                for (int h = 1; h * f < Math.min(4000, rate / 2.0 - 200); h++) {
                    s += formantGain(h * f, vowel) / h * Math.sin(h * phase);
                }
                x[i] += (float) (level * env * s);
            }
            i += (int) (random.nextDouble() * 0.05 * rate); // a gap between syllables
        }
    }

    private static double formantGain(double hz, double[] formants) {
        double g = 0.05;
        for (int j = 0; j < formants.length; j++) {
            double bandwidth = 80 + 40 * j;
            double d = (hz - formants[j]) / bandwidth;
            g += 1 / (1 + d * d) / (j + 1);
        }
        return g;
    }
}
