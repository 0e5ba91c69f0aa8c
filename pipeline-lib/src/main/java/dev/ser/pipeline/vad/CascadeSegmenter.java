package dev.ser.pipeline.vad;

import java.util.Arrays;
import java.util.List;

/**
 * The default way to find speech: the energy detector first, a neural detector (Silero) only where
 * the energy detector cannot be trusted, so that clean recordings cost what the energy detector
 * costs and noisy ones get the neural detector's judgement.
 *
 * <ul>
 *   <li>A region the energy detector found is trusted when enough of its speech frames stand far
 *       above the noise floor without their energy sitting in one quarter of the frame (a knock's),
 *       some of them in a row ({@link Settings}); any other region (knocks, music, speech under
 *       noise) is kept only if the neural detector finds speech in it ({@link RegionCheck}), with a
 *       few frames at its threshold, or if {@link IntonationCheck} hears a voice's moving pitch in
 *       it.
 *   <li>A recording in which no region has been kept within its first {@link
 *       Settings#fallbackSeconds} (or at all, when shorter) is handed to the neural detector from
 *       its start: speech under noise at a few dB SNR rarely stands out of the noise floor far
 *       enough for the energy detector to open a region. Digital silence is not given to it.
 *   <li>A recording in which the neural detector then finds nothing either gets the intonation
 *       check's word on those first seconds.
 * </ul>
 *
 * Why: measured by {@code ser detector-benchmark} on the shared corpora, the energy detector calls
 * speech mixed with background sound at 5 dB SNR {@code no_speech} in up to a third of clips and
 * calls loud bursts and music speech, while Silero, at about 40 times the cost, misses some quiet
 * emotional speech (sad ASED clips) that stands clear of a silent floor, and under background sound
 * neither finds some of it; its pitch still moves as a voice's does.
 */
public final class CascadeSegmenter implements SpeechSegmenter {

    /**
     * When the energy detector is trusted. The defaults were chosen with {@code ser
     * detector-benchmark --split validation} (speakers apart from those it reports on): see the
     * README's detector section.
     *
     * @param sureMarginDb energy above the noise floor at which a frame is sure speech (15 dB)
     * @param sureCrestDb how far a sure frame's loudest quarter may stand above the frame's mean
     *     energy (4 dB of at most 6): a frame with more is a knock's onset, however loud. Of the
     *     frames 15 dB above the floor, 76 % of generated knocks' exceed it and 11 % of speech's
     *     (600 clips of ASED, RAVDESS and EmoDB), so clustered knocks rarely reach the sure frames
     *     a region needs while speech regions still do
     * @param sureFrames sure speech frames that make a region trusted (5, 160 ms; 8 before the
     *     crest rule, which clusters of knocks needed: with it, 5 lost no more non-speech to speech
     *     and found more quiet speech under white noise)
     * @param sureRun how many of them must come in a row at least once (2: a knock's loud frames
     *     come alone or in pairs; 3 and 4 lost sad ASED speech under white noise at 10 dB)
     * @param holdSeconds audio of an untrusted region held before the neural detector is asked
     *     while it is still open (4 s)
     * @param checkThreshold the neural detector's speech threshold inside a region the energy
     *     detector found (0.5, as where it finds speech alone); speech continues down to 0.7 of it
     * @param checkFrames frames at that threshold the neural detector must give a region it checks
     *     (3, 96 ms): in music-like sound Silero gave some of the energy detector's regions one
     *     such frame; 6 refused more music, but 4 and 6 lost quiet RAVDESS speech under hum
     * @param fallbackSeconds audio without a kept region after which the neural detector takes the
     *     whole recording (30 s)
     * @param intonationCheck whether speech the neural detector refuses is still kept where {@link
     *     IntonationCheck} hears a voice's moving pitch: in a region the energy detector found,
     *     and, when nothing was kept at all, in the first {@code fallbackSeconds} of the recording
     *     (on: under background sound at 5 and 3 dB, the ASED validation speakers' clips were lost
     *     in 17 and 19 of about 10,000 mixtures in two draws without it, in 0 and 1 with it, and no
     *     more non-speech was called speech)
     */
    public record Settings(
            double sureMarginDb,
            double sureCrestDb,
            int sureFrames,
            int sureRun,
            double holdSeconds,
            double checkThreshold,
            int checkFrames,
            double fallbackSeconds,
            boolean intonationCheck)
            implements java.io.Serializable {
        public static final Settings DEFAULT = new Settings(15, 4, 5, 2, 4, 0.5, 3, 30, true);

        /** These settings with the crest limit of sure frames changed. */
        public Settings withSureCrestDb(double db) {
            return new Settings(
                    sureMarginDb,
                    db,
                    sureFrames,
                    sureRun,
                    holdSeconds,
                    checkThreshold,
                    checkFrames,
                    fallbackSeconds,
                    intonationCheck);
        }

        /** These settings with the neural detector's frames at threshold changed. */
        public Settings withCheckFrames(int frames) {
            return new Settings(
                    sureMarginDb,
                    sureCrestDb,
                    sureFrames,
                    sureRun,
                    holdSeconds,
                    checkThreshold,
                    frames,
                    fallbackSeconds,
                    intonationCheck);
        }

        /** These settings with the intonation check on or off. */
        public Settings withIntonationCheck(boolean on) {
            return new Settings(
                    sureMarginDb,
                    sureCrestDb,
                    sureFrames,
                    sureRun,
                    holdSeconds,
                    checkThreshold,
                    checkFrames,
                    fallbackSeconds,
                    on);
        }
    }

