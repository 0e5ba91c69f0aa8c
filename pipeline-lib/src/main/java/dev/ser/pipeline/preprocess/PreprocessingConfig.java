package dev.ser.pipeline.preprocess;

/**
 * The preprocessing a model was trained with, as its manifest states it. A step whose parameter is
 * absent (null) does not run. The study's recipe is {@link #STUDY}.
 *
 * @param trimTopDb silence trimming threshold below the loudest frame, in dB (20)
 * @param trimFrameLength trimming RMS frame length in samples (2048)
 * @param trimHopLength trimming hop in samples (512)
 * @param preEmphasis pre-emphasis coefficient: y[n] = x[n] - a x[n-1] (0.97)
 * @param peakNormalize peak level after normalisation (0.95)
 */
public record PreprocessingConfig(
        Double trimTopDb,
        int trimFrameLength,
        int trimHopLength,
        Double preEmphasis,
        Double peakNormalize)
        implements java.io.Serializable {

    /** The study's preprocessing: trim at 20 dB, pre-emphasis 0.97, peak-normalise to 0.95. */
    public static final PreprocessingConfig STUDY =
            new PreprocessingConfig(20.0, 2048, 512, 0.97, 0.95);

    /** No preprocessing at all. */
    public static final PreprocessingConfig NONE =
            new PreprocessingConfig(null, 2048, 512, null, null);

    public PreprocessingConfig {
        if (trimTopDb != null && !(trimTopDb > 0)) {
            throw new IllegalArgumentException("trim top_db must be positive, got " + trimTopDb);
        }
        if (trimFrameLength <= 0 || trimHopLength <= 0) {
            throw new IllegalArgumentException("trim frame and hop lengths must be positive");
        }
        if (preEmphasis != null && !(preEmphasis >= 0 && preEmphasis < 1)) {
            throw new IllegalArgumentException(
                    "pre-emphasis must be in [0, 1), got " + preEmphasis);
        }
        if (peakNormalize != null && !(peakNormalize > 0 && peakNormalize <= 1)) {
            throw new IllegalArgumentException(
                    "peak normalisation level must be in (0, 1], got " + peakNormalize);
        }
    }
}
