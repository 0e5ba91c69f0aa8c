package dev.ser.pipeline.vad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a recording's frames and their speech probabilities into speech regions, online, passing
 * only the speech (with its padding) on to a {@link SpeechSink}. Holds back only the audio not yet
 * decided (at most the minimum speech or silence plus padding), so a recording of any length passes
 * through in bounded memory.
 *
 * <p>As Silero's segmenter: a frame starts speech at {@code threshold} and continues it down to
 * {@code offThreshold}; a region opens at the first speech frame and closes after a pause of at
 * least the minimum silence (and at least twice the padding, so padded regions never overlap:
 * closer regions are one region). A region whose speech, from its first to its last speech frame,
 * is shorter than the minimum speech duration is dropped (and, where asked, one with too few frames
 * at the onset threshold); audio is handed on only once a region has reached it.
 *
 * <p>With a {@link RegionCheck}, reaching the minimum is not enough: a region is also trusted only
 * when enough of its frames were marked sure, some of them in a row, and otherwise held until the
 * check's second opinion on its audio, asked when the region closes or when the held audio reaches
 * the check's limit. A region the check rejects is dropped.
 */
public final class SpeechGate {
    private final VadConfig config;
    private final int sampleRate;
    private final SpeechSink sink;
    private final long minSpeech;
    private final long closingSilence;
    private final long pad;
    private final RegionCheck check;
    private final int minFramesAtThreshold;
    private final List<SpeechRegion> regions = new ArrayList<>();

    // Audio not yet emitted or dropped: pending[0] is at absolute index pendingStart.
    private float[] pending = new float[1 << 14];
    private long pendingStart;
    private long pendingEnd;

    private boolean inRegion; // a region is open (maybe not yet confirmed)
    private boolean confirmed; // its speech has reached the minimum duration: it is being emitted
    private int sureRun; // consecutive sure speech frames up to the last frame
    private int sureFrames; // the open region's sure speech frames
    private int longestSureRun; // and its longest run of them
    private int framesAtThreshold; // the open region's frames at the onset threshold
    private boolean emittedAny;
    private long regionStart; // padded start
    private long speechStart; // first speech sample
    private long lastSpeechEnd;
    private long emittedUpTo;

    public SpeechGate(VadConfig config, int sampleRate, SpeechSink sink) {
        this(config, sampleRate, sink, null);
    }

    /**
     * @param check second opinion on regions with too few sure frames, or null to trust every
     *     region that reaches the minimum speech duration
     */
    public SpeechGate(VadConfig config, int sampleRate, SpeechSink sink, RegionCheck check) {
        this(config, sampleRate, sink, check, 0);
    }

    /**
     * As {@link #SpeechGate(VadConfig, int, SpeechSink, RegionCheck)}, with a second minimum: a
     * region counts only once this many of its frames reached the onset threshold (not only the
     * continuation threshold).
     */
    SpeechGate(
            VadConfig config,
            int sampleRate,
            SpeechSink sink,
            RegionCheck check,
            int minFramesAtThreshold) {
        this.minFramesAtThreshold = minFramesAtThreshold;
        this.config = config;
        this.check = check;
        this.sampleRate = sampleRate;
        this.sink = sink;
        this.minSpeech = ms(config.minSpeechMs());
        this.pad = ms(config.padMs());
        this.closingSilence = Math.max(ms(config.minSilenceMs()), 2 * pad);
    }

    private long ms(int millis) {
        return (long) millis * sampleRate / 1000;
    }

    /**
     * Feeds the next frame of the recording (consecutive frames, any length) and its speech
     * probability.
     */
    public void frame(float[] samples, int length, float probability) {
        frame(samples, length, probability, true);
    }