    private static final int RATE = VoiceActivityDetector.SAMPLE_RATE;
    private static final int FRAME = EnergyVad.FRAME_SAMPLES;

    private final VoiceActivityDetector.Factory neural;
    private final VadConfig config;
    private final Settings settings;
    private final SpeechSink sink;
    private final EnergyVad energy = new EnergyVad();
    private final SpeechGate energyGate;
    private final int fallbackSamples;

    // Everything heard while no region has been kept: what the neural detector re-reads on
    // fallback. Null once a region is kept (or after fallback).
    private float[] unkept = new float[FRAME * 64];
    private int unkeptLength;

    // What the neural detector was handed on fallback, for the intonation check's last word.
    private float[] fallbackAudio;
    private int fallbackLength;
    private VoiceActivityDetector neuralDetector; // after fallback: it decides the rest
    private SpeechGate neuralGate;
    private long nanos;

    public CascadeSegmenter(
            VoiceActivityDetector.Factory neural,
            VadConfig config,
            Settings settings,
            SpeechSink sink) {
        this.neural = neural;
        this.config = config;
        this.settings = settings;
        this.sink = sink;
        this.fallbackSamples = (int) Math.round(settings.fallbackSeconds() * RATE);
        this.energyGate = new SpeechGate(config, RATE, sink, new NeuralCheck());
    }

    public static Factory factory(
            VoiceActivityDetector.Factory neural, VadConfig config, Settings settings) {
        return sink -> new CascadeSegmenter(neural, config, settings, sink);
    }

    @Override
    public int frameSamples() {
        return FRAME;
    }

    @Override
    public void frame(float[] samples, int length) {
        if (neuralGate != null) {
            neuralFrame(samples, length);
            return;
        }
        long t0 = System.nanoTime();
        float p = energy.speechProbability(samples);
        boolean sure =
                energy.lastMarginDb() >= settings.sureMarginDb()
                        && energy.lastCrestDb() <= settings.sureCrestDb();
        nanos += System.nanoTime() - t0;
        energyGate.frame(samples, length, p, sure);
        if (unkept != null) {
            if (energyGate.emittedAny()) {
                unkept = null;
            } else {
                keep(samples, length);
                if (unkeptLength >= fallbackSamples) {
                    fallBack();
                }
            }
        }
    }

    @Override
    public List<SpeechRegion> finish() {
        if (neuralGate == null) {
            List<SpeechRegion> regions = energyGate.finish();
            if (!regions.isEmpty() || unkept == null) {
                return regions;
            }
            fallBack();
        }
        List<SpeechRegion> regions = neuralGate.finish();
        return regions.isEmpty() && settings.intonationCheck() ? voicedSpeech() : regions;
    }

