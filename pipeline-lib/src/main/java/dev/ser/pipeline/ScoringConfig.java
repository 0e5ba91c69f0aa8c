package dev.ser.pipeline;

import dev.ser.pipeline.vad.VadConfig;
import java.io.Serializable;

/**
 * How recordings are scored, apart from the model (whose manifest fixes the rate, the window
 * length, the preprocessing and the padding).
 *
 * @param vad speech detection and region settings
 * @param sileroModel path of a Silero VAD ONNX file, or null for the built-in energy detector
 * @param hopSeconds distance between window starts, or null for no overlap (hop = window)
 * @param minLastWindowSeconds a last partial window shorter than this is dropped (1.0 s)
 * @param weightBySpeech weight window probabilities by their speech seconds instead of the study's
 *     plain mean
 */
public record ScoringConfig(
        VadConfig vad,
        String sileroModel,
        Double hopSeconds,
        double minLastWindowSeconds,
        boolean weightBySpeech)
        implements Serializable {

    public static final ScoringConfig DEFAULT =
            new ScoringConfig(VadConfig.DEFAULT, null, null, 1.0, false);
}
