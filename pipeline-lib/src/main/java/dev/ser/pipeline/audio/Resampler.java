package dev.ser.pipeline.audio;

import java.util.Arrays;

/**
 * Streaming rational sample-rate converter for one mono signal: polyphase FIR with a
 * Kaiser-windowed sinc kernel (64 zero crossings each side, cut-off at 95.5 % of the lower Nyquist
 * frequency, beta 14.77), the textbook band-limited design.
 *
 * <p>Written here because the library candidates measured short of the project's bar: against the
 * RAVDESS reference (48 kHz -> 16 kHz, 60 files), TarsosDSP's libresample port reaches a minimum of
 * 24.8 dB SNR, this design about 40 dB ({@code ResamplerQualityTest}). The wide pass band matters:
 * emotional speech carries energy up to the Nyquist frequency.
 *
 * <p>Output sample n sits at input time n * M / L (L/M the reduced rate ratio); samples before the
 * start and after the end of the signal count as zero, and the output length is ceil(inputLength *
 * L / M). Not thread-safe: one instance per recording.
 */
public final class Resampler {
    static final int ZERO_CROSSINGS = 64;
    static final double ROLLOFF = 0.955;
    static final double KAISER_BETA = 14.769656459379492;

    /** Above this many phases the kernel is computed per output sample instead of tabled. */
    private static final int MAX_TABLED_PHASES = 2048;

    /** Receives resampled blocks; the array is reused after the call returns. */
    @FunctionalInterface
    public interface Sink {
        void accept(float[] samples, int count);
    }

    private final int up; // L
    private final int down; // M
    private final int halfWidth; // taps each side of the centre, in input samples
    private final double scaledCutoff; // base frequency / input rate
    private final float[][] table; // [phase][2 * halfWidth + 1], or null when computed on the fly
    private final boolean passThrough;

    // Input history: buffer[0] is absolute input index bufferStart.
    private float[] buffer = new float[1 << 14];
    private long bufferStart; // negative at first: the zeros before the signal are held too
    private long bufferEnd; // absolute index one past the last input sample held
    private long inputTotal; // input samples received so far
    private long nextOutput; // absolute index of the next output sample
    private float[] out = new float[4096];
    private final float[] tap;

    public Resampler(int inputRate, int outputRate) {
        if (inputRate <= 0 || outputRate <= 0) {
            throw new IllegalArgumentException(
                    "rates must be positive: " + inputRate + " -> " + outputRate);
        }
        int g = gcd(inputRate, outputRate);
        this.up = outputRate / g;
        this.down = inputRate / g;
        this.passThrough = inputRate == outputRate;
        double baseFrequency = Math.min(inputRate, outputRate) * ROLLOFF;
        this.scaledCutoff = baseFrequency / inputRate;
        this.halfWidth = (int) Math.ceil(ZERO_CROSSINGS / scaledCutoff);
        this.tap = new float[2 * halfWidth + 1];
        if (!passThrough && up <= MAX_TABLED_PHASES) {
            table = new float[up][];
            for (int p = 0; p < up; p++) {
                table[p] = kernel(p, new float[2 * halfWidth + 1]);
            }
        } else {
            table = null;
        }
        // The zeros before the signal: indices -halfWidth-1 .. -1 are readable from the start.
        bufferStart = -halfWidth - 1;
        bufferEnd = 0;
        if (buffer.length < halfWidth + 1) {
            buffer = new float[2 * (halfWidth + 1)];
        }
    }

    /** Kernel taps for output phase p: tap k weighs input sample floor(centre) - halfWidth + k. */
    private float[] kernel(int phase, float[] taps) {
        double frac = (double) phase / up; // centre lies frac samples after its floor
        for (int k = 0; k < taps.length; k++) {
            double t = (k - halfWidth - frac) * scaledCutoff; // in base-rate samples
            taps[k] = (float) (sinc(t) * kaiser(t / ZERO_CROSSINGS) * scaledCutoff);
        }
        return taps;
    }

    private static double sinc(double t) {
        if (Math.abs(t) < 1e-12) {
            return 1;
        }
        double x = Math.PI * t;
        return Math.sin(x) / x;
    }

