package dev.ser.pipeline.vad;

/**
 * The built-in detector, needing no model file: frame energy against an adaptive noise floor. The
 * floor is the minimum frame energy over the last few seconds (minimum statistics), so stationary
 * noise of any level reads as non-speech while speech, whose pauses keep the minimum low, stands
 * above it. Frames quieter than an absolute floor are never speech. The probability is a logistic
 * function of the margin above the floor, centred on {@code marginDb}.
 *
 * <p>The margin is measured twice: over the whole band, and over the voice band (150-1000 Hz, where
 * voiced speech's harmonics and first formant carry most of its energy). Why: broadband noise
 * spreads its power up to 8 kHz, and only 11 % of white noise's power falls in that band, so quiet
 * speech that such noise hides from the whole-band margin still stands out there. The voice-band
 * margin replaces the whole-band one only where it is strong ({@value #BAND_TRUST_DB} dB, what the
 * default detector takes as sure speech) and the whole band supports it ({@code bandSupportDb}):
 * weaker voice-band margins opened regions in music-like sound that Silero then had to judge, and
 * it called one more of 160 non-speech files speech; and a tone sweeping into the band (a siren, a
 * whistle) lifts the band's energy out of its floor while the whole band stays level. The band
 * starts at 150 Hz, not lower, so that mains hum's second harmonic (100 or 120 Hz) is 8 to 14 dB
 * down in it. Measured with {@code ser detector-benchmark} on validation speakers: see the README's
 * detector section.
 *
 * <p>It also says how impulsive each frame is ({@link #lastCrestDb()}): a knock puts most of a
 * frame's energy in one quarter of it, a vowel spreads it evenly, which loudness alone cannot tell.
 */
public final class EnergyVad implements VoiceActivityDetector {
    /** 32 ms at 16 kHz, as Silero's frames. */
    public static final int FRAME_SAMPLES = 512;

    private static final double FLOOR_DB = -100;

    private static final int CREST_BLOCKS = 4;

    /** Voice-band margin at which it counts (the cascade's sure margin). */
    static final double BAND_TRUST_DB = 15;

    private final double marginDb;
    private final double absoluteFloorDb;
    private final double bandSupportDb;
    private final MinimumFloor wholeFloor;
    private final MinimumFloor bandFloor;
    private final VoiceBand band = new VoiceBand();
    private double lastMarginDb = Double.NEGATIVE_INFINITY;
    private double lastPeakQuarterShare; // the loudest quarter's share of the last frame's energy

    /**
     * @param marginDb energy above the noise floor that reads as probability 0.5 (default 12 dB)
     * @param absoluteFloorDb energy (dBFS) below which a frame is never speech (default -55)
     * @param floorSeconds how far back the noise floor's minimum looks (default 3 s)
     * @param bandSupportDb whole-band margin a frame needs before its voice-band margin counts
     *     (default 6 dB; a tone sweeping through the band reads at most 1 dB over the whole band)
     */
    public EnergyVad(
            double marginDb, double absoluteFloorDb, double floorSeconds, double bandSupportDb) {
        this.marginDb = marginDb;
        this.absoluteFloorDb = absoluteFloorDb;
        this.bandSupportDb = bandSupportDb;
        int frames = Math.max(1, (int) Math.round(floorSeconds * 16_000 / FRAME_SAMPLES));
        this.wholeFloor = new MinimumFloor(frames);
        this.bandFloor = new MinimumFloor(frames);
    }

    public EnergyVad() {
        this(12, -55, 3, 6);
    }

    /**
     * The last frame's energy above the noise floor in dB (the voice band's where it counts, else
     * the whole band's); negative infinity when it was below the absolute floor.
     */
    public double lastMarginDb() {
        return lastMarginDb;
    }

    /**
     * How far the last frame's loudest quarter stands above the frame's mean energy (0 to 6 dB).
     */
    public double lastCrestDb() {
        // in decibels only when asked: the cascade asks only of frames far above the floor
        return 10 * Math.log10(CREST_BLOCKS * lastPeakQuarterShare);
    }

    @Override
    public int frameSamples() {
        return FRAME_SAMPLES;
    }

