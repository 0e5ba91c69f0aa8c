package dev.ser.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.corpus.AsedReader;
import dev.ser.pipeline.corpus.CorpusReader;
import dev.ser.pipeline.corpus.EmoDbReader;
import dev.ser.pipeline.corpus.LabelledClip;
import dev.ser.pipeline.corpus.NemoReader;
import dev.ser.pipeline.corpus.RavdessReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The default detector against each of its parts alone, on the cases that made it: clean speech
 * (energy decides, Silero is never run), speech under noise that the energy detector misses, quiet
 * sad speech that Silero misses, loud bursts that the energy detector calls speech.
 */
class CascadeSegmenterTest {
    private static final int RATE = 16_000;
    private static final AtomicInteger SILERO_DETECTORS = new AtomicInteger();
    private static final VoiceActivityDetector.Factory SILERO = countingSilero(SileroVad.bundled());

    private static final AtomicInteger SILERO_FRAMES = new AtomicInteger();

    private static VoiceActivityDetector.Factory countingSilero(VoiceActivityDetector.Factory f) {
        return () -> {
            SILERO_DETECTORS.incrementAndGet();
            VoiceActivityDetector d = f.newDetector();
            return new VoiceActivityDetector() {
                @Override
                public int frameSamples() {
                    return d.frameSamples();
                }

                @Override
                public float speechProbability(float[] frame) {
                    SILERO_FRAMES.incrementAndGet();
                    return d.speechProbability(frame);
                }

                @Override
                public void close() {
                    d.close();
                }
            };
        };
    }

    private static List<SpeechRegion> run(SpeechSegmenter.Factory factory, float[] x) {
        try (SpeechSegmenter s = factory.newSegmenter((samples, off, len, at) -> {})) {
            float[] frame = new float[s.frameSamples()];
            for (int i = 0; i < x.length; i += frame.length) {
                int n = Math.min(frame.length, x.length - i);
                System.arraycopy(x, i, frame, 0, n);
                Arrays.fill(frame, n, frame.length, 0f);
                s.frame(frame, n);
            }
            return s.finish();
        }
    }

    private static List<SpeechRegion> cascade(float[] x) {
        return run(
                CascadeSegmenter.factory(
                        SILERO, VadConfig.DEFAULT, CascadeSegmenter.Settings.DEFAULT),
                x);
    }

    private static List<SpeechRegion> energy(float[] x) {
        return run(GatedSegmenter.factory(EnergyVad::new, VadConfig.DEFAULT), x);
    }

    private static List<SpeechRegion> silero(float[] x) {
        return run(GatedSegmenter.factory(SILERO, VadConfig.DEFAULT), x);
    }

    private static float[] withWhiteNoise(float[] speech, double snrDb, long seed) {
        // SNR over the frames within 30 dB of the loudest, as the detector benchmark mixes
        double active = activePower(speech);
        float[] noise =
                TestAudio.noise(
                        speech.length / (double) RATE,
                        RATE,
                        Math.sqrt(active / Math.pow(10, snrDb / 10)),
                        seed);
        float[] x = new float[speech.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = speech[i] + noise[i];
        }
        return x;
    }

    /** The speech with {@link IntonationCheckTest#chords} at {@code snrDb} below its level. */
    private static float[] withChords(float[] speech, double snrDb, long seed) {
        float[] chords = IntonationCheckTest.chords(speech.length / (double) RATE, seed);
        double chordPower = 0;
        for (float v : chords) {
            chordPower += (double) v * v / chords.length;
        }
        double gain = Math.sqrt(activePower(speech) / chordPower / Math.pow(10, snrDb / 10));
        float[] x = new float[speech.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (speech[i] + gain * chords[i]);
        }
        return x;
    }

    private static List<SpeechRegion> withoutIntonation(float[] x) {
        return run(
                CascadeSegmenter.factory(
                        SILERO,
                        VadConfig.DEFAULT,
                        CascadeSegmenter.Settings.DEFAULT.withIntonationCheck(false)),
                x);
    }

    private static double activePower(float[] x) {
        double[] e = new double[x.length / 512];
        double max = 0;
        for (int k = 0; k < e.length; k++) {
            for (int i = k * 512; i < (k + 1) * 512; i++) {
                e[k] += (double) x[i] * x[i] / 512;
            }
            max = Math.max(max, e[k]);
        }
        double m = max;
        return Arrays.stream(e).filter(v -> v >= m / 1000).average().orElse(0);
    }

