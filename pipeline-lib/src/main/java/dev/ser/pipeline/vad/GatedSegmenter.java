package dev.ser.pipeline.vad;

import java.util.List;

/**
 * One detector's frame probabilities through a {@link SpeechGate}: the plain way to find speech.
 */
public final class GatedSegmenter implements SpeechSegmenter {
    private final VoiceActivityDetector detector;
    private final SpeechGate gate;
    private long nanos;

    public GatedSegmenter(VoiceActivityDetector detector, VadConfig config, SpeechSink sink) {
        this.detector = detector;
        this.gate = new SpeechGate(config, VoiceActivityDetector.SAMPLE_RATE, sink);
    }

    /** Segmenters over detectors from {@code detectors}. */
    public static Factory factory(VoiceActivityDetector.Factory detectors, VadConfig config) {
        return sink -> new GatedSegmenter(detectors.newDetector(), config, sink);
    }

    @Override
    public int frameSamples() {
        return detector.frameSamples();
    }

    @Override
    public void frame(float[] samples, int length) {
        long t0 = System.nanoTime();
        float p = detector.speechProbability(samples);
        nanos += System.nanoTime() - t0;
        gate.frame(samples, length, p);
    }

    @Override
    public List<SpeechRegion> finish() {
        return gate.finish();
    }

    @Override
    public long detectorNanos() {
        return nanos;
    }

    @Override
    public void close() {
        detector.close();
    }
}
