package dev.ser.pipeline;

import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import dev.ser.pipeline.audio.PcmFormat;
import dev.ser.pipeline.vad.SpeechRegion;
import dev.ser.pipeline.vad.SpeechSegmenter;
import dev.ser.pipeline.vad.VoiceActivityDetector;
import dev.ser.pipeline.window.Window;
import dev.ser.pipeline.window.WindowConfig;
import dev.ser.pipeline.window.Windower;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * The front half of the pipeline, as a stream: decode, down-mix and resample to 16 kHz, detect
 * speech frame by frame, and cut the speech into windows, each handed on as soon as it is full.
 * What the model sees is decided here, for scoring and for benchmarks alike.
 */
public final class SpeechWindowing {
    /** The detectors work on 16 kHz audio. */
    public static final int SAMPLE_RATE = VoiceActivityDetector.SAMPLE_RATE;

    private static final int BLOCK = 8192;

    private final SpeechSegmenter.Factory segmenters;
    private final WindowConfig windowConfig;

    public SpeechWindowing(SpeechSegmenter.Factory segmenters, WindowConfig windowConfig) {
        this.segmenters = segmenters;
        this.windowConfig = windowConfig;
    }

    /** What cutting a recording found besides its windows. */
    public record Cut(
            double durationSeconds,
            List<SpeechRegion> regions,
            PcmFormat sourceFormat,
            long vadNanos) {
        public double speechSeconds() {
            return regions.stream().mapToLong(SpeechRegion::length).sum() / (double) SAMPLE_RATE;
        }
    }

    /** Streams the recording from {@code source}, handing each window to {@code windows}. */
    public Cut cut(AudioSource source, Consumer<Window> windows) throws IOException {
        Windower windower = new Windower(windowConfig, SAMPLE_RATE, windows);
        try (MonoStream audio = new MonoStream(AudioDecoders.open(source.open()), SAMPLE_RATE);
                SpeechSegmenter speech = segmenters.newSegmenter(windower)) {
            float[] frame = new float[speech.frameSamples()];
            float[] block = new float[BLOCK];
            int filled = 0;
            int n;
            while ((n = audio.read(block)) >= 0) {
                for (int i = 0; i < n; ) {
                    int take = Math.min(n - i, frame.length - filled);
                    System.arraycopy(block, i, frame, filled, take);
                    filled += take;
                    i += take;
                    if (filled == frame.length) {
                        speech.frame(frame, filled);
                        filled = 0;
                    }
                }
            }
            if (filled > 0) {
                // the detectors need a whole frame; only the real samples are speech
                Arrays.fill(frame, filled, frame.length, 0f);
                speech.frame(frame, filled);
            }
            List<SpeechRegion> regions = speech.finish();
            windower.finish();
            return new Cut(
                    audio.sourceSeconds(), regions, audio.sourceFormat(), speech.detectorNanos());
        }
    }
}
