package dev.ser.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.model.EmotionClassifier;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.model.OnnxRuntimeOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingScorerTest {
    private static EmotionModel model;
    private static RecordingScorer scorer;

    @TempDir Path tmp;

    @BeforeAll
    static void load() {
        model =
                new EmotionModel(
                        ModelPackage.load(TestAudio.tinyModel()), new OnnxRuntimeOptions(1, 4));
        scorer = new RecordingScorer(model, ScoringConfig.DEFAULT);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aRealUtteranceIsOneWindowWithinItsSpeech() {
        Path flac = SharedCorpora.require("corpora/ravdess/Actor_05/03-01-05-02-02-01-05.flac");
        RecordingResult r = scorer.score(() -> Files.newInputStream(flac));
        assertEquals(RecordingStatus.OK, r.status(), r.error());
        assertEquals(1, r.windows().size());
        WindowScore w = r.windows().get(0);
        assertTrue(w.startSeconds() > 0.2 && w.endSeconds() <= r.durationSeconds(), w.toString());
        assertTrue(r.speechSeconds() > 1 && r.speechSeconds() < r.durationSeconds());
        assertEquals(16_000, r.sourceSampleRate());
        assertTrue(
                model.manifest().labels().contains(r.emotion().emotion()), r.emotion().emotion());
    }

    @Test
    void aLongVoiceNoteAt48kHzStereoGetsWindowsInOrderOnItsTimeline() throws IOException {
        float[] parts = new float[0];
        for (String f :
                new String[] {
                    "03-01-01-01-01-01-01",
                    "03-01-03-02-01-01-01",
                    "03-01-04-02-02-02-01",
                    "03-01-05-01-02-01-01",
                    "03-01-06-02-01-02-01",
                    "03-01-07-01-01-01-01",
                    "03-01-08-02-02-01-01"
                }) {
            float[] clip =
                    TestAudio.decode(
                            SharedCorpora.require("corpora/ravdess-48k/Actor_01/" + f + ".wav"),
                            48_000);
            parts = TestAudio.concat(parts, clip, TestAudio.noise(2, 48_000, 0.001, f.hashCode()));
        }
        float[] right = parts.clone();
        for (int i = 0; i < right.length; i++) {
            right[i] *= 0.5f;
        }
        Path wav = tmp.resolve("note.wav");
        Files.write(
                wav,
                TestAudio.wav(
                        new float[][] {parts, right}, 48_000, WavWriter.Encoding.PCM24, true));
        RecordingResult r = scorer.score(() -> Files.newInputStream(wav));
        assertEquals(RecordingStatus.OK, r.status(), r.error());
        assertEquals(parts.length / 48_000.0, r.durationSeconds(), 1e-6);
        assertEquals(2, r.sourceChannels());
        assertTrue(r.windows().size() >= 2, "windows: " + r.windows().size());
        double previousEnd = 0;
        for (WindowScore w : r.windows()) {
            assertTrue(
                    w.startSeconds() >= previousEnd - 1e-9 && w.endSeconds() > w.startSeconds(),
                    w.toString());
            assertTrue(w.endSeconds() - w.startSeconds() >= w.speechSeconds() - 1e-9);
            previousEnd = w.endSeconds();
        }
        assertTrue(previousEnd <= r.durationSeconds());
    }

    @Test
    void silenceAndNoiseHaveNoSpeechAndBrokenFilesAreErrors() throws Exception {
        Path silence =
                TestAudio.writeWav(tmp.resolve("silence.wav"), new float[20 * 16_000], 16_000);
        RecordingResult s = scorer.score(() -> Files.newInputStream(silence));
        assertEquals(RecordingStatus.NO_SPEECH, s.status());
        assertEquals(20.0, s.durationSeconds(), 1e-9);
        assertEquals(0, s.windows().size());

        Path hum =
                TestAudio.writeWav(
                        tmp.resolve("noise.wav"), TestAudio.noise(15, 16_000, 0.05, 9), 16_000);
        assertEquals(
                RecordingStatus.NO_SPEECH, scorer.score(() -> Files.newInputStream(hum)).status());

        RecordingResult garbage =
                scorer.score(() -> new ByteArrayInputStream("GIF89a....".getBytes()));
        assertEquals(RecordingStatus.ERROR, garbage.status());
        assertTrue(garbage.error().contains("unrecognised audio format"), garbage.error());

        RecordingResult missing =
                scorer.score(() -> Files.newInputStream(tmp.resolve("absent.wav")));
        assertEquals(RecordingStatus.ERROR, missing.status());
        assertTrue(missing.error().contains("absent.wav"), missing.error());

        Path tone =
                TestAudio.writeWav(
                        tmp.resolve("tone.wav"), TestAudio.sine(220, 2, 16_000, 0.3), 16_000);
        byte[] flac =
                Files.readAllBytes(TestCodecs.ffmpeg(tone, "-c:a flac", tmp.resolve("tone.flac")));
        byte[] broken = java.util.Arrays.copyOf(flac, 30);
        RecordingResult cut = scorer.score(() -> new ByteArrayInputStream(broken));
        assertEquals(RecordingStatus.ERROR, cut.status(), "a FLAC cut inside its header");
    }

    @Test
    void aBugWhileScoringIsAnInternalErrorRowNotABadRecording() throws IOException {
        // a classifier that fails as a bug would: the recording is fine, the code is not
        EmotionClassifier broken =
                new EmotionClassifier() {
                    @Override
                    public ModelManifest manifest() {
                        return model.manifest();
                    }

                    @Override
                    public OnnxRuntimeOptions options() {
                        return model.options();
                    }

                    @Override
                    public float[][] predict(java.util.List<float[]> waveforms) {
                        throw new IllegalStateException("index bookkeeping went wrong");
                    }
                };
        Path tone =
                TestAudio.writeWav(
                        tmp.resolve("speechless-but-loud.wav"),
                        TestAudio.concat(
                                TestAudio.noise(1, 16_000, 0.001, 3),
                                TestAudio.sine(180, 4, 16_000, 0.5)),
                        16_000);
        RecordingResult bug =
                new RecordingScorer(broken, ScoringConfig.DEFAULT)
                        .score(() -> Files.newInputStream(tone));
        RecordingResult fine = scorer.score(() -> Files.newInputStream(tone));
        assertEquals(RecordingStatus.OK, fine.status(), "the recording itself scores");
        assertEquals(RecordingStatus.ERROR, bug.status());
        assertTrue(bug.isInternalError(), bug.error());
        assertTrue(bug.error().contains("index bookkeeping went wrong"), bug.error());
        assertFalse(RecordingResult.error("truncated file").isInternalError());
    }
}
