package dev.ser.pipeline;

import dev.ser.pipeline.aggregate.Aggregator;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.audio.UnsupportedAudioException;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.vad.EnergyVad;
import dev.ser.pipeline.vad.SileroVad;
import dev.ser.pipeline.vad.VoiceActivityDetector;
import dev.ser.pipeline.window.Window;
import dev.ser.pipeline.window.WindowConfig;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Scores one recording end to end, as a stream: decode, down-mix and resample, detect speech,
 * cut windows, preprocess each window as the model was trained, score windows in batches,
 * aggregate. Memory is bounded by one batch of windows whatever the recording's length.
 * Never throws for a bad recording: that is an {@code error} result with the reason.
 */
public final class RecordingScorer {
    private final EmotionModel model;
    private final SpeechWindowing windowing;
    private final Preprocessor preprocessor;
    private final Aggregator aggregator;

    public RecordingScorer(EmotionModel model, ScoringConfig config) {
        ModelManifest manifest = model.manifest();
        this.model = model;
        if (manifest.sampleRate() != SpeechWindowing.SAMPLE_RATE) {
            throw new IllegalArgumentException("the pipeline's speech detectors work at 16 kHz; model "
                    + manifest.name() + " expects " + manifest.sampleRate() + " Hz");
        }
        this.windowing = windowing(manifest, config);
        this.preprocessor = new Preprocessor(manifest.preprocessing());
        this.aggregator = new Aggregator(manifest.labels(), config.weightBySpeech());
    }

    /** The windowing a model and these settings call for (the model fixes the window length). */
    public static SpeechWindowing windowing(ModelManifest manifest, ScoringConfig config) {
        VoiceActivityDetector.Factory vad = config.sileroModel() == null ? EnergyVad::new
                : SileroVad.factory(Path.of(config.sileroModel()));
        double window = manifest.windowSeconds();
        return new SpeechWindowing(vad, config.vad(), new WindowConfig(window,
                config.hopSeconds() == null ? window : config.hopSeconds(), config.minLastWindowSeconds()));
    }

    public RecordingResult score(AudioSource source) {
        try {
            return scoreOrThrow(source);
        } catch (UnsupportedAudioException e) {
            return RecordingResult.error(e.getMessage());
        } catch (EOFException e) {
            return RecordingResult.error("truncated file: " + e.getMessage());
        } catch (IOException e) {
            return RecordingResult.error("cannot read: " + e);
        } catch (RuntimeException e) {
            return RecordingResult.error(e.getClass().getSimpleName() + ": " + e.getMessage());
        }
    }

    private RecordingResult scoreOrThrow(AudioSource source) throws IOException {
        List<WindowScore> scores = new ArrayList<>();
        List<Window> batch = new ArrayList<>();
        int batchSize = model.options().batchSize();
        SpeechWindowing.Cut cut = windowing.cut(source, w -> {
            batch.add(w);
            if (batch.size() == batchSize) {
                scoreBatch(batch, scores);
            }
        });
        scoreBatch(batch, scores);
        var format = cut.sourceFormat();
        if (scores.isEmpty()) {
            return new RecordingResult(RecordingStatus.NO_SPEECH, null, cut.durationSeconds(), cut.speechSeconds(),
                    format.sampleRate(), format.channels(), List.of(), null);
        }
        return new RecordingResult(RecordingStatus.OK, null, cut.durationSeconds(), cut.speechSeconds(),
                format.sampleRate(), format.channels(), List.copyOf(scores), aggregator.aggregate(scores));
    }

    private void scoreBatch(List<Window> batch, List<WindowScore> scores) {
        if (batch.isEmpty()) {
            return;
        }
        List<float[]> inputs = new ArrayList<>(batch.size());
        for (Window w : batch) {
            inputs.add(preprocessor.apply(w.samples()));
        }
        float[][] probabilities = model.predict(inputs);
        for (int i = 0; i < batch.size(); i++) {
            Window w = batch.get(i);
            scores.add(new WindowScore(w.index(), w.startSeconds(), w.endSeconds(), w.speechSeconds(), probabilities[i]));
        }
        batch.clear();
    }
}
