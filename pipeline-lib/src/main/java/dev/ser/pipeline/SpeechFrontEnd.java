package dev.ser.pipeline;

import dev.ser.pipeline.model.ModelManifest;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.vad.CascadeSegmenter;
import dev.ser.pipeline.vad.EnergyVad;
import dev.ser.pipeline.vad.GatedSegmenter;
import dev.ser.pipeline.vad.SileroVad;
import dev.ser.pipeline.vad.SpeechSegmenter;
import dev.ser.pipeline.vad.VoiceActivityDetector;
import dev.ser.pipeline.window.WindowConfig;
import java.nio.file.Path;

/**
 * The one assembly of everything before the model: decoding and resampling, the speech detector,
 * the windows and the preprocessing, built from what the model fixes (rate, window length, padding,
 * preprocessing: its manifest, or for training preparation the values the trainer will write into
 * it) and the run's settings. Scoring, evaluation, training preparation and the benchmark all build
 * theirs here, so a model is scored on windows cut exactly as its training windows were whenever
 * the settings agree, and {@link #settings()} says what they were when they do not.
 */
public final class SpeechFrontEnd {
    private final FrontEndSettings settings;
    private final SpeechWindowing windowing;
    private final Preprocessor preprocessor;

    private SpeechFrontEnd(
            double windowSeconds,
            boolean zeroPad,
            PreprocessingConfig preprocessing,
            ScoringConfig config) {
        double hop = config.hopSeconds() == null ? windowSeconds : config.hopSeconds();
        WindowConfig windows = new WindowConfig(windowSeconds, hop, config.minLastWindowSeconds());
        this.settings =
                new FrontEndSettings(
                        config.detector(),
                        config.detector().equals("energy") ? null : config.sileroModel(),
                        config.detector().equals("energy+silero") ? config.cascade() : null,
                        config.vad(),
                        windows,
                        zeroPad,
                        preprocessing);
        this.windowing = new SpeechWindowing(segmenters(config), windows);
        this.preprocessor = new Preprocessor(preprocessing);
    }

    private static SpeechSegmenter.Factory segmenters(ScoringConfig config) {
        if (config.detector().equals("energy")) {
            return GatedSegmenter.factory(EnergyVad::new, config.vad());
        }
        VoiceActivityDetector.Factory silero =
                config.sileroModel() == null
                        ? SileroVad.bundled()
                        : SileroVad.factory(Path.of(config.sileroModel()));
        return config.detector().equals("silero")
                ? GatedSegmenter.factory(silero, config.vad())
                : CascadeSegmenter.factory(silero, config.vad(), config.cascade());
    }

    /** The front end that feeds {@code model} under the run's {@code config}. */
    public static SpeechFrontEnd forModel(ModelManifest model, ScoringConfig config) {
        if (model.sampleRate() != SpeechWindowing.SAMPLE_RATE) {
            throw new IllegalArgumentException(
                    "the pipeline's speech detectors work at 16 kHz; model "
                            + model.name()
                            + " expects "
                            + model.sampleRate()
                            + " Hz");
        }
        return new SpeechFrontEnd(
                model.windowSeconds(), model.zeroPadToWindow(), model.preprocessing(), config);
    }

    /**
     * The front end that cuts training windows of {@code windowSeconds}, zero-padded to full length
     * as the study trains, under the run's {@code config}.
     */
    public static SpeechFrontEnd forTraining(
            double windowSeconds, PreprocessingConfig preprocessing, ScoringConfig config) {
        return new SpeechFrontEnd(windowSeconds, true, preprocessing, config);
    }

    public SpeechWindowing windowing() {
        return windowing;
    }

    public Preprocessor preprocessor() {
        return preprocessor;
    }

    public FrontEndSettings settings() {
        return settings;
    }
}