    /**
     * The last word on a recording in which neither detector kept anything: the voiced speech that
     * {@link IntonationCheck} finds in its first {@link Settings#fallbackSeconds}, padded, as one
     * region; or none.
     */
    private List<SpeechRegion> voicedSpeech() {
        long t0 = System.nanoTime();
        SpeechRegion span = new IntonationCheck().speechSpan(fallbackAudio, 0, fallbackLength);
        nanos += System.nanoTime() - t0;
        if (span == null) {
            return List.of();
        }
        int pad = config.padMs() * RATE / 1000;
        int from = (int) Math.max(0, span.startSample() - pad);
        int to = (int) Math.min(fallbackLength, span.endSample() + pad);
        sink.speech(fallbackAudio, from, to - from, from);
        return List.of(new SpeechRegion(from, to));
    }

    @Override
    public long detectorNanos() {
        return nanos;
    }

    @Override
    public void close() {
        if (neuralDetector != null) {
            neuralDetector.close();
        }
    }

    /** Hands the recording to the neural detector from its start. */
    private void fallBack() {
        neuralDetector = neural.newDetector();
        neuralGate = new SpeechGate(config, RATE, sink);
        inFrames(unkept, 0, unkeptLength, this::neuralFrame);
        fallbackAudio = unkept;
        fallbackLength = unkeptLength;
        unkept = null;
    }

    private interface FrameConsumer {
        void frame(float[] samples, int length);
    }

    /** Hands {@code samples[offset, offset + length)} on frame by frame, the last zero-filled. */
    private static void inFrames(float[] samples, int offset, int length, FrameConsumer to) {
        float[] frame = new float[FRAME];
        for (int i = 0; i < length; i += FRAME) {
            int n = Math.min(FRAME, length - i);
            System.arraycopy(samples, offset + i, frame, 0, n);
            Arrays.fill(frame, n, FRAME, 0f);
            to.frame(frame, n);
        }
    }

    private void neuralFrame(float[] samples, int length) {
        long t0 = System.nanoTime();
        // Digital silence is never speech: Silero is not run on it (at its 250 s of audio per
        // second, ten hours of it would take 2.4 min). Only exact zeros: skipping merely quiet
        // frames, with Silero restarted after them, lost 2-6 % of quiet RAVDESS clips under noise.
        float p = digitalSilence(samples) ? 0f : neuralDetector.speechProbability(samples);
        nanos += System.nanoTime() - t0;
        neuralGate.frame(samples, length, p);
    }

    private static boolean digitalSilence(float[] frame) {
        for (float v : frame) {
            if (v != 0f) {
                return false;
            }
        }
        return true;
    }

    private void keep(float[] samples, int length) {
        if (unkeptLength + length > unkept.length) {
            unkept = Arrays.copyOf(unkept, Math.max(2 * unkept.length, unkeptLength + length));
        }
        System.arraycopy(samples, 0, unkept, unkeptLength, length);
        unkeptLength += length;
    }

    /** The neural detector's opinion on a region the energy detector was not sure of. */
    private final class NeuralCheck implements RegionCheck {
        private final VadConfig checking =
                new VadConfig(
                        settings.checkThreshold(),
                        0.7 * settings.checkThreshold(),
                        config.minSpeechMs(),
                        config.minSilenceMs(),
                        config.padMs());

        @Override
        public int sureFramesToTrust() {
            return settings.sureFrames();
        }

        @Override
        public int sureRunToTrust() {
            return settings.sureRun();
        }

        @Override
        public int holdLimitSamples() {
            return (int) Math.round(settings.holdSeconds() * RATE);
        }

        @Override
        public boolean hasSpeech(float[] samples, int offset, int length) {
            long t0 = System.nanoTime();
            try (VoiceActivityDetector detector = neural.newDetector()) {
                SpeechGate gate =
                        new SpeechGate(
                                checking, RATE, (s, o, n, at) -> {}, null, settings.checkFrames());
                inFrames(
                        samples,
                        offset,
                        length,
                        (frame, n) -> gate.frame(frame, n, detector.speechProbability(frame)));
                return !gate.finish().isEmpty()
                        || settings.intonationCheck()
                                && new IntonationCheck().hasSpeech(samples, offset, length);
            } finally {
                nanos += System.nanoTime() - t0;
            }
        }
    }
}
