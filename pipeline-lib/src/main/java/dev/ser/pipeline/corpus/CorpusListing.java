package dev.ser.pipeline.corpus;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a corpus reader found: every clip (those outside the 4-class set too, with a null label, so
 * they are counted, not silently dropped) and the options that shaped the labels.
 */
public record CorpusListing(String corpus, List<LabelledClip> clips, Map<String, String> options) {

    /** Clips with a 4-class label. */
    public List<LabelledClip> used() {
        return clips.stream().filter(c -> c.label() != null).toList();
    }

    /** Clips outside the 4-class set, counted by their corpus label. */
    public Map<String, Integer> excludedByCorpusLabel() {
        Map<String, Integer> counts = new TreeMap<>();
        for (LabelledClip c : clips) {
            if (c.label() == null) {
                counts.merge(c.corpusLabel(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