    @Test
    void cleanSpeechIsTheEnergyDetectorsAndSileroIsAskedOnlyAboutADoubtfulSound()
            throws IOException {
        float[] x =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ravdess/Actor_01/03-01-06-02-01-01-01.flac"),
                        RATE);
        List<SpeechRegion> byEnergy = energy(x);
        // the utterance, then a half-second sound after it (4.2-4.7 s) that the energy detector
        // keeps without being sure of it
        assertEquals(2, byEnergy.size());
        SILERO_DETECTORS.set(0);
        List<SpeechRegion> regions = cascade(x);
        assertEquals(List.of(byEnergy.get(0)), regions);
        assertEquals(1, SILERO_DETECTORS.get()); // once, for the doubtful sound only
    }

    @Test
    void quietSadSpeechThatSileroMissesIsKeptOnTheEnergyDetectorsWord() throws IOException {
        // ASED, sadness: Silero's probability never passes 0.25 on it
        float[] x =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ased/04Sad/s4-06-01-01-58.flac"), RATE);
        assertEquals(List.of(), silero(x));
        assertEquals(energy(x), cascade(x));
        assertFalse(cascade(x).isEmpty());
    }

    @Test
    void quietSpeechUnderBroadbandNoiseThatSileroMissesIsFoundInTheVoiceBand() throws IOException {
        // ASED, sadness, under white noise at 5 dB: Silero never hears it (not even clean: its
        // probability stays below 0.25), and over the whole band no frame stands 15 dB above the
        // floor; in the voice band (150-1000 Hz) enough of its syllables do
        float[] x =
                withWhiteNoise(
                        TestAudio.decode(
                                SharedCorpora.require("corpora/ased/04Sad/s4-05-02-02-51.flac"),
                                RATE),
                        5,
                        1);
        assertEquals(List.of(), silero(x));
        int wholeBand = sureFrames(new EnergyVad(12, -55, 3, Double.POSITIVE_INFINITY), x);
        int withVoiceBand = sureFrames(new EnergyVad(), x);
        assertTrue(wholeBand < CascadeSegmenter.Settings.DEFAULT.sureFrames(), "" + wholeBand);
        assertTrue(
                withVoiceBand >= 2 * CascadeSegmenter.Settings.DEFAULT.sureFrames(),
                "" + withVoiceBand);
        assertFalse(cascade(x).isEmpty());
    }

    @Test
    void quietSpeechUnderNoiseThatSileroRefusesIsKeptForItsIntonation() throws IOException {
        // ASED, sadness, under white noise at 3 dB: the energy detector opens a region without
        // being sure of it, Silero refuses it, and the voice's moving pitch is still there
        float[] x =
                withWhiteNoise(
                        TestAudio.decode(
                                SharedCorpora.require("corpora/ased/04Sad/s4-05-02-02-51.flac"),
                                RATE),
                        3,
                        2);
        assertEquals(1, energy(x).size());
        assertEquals(List.of(), silero(x));
        assertEquals(List.of(), withoutIntonation(x));
        assertEquals(energy(x), cascade(x));
    }

    @Test
    void speechUnderMusicThatNeitherDetectorFindsIsFoundByItsIntonation() throws IOException {
        // ASED, anger, under music-like chords at 5 dB: the energy detector opens no region and
        // Silero, handed the whole recording, finds nothing
        float[] speech =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ased/05Angry/a5-06-01-02-26.flac"), RATE);
        float[] x = withChords(speech, 5, 3);
        assertEquals(List.of(), energy(x));
        assertEquals(List.of(), silero(x));
        assertEquals(List.of(), withoutIntonation(x));
        long[] handedOn = {0};
        List<SpeechRegion> regions;
        try (SpeechSegmenter s =
                CascadeSegmenter.factory(
                                SILERO, VadConfig.DEFAULT, CascadeSegmenter.Settings.DEFAULT)
                        .newSegmenter((samples, off, len, at) -> handedOn[0] += len)) {
            for (int i = 0; i < x.length; i += s.frameSamples()) {
                int n = Math.min(s.frameSamples(), x.length - i);
                s.frame(Arrays.copyOfRange(x, i, i + s.frameSamples()), n);
            }
            regions = s.finish();
        }
        assertEquals(1, regions.size());
        assertEquals(regions.get(0).length(), handedOn[0]);
        assertTrue(regions.get(0).length() >= RATE / 4, "" + regions); // the voiced stretch
    }

    /** Frames 15 dB or more above the detector's noise floor (the cascade's sure frames). */
    private static int sureFrames(EnergyVad vad, float[] x) {
        int sure = 0;
        for (int i = 0; i + 512 <= x.length; i += 512) {
            vad.speechProbability(Arrays.copyOfRange(x, i, i + 512));
            sure += vad.lastMarginDb() >= CascadeSegmenter.Settings.DEFAULT.sureMarginDb() ? 1 : 0;
        }
        return sure;
    }

    @Test
    void speechUnderNoiseThatTheEnergyDetectorMissesIsFound() throws IOException {
        float[] speech =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ravdess/Actor_04/03-01-04-01-02-01-04.flac"),
                        RATE);
        float[] x = withWhiteNoise(speech, 0, 5);
        assertEquals(List.of(), energy(x));
        assertFalse(cascade(x).isEmpty());
    }

    @Test
    void speechAfterLongNoiseIsFoundWhereItIs() throws IOException {
        // 40 s of noise, then the utterance: past the 30 s after which Silero takes the recording
        float[] speech =
                TestAudio.decode(
                        SharedCorpora.require("corpora/ravdess/Actor_04/03-01-04-01-02-01-04.flac"),
                        RATE);
        float[] x = withWhiteNoise(TestAudio.concat(new float[40 * RATE], speech), 0, 6);
        List<SpeechRegion> regions = cascade(x);
        assertFalse(regions.isEmpty());
        assertTrue(regions.get(0).startSample() >= 40 * RATE - RATE / 2, regions.toString());
    }

    @Test
    void digitalSilenceIsNotHandedToSilero() {
        // two minutes of silence: past the 30 s after which Silero would take the recording
        SILERO_FRAMES.set(0);
        assertEquals(List.of(), cascade(new float[120 * RATE]));
        assertEquals(0, SILERO_FRAMES.get());
    }

    @Test
    void loudBurstsInQuietNoiseAreNotSpeech() {
        // ten 50 ms knocks over noise at -50 dBFS: the energy detector keeps some as speech
        Random random = new Random(3);
        float[] x = TestAudio.noise(10, RATE, Math.pow(10, -50 / 20.0), 4);
        for (int b = 0; b < 10; b++) {
            int at = random.nextInt(x.length - 800);
            for (int k = 0; k < 800; k++) {
                x[at + k] += (float) (0.3 * random.nextGaussian() * Math.exp(-k / 200.0));
            }
        }
        assertFalse(energy(x).isEmpty());
        assertEquals(List.of(), cascade(x));
    }

    @Test
    void clustersOfKnocksAreNotTrustedAsSpeech() {
        // three clusters of four 50 ms knocks 80 ms apart over noise at -50 dBFS: each cluster
        // has 8 or more frames 15 dB above the floor, two in a row, so loudness alone trusts it
        Random random = new Random(5);
        float[] x = TestAudio.noise(10, RATE, Math.pow(10, -50 / 20.0), 6);
        for (int cluster = 0; cluster < 3; cluster++) {
            for (int b = 0; b < 4; b++) {
                int at = RATE + cluster * 3 * RATE + b * 1280;
                for (int k = 0; k < 800; k++) {
                    x[at + k] += (float) (0.3 * random.nextGaussian() * Math.exp(-k / 200.0));
                }
            }
        }
        CascadeSegmenter.Settings loudnessAlone =
                CascadeSegmenter.Settings.DEFAULT.withSureCrestDb(Double.POSITIVE_INFINITY);
        assertFalse(
                run(CascadeSegmenter.factory(SILERO, VadConfig.DEFAULT, loudnessAlone), x)
                        .isEmpty());
        assertEquals(List.of(), cascade(x));
    }

    /**
     * On the clean corpora models are trained on, the default detector cuts the energy detector's
     * regions (what lets an energy-trained model run under it without a warning; see {@code
     * FrontEndSettings}). 60 random clips per corpus; {@code -Dser.allClips=true} takes every clip
     * and prints the shares.
     */
    @Test
    void onCleanCorporaTheDefaultCutsTheEnergyDetectorsRegions() throws IOException {
        boolean all = Boolean.getBoolean("ser.allClips");
        Map<String, CorpusReader> corpora = new LinkedHashMap<>();
        corpora.put("ravdess", new RavdessReader(false));
        corpora.put("emodb/wav", new EmoDbReader());
        corpora.put("nemo", new NemoReader());
        corpora.put("ased", new AsedReader());
        for (var c : corpora.entrySet()) {
            List<LabelledClip> clips =
                    new ArrayList<>(
                            c.getValue()
                                    .read(SharedCorpora.require("corpora/" + c.getKey()))
                                    .clips());
            Collections.shuffle(clips, new Random(11));
            List<LabelledClip> sample = all ? clips : clips.subList(0, 60);
            int same = 0;
            for (LabelledClip clip : sample) {
                float[] x = TestAudio.decode(Path.of(clip.path()), RATE);
                List<SpeechRegion> cascade = cascade(x);
                assertFalse(cascade.isEmpty(), clip.path());
                same += cascade.equals(energy(x)) ? 1 : 0;
            }
            System.out.printf(
                    Locale.ROOT,
                    "%s: same regions in %d of %d clips (%.1f %%)%n",
                    c.getKey(),
                    same,
                    sample.size(),
                    100.0 * same / sample.size());
            assertTrue(same >= 0.95 * sample.size(), c.getKey() + ": " + same);
        }
    }
}
