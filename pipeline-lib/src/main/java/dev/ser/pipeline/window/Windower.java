package dev.ser.pipeline.window;

import dev.ser.pipeline.vad.SpeechSink;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Cuts the stream of speech samples into fixed-length windows (with an optional overlap) and hands
 * each one on as soon as it is full; the last, partial window at the end. Remembers where each
 * piece of speech came from so every window keeps its place on the original timeline.
 */
public final class Windower implements SpeechSink {
    private final int sampleRate;
    private final int windowSamples;
    private final int hopSamples;
    private final int minLastSamples;
    private final Consumer<Window> out;

    private final float[] buffer;
    private int filled;
    private int alreadyEmitted; // leading samples of buffer that an earlier window also held
    private int nextIndex;
    // Pieces of contiguous original audio in the buffer: piece i starts at buffer index
    // pieceAt[i] and original sample pieceOrigin[i].
    private final List<long[]> pieces = new ArrayList<>();

    public Windower(WindowConfig config, int sampleRate, Consumer<Window> out) {
        this.sampleRate = sampleRate;
        this.windowSamples = (int) Math.round(config.windowSeconds() * sampleRate);
        this.hopSamples = (int) Math.round(config.hopSeconds() * sampleRate);
        this.minLastSamples = (int) Math.round(config.minLastWindowSeconds() * sampleRate);
        this.out = out;
        this.buffer = new float[windowSamples];
    }

    @Override
    public void speech(float[] samples, int offset, int length, long originalPosition) {
        int done = 0;
        while (done < length) {
            int n = Math.min(length - done, windowSamples - filled);
            addPiece(filled, originalPosition + done);
            System.arraycopy(samples, offset + done, buffer, filled, n);
            filled += n;
            done += n;
            if (filled == windowSamples) {
                emit(windowSamples);
                shift();
            }
        }
    }

    private void addPiece(int at, long origin) {
        if (!pieces.isEmpty()) {
            long[] lastPiece = pieces.get(pieces.size() - 1);
            if (lastPiece[1] + (at - lastPiece[0]) == origin) {
                return; // continues the previous piece
            }
        }
        pieces.add(new long[] {at, origin});
    }

    private long originalOf(int bufferIndex) {
        long[] piece = pieces.get(0);
        for (long[] p : pieces) {
            if (p[0] <= bufferIndex) {
                piece = p;
            } else {
                break;
            }
        }
        return piece[1] + (bufferIndex - piece[0]);
    }

    private void emit(int length) {
        long start = originalOf(0);
        long end = originalOf(length - 1) + 1;
        out.accept(
                new Window(
                        nextIndex++,
                        (double) start / sampleRate,
                        (double) end / sampleRate,
                        (double) length / sampleRate,
                        Arrays.copyOf(buffer, length)));
    }

    /** Keeps the overlap with the next window at the front of the buffer. */
    private void shift() {
        int keep = windowSamples - hopSamples;
        System.arraycopy(buffer, hopSamples, buffer, 0, keep);
        List<long[]> kept = new ArrayList<>();
        long firstOrigin = keep > 0 ? originalOf(hopSamples) : 0;
        for (long[] p : pieces) {
            if (p[0] > hopSamples && p[0] < windowSamples) {
                kept.add(new long[] {p[0] - hopSamples, p[1]});
            }
        }
        pieces.clear();
        if (keep > 0) {
            pieces.add(new long[] {0, firstOrigin});
            pieces.addAll(kept);
        }
        filled = keep;
        alreadyEmitted = keep;
    }

    /** Emits the last, partial window if it holds enough new speech (or is the only one). */
    public void finish() {
        int fresh = filled - alreadyEmitted;
        if (fresh > 0 && (fresh >= minLastSamples || nextIndex == 0)) {
            emit(filled);
        }
        filled = 0;
        alreadyEmitted = 0;
        pieces.clear();
    }

    /** Windows handed on so far. */
    public int windowCount() {
        return nextIndex;
    }
}