    /**
     * As {@link #frame(float[], int, float)}, with whether the first detector is sure of this frame
     * (counted towards trusting its region without the check).
     */
    public void frame(float[] samples, int length, float probability, boolean sure) {
        long start = pendingEnd;
        long end = start + length;
        append(samples, length);
        boolean speech = probability >= (inRegion ? config.offThreshold() : config.threshold());
        if (!inRegion) {
            if (speech) {
                inRegion = true;
                confirmed = false;
                sureFrames = 0;
                framesAtThreshold = 0;
                longestSureRun = 0;
                speechStart = start;
                regionStart = Math.max(Math.max(start - pad, emittedUpTo), pendingStart);
                lastSpeechEnd = end;
            }
        } else if (speech) {
            lastSpeechEnd = end;
        } else if (end - lastSpeechEnd >= closingSilence) {
            closeRegion(lastSpeechEnd + pad);
        }
        if (inRegion && probability >= config.threshold()) {
            framesAtThreshold++;
        }
        sureRun = speech && sure ? sureRun + 1 : 0;
        if (inRegion && sureRun > 0) {
            sureFrames++;
            longestSureRun = Math.max(longestSureRun, sureRun);
        }
        if (inRegion
                && !confirmed
                && lastSpeechEnd - speechStart >= minSpeech
                && framesAtThreshold >= minFramesAtThreshold) {
            if (check == null
                    || sureFrames >= check.sureFramesToTrust()
                            && longestSureRun >= check.sureRunToTrust()) {
                confirmed = true;
            } else if (pendingEnd - regionStart >= check.holdLimitSamples()) {
                confirmed = askCheck(pendingEnd);
                if (!confirmed) { // not speech so far: drop it; later speech opens a new region
                    inRegion = false;
                }
            }
        }
        if (inRegion && confirmed && speech) {
            emitUpTo(end);
        }
        if (!inRegion) {
            // Keep only what a region opening later could still claim: its padding.
            dropBefore(Math.max(end - pad, emittedUpTo));
        }
    }

    /** Ends the recording: closes an open region at the end of the audio. */
    public List<SpeechRegion> finish() {
        if (inRegion) {
            closeRegion(Math.min(lastSpeechEnd + pad, pendingEnd));
        }
        return List.copyOf(regions);
    }

    /** Total samples fed so far. */
    public long samplesSeen() {
        return pendingEnd;
    }

    /** Ends the open region: kept when its speech reached the minimum, dropped otherwise. */
    private void closeRegion(long end) {
        inRegion = false;
        if (!confirmed
                && check != null
                && lastSpeechEnd - speechStart >= minSpeech
                && framesAtThreshold >= minFramesAtThreshold) {
            confirmed = askCheck(end);
        }
        if (!confirmed) {
            return;
        }
        emitUpTo(end);
        regions.add(new SpeechRegion(regionStart, end));
        emittedUpTo = end;
        dropBefore(end);
    }

    /** Whether the check finds speech in the held region, from its padded start to {@code end}. */
    private boolean askCheck(long end) {
        int from = (int) (regionStart - pendingStart);
        return check.hasSpeech(pending, from, (int) (end - regionStart));
    }

    /** Whether any audio has been handed on to the sink. */
    public boolean emittedAny() {
        return emittedAny;
    }

    private void emitUpTo(long end) {
        if (end > pendingStart) {
            int n = (int) (end - pendingStart);
            emittedAny = true;
            sink.speech(pending, 0, n, pendingStart);
            dropBefore(end);
        }
    }

    private void append(float[] samples, int length) {
        int used = (int) (pendingEnd - pendingStart);
        if (used + length > pending.length) {
            pending = Arrays.copyOf(pending, Math.max(pending.length * 2, used + length));
        }
        System.arraycopy(samples, 0, pending, used, length);
        pendingEnd += length;
    }

    private void dropBefore(long index) {
        long to = Math.min(index, pendingEnd);
        if (to <= pendingStart) {
            return;
        }
        int drop = (int) (to - pendingStart);
        System.arraycopy(pending, drop, pending, 0, (int) (pendingEnd - to));
        pendingStart = to;
    }
}
