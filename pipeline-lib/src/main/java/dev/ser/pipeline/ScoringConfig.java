package dev.ser.pipeline;

import dev.ser.pipeline.vad.CascadeSegmenter;
import dev.ser.pipeline.vad.VadConfig;
import java.io.Serializable;

/**
 * How recordings are scored, apart from the model (whose manifest fixes the rate, the window
 * length, the preprocessing and the padding).
 *
 * @param vad speech detection and region settings
 * @param detector how speech is found: {@code energy+silero} (the default: the energy detector,
 *     Silero where it is unsure; see {@code CascadeSegmenter}), {@code energy} or {@code silero}
 * @param sileroModel path of a Silero VAD v5 ONNX file, or null for the one the jar carries
 * @param cascade when {@code energy+silero} trusts the energy detector
 * @param hopSeconds distance between window starts, or null for no overlap (hop = window)
 * @param minLastWindowSeconds a last partial window shorter than this is dropped (1.0 s)
 * @param weightBySpeech weight window probabilities by their speech seconds instead of the study's
 *     plain mean
 */
public record ScoringConfig(
        VadConfig vad,
        String detector,
        String sileroModel,
        CascadeSegmenter.Settings cascade,
        Double hopSeconds,
        double minLastWindowSeconds,
        boolean weightBySpeech)
        implements Serializable {

    /** The detector names {@link #detector} takes. */
    public static final java.util.List<String> DETECTORS =
            java.util.List.of("energy+silero", "energy", "silero");

    public static final ScoringConfig DEFAULT =
            new ScoringConfig(
                    VadConfig.DEFAULT,
                    "energy+silero",
                    null,
                    CascadeSegmenter.Settings.DEFAULT,
                    null,
                    1.0,
                    false);

    public ScoringConfig {
        if (!DETECTORS.contains(detector)) {
            throw new IllegalArgumentException(
                    "unknown speech detector " + detector + "; expected one of " + DETECTORS);
        }
    }

    /** This configuration with another speech detector. */
    public ScoringConfig withDetector(String detector, String sileroModel) {
        return new ScoringConfig(
                vad,
                detector,
                sileroModel,
                cascade,
                hopSeconds,
                minLastWindowSeconds,
                weightBySpeech);
    }

    /** This configuration with other cascade settings. */
    public ScoringConfig withCascade(CascadeSegmenter.Settings cascade) {
        return new ScoringConfig(
                vad,
                detector,
                sileroModel,
                cascade,
                hopSeconds,
                minLastWindowSeconds,
                weightBySpeech);
    }
}
