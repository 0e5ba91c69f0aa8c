package dev.ser.pipeline.corpus;

import java.util.Map;

/**
 * One clip of a labelled corpus.
 *
 * @param path the audio file (absolute)
 * @param corpus {@code ravdess}, {@code crema-d}, {@code iemocap}, {@code emodb}
 * @param speaker speaker id, unique within the corpus
 * @param gender {@code female} or {@code male}
 * @param corpusLabel the corpus's own label (e.g. {@code calm}, {@code fru}, {@code W})
 * @param label the 4-class label ({@link EmotionClass}), or null when outside the set
 * @param facts corpus-specific facts (intensity, statement, perceived label, session, ...)
 */
public record LabelledClip(
        String path,
        String corpus,
        String speaker,
        String gender,
        String corpusLabel,
        String label,
        Map<String, String> facts) {}
