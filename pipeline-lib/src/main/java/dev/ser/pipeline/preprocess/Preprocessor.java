package dev.ser.pipeline.preprocess;

import java.util.Arrays;

/**
 * The one implementation of the model's input preprocessing, used for serving (each window before
 * it is scored) and for preparing training windows, so a model is always fed the way it was
 * trained. Steps in the study's order: trim silence, pre-emphasis, peak-normalise.
 *
 * <p>Trimming follows librosa's {@code effects.trim}: RMS over centred frames (zero-padded at the
 * edges), a frame is non-silent when its power is within {@code top_db} of the loudest frame, and
 * the signal is kept from the first non-silent frame's start ({@code k * hop}) to the end of the
 * last one ({@code (k + 1) * hop}). As in librosa, an all-zero signal is kept whole (every frame
 * equals the loudest one).
 */
public final class Preprocessor {
    private final PreprocessingConfig config;

    public Preprocessor(PreprocessingConfig config) {
        this.config = config;
    }

    public PreprocessingConfig config() {
        return config;
    }

    /** Returns a new, preprocessed array; {@code samples} is not modified. */
    public float[] apply(float[] samples) {
        float[] x = config.trimTopDb() != null ? trim(samples) : samples.clone();
        if (config.preEmphasis() != null) {
            preEmphasise(x, config.preEmphasis().floatValue());
        }
        if (config.peakNormalize() != null) {
            peakNormalise(x, config.peakNormalize().floatValue());
        }
        return x;
    }

    float[] trim(float[] x) {
        int frame = config.trimFrameLength();
        int hop = config.trimHopLength();
        int frames = 1 + x.length / hop;
        double[] meanSquare = new double[frames];
        double max = 0;
        for (int k = 0; k < frames; k++) {
            int from = k * hop - frame / 2;
            double sum = 0;
            for (int i = Math.max(0, from), end = Math.min(x.length, from + frame); i < end; i++) {
                sum += (double) x[i] * x[i];
            }
            meanSquare[k] = sum / frame;
            max = Math.max(max, meanSquare[k]);
        }
        // librosa: power_to_db(ms, ref=max, amin=1e-10) > -top_db
        double refDb = 10 * Math.log10(Math.max(1e-10, max));
        int first = -1;
        int last = -1;
        for (int k = 0; k < frames; k++) {
            double db = 10 * Math.log10(Math.max(1e-10, meanSquare[k])) - refDb;
            if (db > -config.trimTopDb()) {
                if (first < 0) {
                    first = k;
                }
                last = k;
            }
        }
        if (first < 0) {
            return new float[0]; // unreachable: the loudest frame is always within top_db of itself
        }
        int start = first * hop;
        int end = Math.min(x.length, (last + 1) * hop);
        return Arrays.copyOfRange(x, start, end);
    }

    static void preEmphasise(float[] x, float a) {
        for (int i = x.length - 1; i > 0; i--) {
            x[i] -= a * x[i - 1];
        }
    }

    static void peakNormalise(float[] x, float peak) {
        float max = 0;
        for (float v : x) {
            max = Math.max(max, Math.abs(v));
        }
        if (max > 0) {
            float g = peak / max;
            for (int i = 0; i < x.length; i++) {
                x[i] *= g;
            }
        }
    }
}
