package dev.ser.pipeline.vad;

/**
 * How frame probabilities become speech regions. Thresholds follow Silero's authors (speech from
 * 0.5, off again below 0.35); the minimum silence that ends a region is longer than theirs (300 ms,
 * not 100) so that the short pauses inside an utterance, which carry prosody, stay in the windows.
 *
 * @param threshold probability at which speech starts (0.5)
 * @param offThreshold probability below which speech stops (0.35)
 * @param minSpeechMs a run of speech shorter than this is ignored (250 ms)
 * @param minSilenceMs a pause shorter than this does not end a region (300 ms)
 * @param padMs padding added on each side of a region (100 ms); regions whose padding would overlap
 *     are merged
 */
public record VadConfig(
        double threshold, double offThreshold, int minSpeechMs, int minSilenceMs, int padMs)
        implements java.io.Serializable {

    public static final VadConfig DEFAULT = new VadConfig(0.5, 0.35, 250, 300, 100);

    public VadConfig {
        if (!(threshold > 0 && threshold < 1) || !(offThreshold > 0 && offThreshold <= threshold)) {
            throw new IllegalArgumentException(
                    "VAD thresholds need 0 < off <= on < 1, got on "
                            + threshold
                            + ", off "
                            + offThreshold);
        }
        if (minSpeechMs < 0 || minSilenceMs < 0 || padMs < 0) {
            throw new IllegalArgumentException("VAD durations must not be negative");
        }
    }
}