    @Override
    public float speechProbability(float[] frame) {
        double sum = 0;
        double peakBlock = 0;
        int block = frame.length / CREST_BLOCKS;
        for (int b = 0; b < CREST_BLOCKS; b++) {
            double part = 0;
            for (int i = b * block; i < (b + 1) * block; i++) {
                part += (double) frame[i] * frame[i];
            }
            sum += part;
            peakBlock = Math.max(peakBlock, part);
        }
        lastPeakQuarterShare = sum > 0 ? peakBlock / sum : 1.0 / CREST_BLOCKS;
        double db = decibels(sum / frame.length);
        double wholeMargin = db - wholeFloor.add(db);
        double bandDb = band.decibels(frame);
        double bandMargin = bandDb - bandFloor.add(bandDb);
        if (db < absoluteFloorDb) {
            lastMarginDb = Double.NEGATIVE_INFINITY;
            return 0f;
        }
        // A recording that opens with speech has no pause in its history yet: its first
        // frames read as non-speech until a syllable gap lowers the floor (a few hundred ms,
        // which the region padding mostly recovers).
        double margin =
                wholeMargin >= bandSupportDb && bandMargin >= BAND_TRUST_DB
                        ? Math.max(wholeMargin, bandMargin)
                        : wholeMargin;
        lastMarginDb = margin;
        return (float) (1 / (1 + Math.exp(-(margin - marginDb) / 2.0)));
    }

    private static double decibels(double power) {
        return Math.max(FLOOR_DB, 10 * Math.log10(power + 1e-12));
    }

    /** The minimum of the last frames' energies: the noise floor. */
    private static final class MinimumFloor {
        private final double[] history;
        private int count;
        private int next;

        MinimumFloor(int frames) {
            this.history = new double[frames];
        }

        /** Adds a frame's energy (dB) and returns the floor including it. */
        double add(double db) {
            history[next] = db;
            next = (next + 1) % history.length;
            count = Math.min(count + 1, history.length);
            double floor = Double.POSITIVE_INFINITY;
            for (int i = 0; i < count; i++) {
                floor = Math.min(floor, history[i]);
            }
            return floor;
        }
    }

    /**
     * Energy of the signal band-passed to 150-1000 Hz. The frame is first summed in blocks of 4
     * samples (a box filter, then 4 kHz), which costs a quarter of filtering at 16 kHz and lets
     * little of the noise above 2 kHz fold into the band (the box filter takes 10 to 18 dB off what
     * folds to 500-1000 Hz); then fourth-order Butterworth high- and low-pass filters (biquads from
     * the Audio EQ Cookbook) run across frames, so a frame's energy carries no filter start-up.
     * Written out here because it runs on every frame of every recording, where a general filter
     * library would allocate per frame. Its cost: the energy detector alone handles 13,000 s of
     * audio per second on one thread, against 59,000 without the band (Silero: 300 in both runs of
     * {@code ser detector-benchmark}).
     */
    private static final class VoiceBand {
        private static final int DECIMATION = 4;
        private static final double RATE = VoiceActivityDetector.SAMPLE_RATE / (double) DECIMATION;
        private static final double LOW_HZ = 150;
        private static final double HIGH_HZ = 1000;
        private final double[][] sections = {
            section(false, LOW_HZ, 0.5412),
            section(false, LOW_HZ, 1.3066),
            section(true, HIGH_HZ, 0.5412),
            section(true, HIGH_HZ, 1.3066)
        };
        private final double[] z1 = new double[sections.length];
        private final double[] z2 = new double[sections.length];
        private double[] buffer = new double[FRAME_SAMPLES / DECIMATION];

        /** b0, b1, b2, a1, a2 of a cookbook high-pass ({@code lowPass} false) or low-pass. */
        private static double[] section(boolean lowPass, double hz, double q) {
            double w = 2 * Math.PI * hz / RATE;
            double cos = Math.cos(w);
            double alpha = Math.sin(w) / (2 * q);
            double a0 = 1 + alpha;
            double b0 = (lowPass ? 1 - cos : 1 + cos) / 2 / a0;
            double b1 = (lowPass ? 1 - cos : -(1 + cos)) / a0;
            return new double[] {b0, b1, b0, -2 * cos / a0, (1 - alpha) / a0};
        }

        double decibels(float[] frame) {
            int n = frame.length / DECIMATION;
            if (buffer.length < n) {
                buffer = new double[n];
            }
            for (int i = 0, k = 0; i < n; i++, k += DECIMATION) {
                buffer[i] = (frame[k] + frame[k + 1] + frame[k + 2] + frame[k + 3]) / 4.0;
            }
            // section by section over the frame: each loop keeps its state in registers
            for (int s = 0; s < sections.length; s++) {
                double[] c = sections[s];
                double b0 = c[0], b1 = c[1], b2 = c[2], a1 = c[3], a2 = c[4];
                double s1 = z1[s], s2 = z2[s];
                for (int i = 0; i < n; i++) {
                    double x = buffer[i];
                    double y = b0 * x + s1;
                    s1 = b1 * x - a1 * y + s2;
                    s2 = b2 * x - a2 * y;
                    buffer[i] = y;
                }
                z1[s] = s1;
                z2[s] = s2;
            }
            double sum = 0;
            for (int i = 0; i < n; i++) {
                sum += buffer[i] * buffer[i];
            }
            return EnergyVad.decibels(sum / n);
        }
    }
}
