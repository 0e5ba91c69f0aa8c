package dev.ser.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.corpus.AsedReader;
import dev.ser.pipeline.corpus.LabelledClip;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * A voice's moving pitch is speech; held notes, tones, one-way sweeps and noise are not, however
 * periodic or loud.
 */
class IntonationCheckTest {
    private static final int RATE = 16_000;

    private static boolean speech(float[] x) {
        return new IntonationCheck().hasSpeech(x, 0, x.length);
    }

    /**
     * A vowel-like sound: a glottal pulse train at {@code pitch(t)} Hz through two formant
     * resonators (500 and 1500 Hz), {@code seconds} long.
     */
    private static float[] vowel(double seconds, DoubleUnaryOperator pitch) {
        int n = (int) (seconds * RATE);
        float[] x = new float[n];
        double phase = 0;
        double[] y1 = new double[2];
        double[] y2 = new double[2];
        for (int i = 0; i < n; i++) {
            phase += pitch.applyAsDouble(i / (double) RATE) / RATE;
            double pulse = 0;
            if (phase >= 1) {
                phase -= 1;
                pulse = 1;
            }
            double a = resonate(pulse, 500, y1);
            x[i] = (float) (0.1 * resonate(a, 1500, y2));
        }
        return x;
    }

    private static double resonate(double in, double hz, double[] y) {
        double r = Math.exp(-Math.PI * 100 / RATE); // 100 Hz bandwidth
        double out = in + 2 * r * Math.cos(2 * Math.PI * hz / RATE) * y[0] - r * r * y[1];
        y[1] = y[0];
        y[0] = out;
        return out * (1 - r);
    }

    /**
     * Music-like sound, as the detector benchmark makes it: major triads of four-harmonic tones on
     * roots of 110-415 Hz, changed every 0.25-1 s, each struck and decaying.
     */
    static float[] chords(double seconds, long seed) {
        Random random = new Random(seed);
        float[] chords = new float[(int) (seconds * RATE)];
        for (int at = 0; at < chords.length; ) {
            int length = (int) (RATE * (0.25 + 0.75 * random.nextDouble()));
            double root = 110 * Math.pow(2, random.nextInt(24) / 12.0);
            for (int k = 0; k < length && at < chords.length; k++, at++) {
                double t = k / (double) RATE;
                double s = 0;
                for (double f : new double[] {root, root * 1.2599, root * 1.4983}) {
                    for (int h = 1; h <= 4; h++) {
                        s += Math.sin(2 * Math.PI * h * f * t) / h;
                    }
                }
                chords[at] = (float) (0.05 * Math.min(1, t / 0.02) * Math.exp(-1.5 * t) * s);
            }
        }
        return chords;
    }

    @Test
    void aVoiceWhosePitchRisesAndFallsIsSpeech() {
        // 120 Hz rising to 160 and falling to 110 within a second, as an utterance's intonation
        float[] x = vowel(1.0, t -> t < 0.4 ? 120 + 100 * t : 160 - 83 * (t - 0.4));
        assertTrue(speech(x));
        SpeechRegion span = new IntonationCheck().speechSpan(x, 0, x.length);
        assertNotNull(span);
        assertTrue(span.startSample() < 0.1 * RATE && span.endSample() > 0.9 * RATE, "" + span);
    }

    @Test
    void theSameVoiceHeldOnOneNoteIsNot() {
        assertFalse(speech(vowel(1.0, t -> 140)));
    }

    @Test
    void aVoiceGlidingOneWayOnlyIsNot() {
        // a siren's or a sweep's pitch moves too, but never back
        assertFalse(speech(vowel(1.0, t -> 100 + 150 * t)));
        float[] sweep = new float[10 * RATE];
        double phase = 0;
        for (int i = 0; i < sweep.length; i++) {
            phase += 2 * Math.PI * (100 + 3900 * i / (double) sweep.length) / RATE;
            sweep[i] = (float) (0.3 * Math.sin(phase));
        }
        assertFalse(speech(sweep));
    }

    @Test
    void chordsTonesHumAndNoiseAreNot() {
        float[] chords = chords(10, 3);
        assertFalse(speech(chords));
        assertFalse(speech(TestAudio.sine(440, 10, RATE, 0.3)));
        float[] hum = new float[10 * RATE];
        for (int i = 0; i < hum.length; i++) {
            double t = i / (double) RATE;
            hum[i] =
                    (float)
                            (0.1 * Math.sin(2 * Math.PI * 50 * t)
                                    + 0.05 * Math.sin(4 * Math.PI * 50 * t));
        }
        assertFalse(speech(hum));
        assertFalse(speech(TestAudio.noise(10, RATE, 0.1, 4)));
        assertFalse(speech(new float[10 * RATE]));
    }

    @Test
    void quietSadSpeechThatSileroDoesNotHearIsSpeech() throws IOException {
        // ASED, sadness: Silero's probability never passes 0.25 on it
        float[] x =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ased/04Sad/s4-06-01-01-58.flac"), RATE);
        assertTrue(speech(x));
    }

    @Test
    void everyOneOfSixtyRandomAsedClipsIsSpeech() throws IOException {
        Path root = SharedCorpora.require("corpora/ased");
        List<LabelledClip> clips = new ArrayList<>(new AsedReader().read(root).clips());
        Collections.shuffle(clips, new Random(11));
        List<String> missed = new ArrayList<>();
        for (LabelledClip clip : clips.subList(0, 60)) {
            if (!speech(TestAudio.decode(Path.of(clip.path()), RATE))) {
                missed.add(clip.path());
            }
        }
        assertEquals(List.of(), missed);
    }
}
