package dev.ser.pipeline;

import dev.ser.pipeline.aggregate.Aggregator;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import dev.ser.pipeline.audio.UnsupportedAudioException;
import dev.ser.pipeline.model.EmotionModel;
import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.vad.EnergyVad;
import dev.ser.pipeline.vad.SileroVad;
import dev.ser.pipeline.vad.SpeechGate;
import dev.ser.pipeline.vad.SpeechRegion;
import dev.ser.pipeline.vad.VoiceActivityDetector;
import dev.ser.pipeline.window.Window;
import dev.ser.pipeline.window.WindowConfig;
import dev.ser.pipeline.window.Windower;
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
    private final ScoringConfig config;
    private final VoiceActivityDetector.Factory vadFactory;
    private final Preprocessor preprocessor;
    private final WindowConfig windowConfig;
    private final Aggregator aggregator;
    private final int sampleRate;

    public RecordingScorer(EmotionModel model, ScoringConfig config) {
        ModelManifest manifest = model.manifest();
        this.model = model;
        this.config = config;
        this.sampleRate = manifest.sampleRate();
        if (sampleRate != 16_000) {
            throw new IllegalArgumentException("the pipeline's speech detectors work at 16 kHz; model "
                    + manifest.name() + " expects " + sampleRate + " Hz");
        }
        this.vadFactory = config.sileroModel() == null ? EnergyVad::new
                : SileroVad.factory(Path.of(config.sileroModel()));
        this.preprocessor = new Preprocessor(manifest.preprocessing());
        double window = manifest.windowSeconds();
        this.windowConfig = new WindowConfig(window, config.hopSeconds() == null ? window : config.hopSeconds(),
                config.minLastWindowSeconds());
        this.aggregator = new Aggregator(manifest.labels(), config.weightBySpeech());
    }

    public EmotionModel model() {
        return model;
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
        try (MonoStream audio = new MonoStream(AudioDecoders.open(source.open()), sampleRate);
             VoiceActivityDetector vad = vadFactory.newDetector()) {
            Windower windower = new Windower(windowConfig, sampleRate, w -> {
                batch.add(w);
                if (batch.size() == batchSize) {
                    scoreBatch(batch, scores);
                }
            });
            SpeechGate gate = new SpeechGate(config.vad(), sampleRate, windower);
            float[] frame = new float[vad.frameSamples()];
            float[] block = new float[8192];
            int filled = 0;
            int n;
            while ((n = audio.read(block)) >= 0) {
                for (int i = 0; i < n; ) {
                    int take = Math.min(n - i, frame.length - filled);
                    System.arraycopy(block, i, frame, filled, take);
                    filled += take;
                    i += take;
                    if (filled == frame.length) {
                        gate.frame(frame, filled, vad.speechProbability(frame));
                        filled = 0;
                    }
                }
            }
            if (filled > 0) {
                java.util.Arrays.fill(frame, filled, frame.length, 0f);
                gate.frame(frame, filled, vad.speechProbability(frame));
            }
            List<SpeechRegion> regions = gate.finish();
            windower.finish();
            scoreBatch(batch, scores);
            double speech = regions.stream().mapToLong(SpeechRegion::length).sum() / (double) sampleRate;
            var format = audio.sourceFormat();
            if (scores.isEmpty()) {
                return new RecordingResult(RecordingStatus.NO_SPEECH, null, audio.sourceSeconds(), speech,
                        format.sampleRate(), format.channels(), List.of(), null);
            }
            return new RecordingResult(RecordingStatus.OK, null, audio.sourceSeconds(), speech, format.sampleRate(),
                    format.channels(), List.copyOf(scores), aggregator.aggregate(scores));
        }
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
