package dev.ser.pipeline.vad;

/**
 * The built-in detector, needing no model file: frame energy against an adaptive noise floor. The
 * floor is the minimum frame energy over the last few seconds (minimum statistics), so stationary
 * noise of any level reads as non-speech while speech, whose pauses keep the minimum low, stands
 * above it. Frames quieter than an absolute floor are never speech. The probability is a logistic
 * function of the margin above the floor, centred on {@code marginDb}.
 */
public final class EnergyVad implements VoiceActivityDetector {
    /** 32 ms at 16 kHz, as Silero's frames. */
    public static final int FRAME_SAMPLES = 512;

    private static final double FLOOR_DB = -100;

    private final double marginDb;
    private final double absoluteFloorDb;
    private final double[] history;
    private int historyCount;
    private int historyNext;
    private double lastMarginDb = Double.NEGATIVE_INFINITY;

    /**
     * @param marginDb energy above the noise floor that reads as probability 0.5 (default 12 dB)
     * @param absoluteFloorDb energy (dBFS) below which a frame is never speech (default -55)
     * @param floorSeconds how far back the noise floor's minimum looks (default 3 s)
     */
    public EnergyVad(double marginDb, double absoluteFloorDb, double floorSeconds) {
        this.marginDb = marginDb;
        this.absoluteFloorDb = absoluteFloorDb;
        this.history =
                new double[Math.max(1, (int) Math.round(floorSeconds * 16_000 / FRAME_SAMPLES))];
    }

    public EnergyVad() {
        this(12, -55, 3);
    }

    /**
     * The last frame's energy above the noise floor in dB; negative infinity when it was below the
     * absolute floor.
     */
    public double lastMarginDb() {
        return lastMarginDb;
    }

    @Override
    public int frameSamples() {
        return FRAME_SAMPLES;
    }

    @Override
    public float speechProbability(float[] frame) {
        double sum = 0;
        for (float v : frame) {
            sum += (double) v * v;
        }
        double db = Math.max(FLOOR_DB, 10 * Math.log10(sum / frame.length + 1e-12));
        history[historyNext] = db;
        historyNext = (historyNext + 1) % history.length;
        historyCount = Math.min(historyCount + 1, history.length);
        double floor = Double.POSITIVE_INFINITY;
        for (int i = 0; i < historyCount; i++) {
            floor = Math.min(floor, history[i]);
        }
        if (db < absoluteFloorDb) {
            lastMarginDb = Double.NEGATIVE_INFINITY;
            return 0f;
        }
        // A recording that opens with speech has no pause in its history yet: its first
        // frames read as non-speech until a syllable gap lowers the floor (a few hundred ms,
        // which the region padding mostly recovers).
        double margin = db - floor;
        lastMarginDb = margin;
        return (float) (1 / (1 + Math.exp(-(margin - marginDb) / 2.0)));
    }
}
