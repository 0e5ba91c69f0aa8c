package dev.ser.pipeline.model;

import java.util.List;

/**
 * What scoring needs of an emotion model: its manifest, its run options and class probabilities for
 * windows. Tasks get this view of the JVM's shared {@link EmotionModel} from {@link
 * OrtSessions#emotionModel}; it has no {@code close}, so no task can close a session that other
 * tasks are using (the cache owns the session).
 */
public interface EmotionClassifier {
    ModelManifest manifest();

    OnnxRuntimeOptions options();

    /** Class probabilities for each 16 kHz window, in order; see {@link EmotionModel#predict}. */
    float[][] predict(List<float[]> waveforms);

    /**
     * Probabilities and, when the manifest has {@code archive_normalisation}, each window's
     * features; see {@link EmotionModel#score}.
     */
    default WindowOutputs score(List<float[]> waveforms) {
        return new WindowOutputs(predict(waveforms), null);
    }
}