    private static double kaiser(double x) {
        if (x <= -1 || x >= 1) {
            return 0;
        }
        return besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / besselI0(KAISER_BETA);
    }

    /** Modified Bessel function of the first kind, order 0 (power series; converges fast here). */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 200; k++) {
            term *= q / ((double) k * k);
            sum += term;
            if (term < sum * 1e-17) {
                break;
            }
        }
        return sum;
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    /**
     * Feeds {@code count} input samples; resampled output goes to {@code sink}. Call once more with
     * {@code last = true} (count may be 0) to flush the filter's tail.
     */
    public void process(float[] input, int count, boolean last, Sink sink) {
        if (passThrough) {
            if (count > 0) {
                sink.accept(input, count);
            }
            return;
        }
        append(input, count);
        long outputTotal = last ? ceilDiv(inputTotal * up, down) : Long.MAX_VALUE;
        int n = 0;
        while (nextOutput < outputTotal) {
            long centreNumerator = nextOutput * down;
            long base = Math.floorDiv(centreNumerator, up);
            int phase = (int) (centreNumerator - base * up);
            long first = base - halfWidth;
            long lastTap = base + halfWidth;
            if (lastTap >= bufferEnd && !last) {
                break; // wait for more input
            }
            if (lastTap >= bufferEnd) {
                padZerosTo(lastTap + 1);
            }
            float[] k = table != null ? table[phase] : kernel(phase, tap);
            int off = (int) (first - bufferStart);
            float acc = dot(k, buffer, off);
            if (n == out.length) {
                sink.accept(out, n);
                n = 0;
            }
            out[n++] = acc;
            nextOutput++;
        }
        if (n > 0) {
            sink.accept(out, n);
        }
        discardBefore(Math.floorDiv(nextOutput * down, up) - halfWidth);
    }

    /**
     * Four partial sums: the JIT does not reorder a float reduction, so this gives it parallelism.
     */
    private static float dot(float[] k, float[] x, int off) {
        float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int j = 0;
        for (int end = k.length - 3; j < end; j += 4) {
            a0 += k[j] * x[off + j];
            a1 += k[j + 1] * x[off + j + 1];
            a2 += k[j + 2] * x[off + j + 2];
            a3 += k[j + 3] * x[off + j + 3];
        }
        for (; j < k.length; j++) {
            a0 += k[j] * x[off + j];
        }
        return (a0 + a1) + (a2 + a3);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private void append(float[] input, int count) {
        ensureRoom(count);
        System.arraycopy(input, 0, buffer, (int) (bufferEnd - bufferStart), count);
        bufferEnd += count;
        inputTotal += count;
    }

    private void padZerosTo(long end) {
        int extra = (int) (end - bufferEnd);
        ensureRoom(extra);
        Arrays.fill(buffer, (int) (bufferEnd - bufferStart), (int) (end - bufferStart), 0f);
        bufferEnd = end;
    }

    private void ensureRoom(int extra) {
        int used = (int) (bufferEnd - bufferStart);
        if (used + extra > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, used + extra));
        }
    }

    private void discardBefore(long index) {
        int drop = (int) Math.min(index - bufferStart, bufferEnd - bufferStart);
        if (drop > 4096) {
            System.arraycopy(buffer, drop, buffer, 0, (int) (bufferEnd - bufferStart) - drop);
            bufferStart += drop;
        }
    }

    /** Resamples a whole signal held in memory (for tests and short clips). */
    public static float[] resample(float[] signal, int inputRate, int outputRate) {
        Resampler r = new Resampler(inputRate, outputRate);
        float[][] acc = {
            new float[(int) Math.ceil(signal.length * (double) outputRate / inputRate) + 16]
        };
        int[] n = {0};
        Sink sink =
                (s, c) -> {
                    if (n[0] + c > acc[0].length) {
                        acc[0] = Arrays.copyOf(acc[0], (n[0] + c) * 2);
                    }
                    System.arraycopy(s, 0, acc[0], n[0], c);
                    n[0] += c;
                };
        r.process(signal, signal.length, false, sink);
        r.process(new float[0], 0, true, sink);
        return Arrays.copyOf(acc[0], n[0]);
    }
}
