package dev.ser.pipeline.vad;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns a recording's frames and their speech probabilities into speech regions, online,
 * passing only the speech (with its padding) on to a {@link SpeechSink}. Holds back only the
 * audio not yet decided (at most the minimum speech or silence plus padding), so a recording
 * of any length passes through in bounded memory.
 *
 * <p>Hysteresis: a frame starts speech at {@code threshold} and continues it down to
 * {@code offThreshold}. A region opens once a run of speech frames reaches the minimum
 * speech duration and closes after a pause of at least the minimum silence (and at least
 * twice the padding, so padded regions never overlap: closer regions are one region).
 */
public final class SpeechGate {
    private final VadConfig config;
    private final int sampleRate;
    private final SpeechSink sink;
    private final long minSpeech;
    private final long closingSilence;
    private final long pad;
    private final List<SpeechRegion> regions = new ArrayList<>();

    // Audio not yet emitted or dropped: pending[0] is at absolute index pendingStart.
    private float[] pending = new float[1 << 14];
    private long pendingStart;
    private long pendingEnd;

    private boolean inRegion;
    private long regionStart;
    private long lastSpeechEnd;
    private long runStart = -1;
    private long emittedUpTo;

    public SpeechGate(VadConfig config, int sampleRate, SpeechSink sink) {
        this.config = config;
        this.sampleRate = sampleRate;
        this.sink = sink;
        this.minSpeech = ms(config.minSpeechMs());
        this.pad = ms(config.padMs());
        this.closingSilence = Math.max(ms(config.minSilenceMs()), 2 * pad);
    }

    private long ms(int millis) {
        return (long) millis * sampleRate / 1000;
    }

    /** Feeds the next frame of the recording (consecutive frames, any length) and its speech probability. */
    public void frame(float[] samples, int length, float probability) {
        long start = pendingEnd;
        long end = start + length;
        append(samples, length);
        boolean speech = probability >= ((inRegion || runStart >= 0) ? config.offThreshold() : config.threshold());
        if (inRegion) {
            if (speech) {
                lastSpeechEnd = end;
                emitUpTo(end);
            } else if (end - lastSpeechEnd >= closingSilence) {
                closeRegion(lastSpeechEnd + pad);
            }
        } else if (speech) {
            if (runStart < 0) {
                runStart = start;
            }
            if (end - runStart >= minSpeech) {
                inRegion = true;
                regionStart = Math.max(Math.max(runStart - pad, emittedUpTo), pendingStart);
                dropBefore(regionStart);
                lastSpeechEnd = end;
                runStart = -1;
                emitUpTo(end);
            }
        } else {
            runStart = -1;
        }
        if (!inRegion) {
            // Keep what a region opening later could still claim: its padding and its run.
            long keepFrom = runStart >= 0 ? runStart - pad : end - pad;
            dropBefore(Math.max(keepFrom, emittedUpTo));
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

    private void closeRegion(long end) {
        emitUpTo(end);
        regions.add(new SpeechRegion(regionStart, end));
        inRegion = false;
        emittedUpTo = end;
        dropBefore(end);
    }

    private void emitUpTo(long end) {
        if (end > pendingStart) {
            int n = (int) (end - pendingStart);
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
