package dev.ser.pipeline.audio;

import java.io.IOException;

/**
 * A decoded recording as one mono signal at a target rate, read block by block: the channels are
 * averaged (down-mix) and the result resampled. Remembers how many source frames it has read, so
 * the recording's true duration is known at the end.
 */
public final class MonoStream implements AutoCloseable {
    private static final int BLOCK_FRAMES = 8192;

    private final PcmStream source;
    private final Resampler resampler;
    private final int targetRate;
    private final float[] interleaved;
    private final float[] mono = new float[BLOCK_FRAMES];
    private long sourceFrames;
    private boolean flushed;

    // Output not yet returned to the caller (the resampler hands out blocks of its own size).
    private float[] pending = new float[BLOCK_FRAMES];
    private int pendingStart;
    private int pendingEnd;

    public MonoStream(PcmStream source, int targetRate) {
        this.source = source;
        this.targetRate = targetRate;
        this.resampler = new Resampler(source.format().sampleRate(), targetRate);
        this.interleaved = new float[BLOCK_FRAMES * source.format().channels()];
    }

    public PcmFormat sourceFormat() {
        return source.format();
    }

    public int sampleRate() {
        return targetRate;
    }

    /** Seconds of source audio read so far (the recording's duration once at the end). */
    public double sourceSeconds() {
        return (double) sourceFrames / source.format().sampleRate();
    }

    /** Reads up to {@code out.length} mono samples; returns the count, or -1 at the end. */
    public int read(float[] out) throws IOException {
        while (pendingEnd == pendingStart) {
            pendingStart = 0;
            pendingEnd = 0;
            if (flushed) {
                return -1;
            }
            int frames = source.read(interleaved, BLOCK_FRAMES);
            if (frames < 0) {
                resampler.process(mono, 0, true, this::append);
                flushed = true;
            } else {
                sourceFrames += frames;
                downmix(interleaved, frames, source.format().channels(), mono);
                resampler.process(mono, frames, false, this::append);
            }
        }
        int n = Math.min(out.length, pendingEnd - pendingStart);
        System.arraycopy(pending, pendingStart, out, 0, n);
        pendingStart += n;
        return n;
    }

    private void append(float[] samples, int count) {
        if (pendingEnd + count > pending.length) {
            pending =
                    java.util.Arrays.copyOf(
                            pending, Math.max(pending.length * 2, pendingEnd + count));
        }
        System.arraycopy(samples, 0, pending, pendingEnd, count);
        pendingEnd += count;
    }

    /**
     * Averages channels. Non-finite samples (NaN, infinity in float files) become silence rather
     * than poisoning every later stage.
     */
    static void downmix(float[] interleaved, int frames, int channels, float[] mono) {
        if (channels == 1) {
            for (int i = 0; i < frames; i++) {
                float v = interleaved[i];
                mono[i] = Float.isFinite(v) ? v : 0f;
            }
            return;
        }
        float inv = 1f / channels;
        for (int i = 0, p = 0; i < frames; i++) {
            float sum = 0;
            for (int c = 0; c < channels; c++, p++) {
                float v = interleaved[p];
                sum += Float.isFinite(v) ? v : 0f;
            }
            mono[i] = sum * inv;
        }
    }

    /** Reads the whole signal into memory: for short clips and tests only. */
    public float[] readAll() throws IOException {
        float[] all = new float[1 << 16];
        int n = 0;
        float[] buf = new float[BLOCK_FRAMES];
        int r;
        while ((r = read(buf)) >= 0) {
            if (n + r > all.length) {
                all = java.util.Arrays.copyOf(all, all.length * 2);
            }
            System.arraycopy(buf, 0, all, n, r);
            n += r;
        }
        return java.util.Arrays.copyOf(all, n);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
