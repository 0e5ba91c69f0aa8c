package dev.ser.pipeline.vad;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpeechGateTest {
    private static final int RATE = 16_000;
    private static final int FRAME = 512; // 32 ms

    /**
     * Runs probabilities through a gate; frame i's samples all have value i, to trace what is
     * emitted.
     */
    private static List<SpeechRegion> run(
            VadConfig config, float[] probabilities, List<long[]> emitted) {
        SpeechGate gate =
                new SpeechGate(
                        config,
                        RATE,
                        (s, off, len, pos) -> {
                            for (int i = 0; i < len; i++) {
                                // each emitted sample must carry the frame index of its original
                                // position
                                if ((int) s[off + i] != (pos + i) / FRAME) {
                                    throw new AssertionError(
                                            "sample at " + (pos + i) + " is out of place");
                                }
                            }
                            emitted.add(new long[] {pos, len});
                        });
        float[] frame = new float[FRAME];
        for (int f = 0; f < probabilities.length; f++) {
            java.util.Arrays.fill(frame, f);
            gate.frame(frame, FRAME, probabilities[f]);
        }
        return gate.finish();
    }

    private static float[] pattern(String p) {
        float[] out = new float[p.length()];
        for (int i = 0; i < out.length; i++) {
            out[i] =
                    switch (p.charAt(i)) {
                        case 'S' -> 0.9f; // speech
                        case 'h' ->
                                0.4f; // between the thresholds: continues speech, never starts it
                        default -> 0.1f; // silence
                    };
        }
        return out;
    }

    @Test
    void regionsArePaddedAndShortPausesAndBlipsDoNotSplitOrStartThem() {
        // 250 ms min speech = 8 frames; closing silence max(300 ms, 2 x 100 ms) = 9.4 frames.
        VadConfig config = new VadConfig(0.5, 0.35, 250, 300, 100);
        String p =
                "......"
                        + "SSS"
                        + "............" // a 3-frame blip, then enough silence: dropped
                        + "SSSSSSSSSS"
                        + "hh"
                        + "...."
                        + "SSSS" // speech, hysteresis, a short pause, speech
                        + "................"
                        + "SSSSSSSSS"
                        + "..."; // long pause, then speech to (almost) the end
        List<long[]> emitted = new ArrayList<>();
        List<SpeechRegion> regions = run(config, pattern(p), emitted);
        long pad = 1600;
        int firstSpeech = 21 * FRAME;
        int firstEnd = (21 + 10 + 2 + 4 + 4) * FRAME;
        int secondSpeech = firstEnd + 16 * FRAME;
        assertEquals(
                List.of(
                        new SpeechRegion(firstSpeech - pad, firstEnd + pad),
                        new SpeechRegion(
                                secondSpeech - pad,
                                Math.min(secondSpeech + 9 * FRAME + pad, p.length() * FRAME))),
                regions);
        long emittedTotal = emitted.stream().mapToLong(e -> e[1]).sum();
        assertEquals(regions.stream().mapToLong(SpeechRegion::length).sum(), emittedTotal);
    }

    @Test
    void pausesShorterThanTwiceThePaddingMerge() {
        VadConfig config = new VadConfig(0.5, 0.35, 0, 0, 100); // 2 x 100 ms = 6.25 frames closes
        List<SpeechRegion> regions =
                run(
                        config,
                        pattern("..........SSSS.....SSSS..........SSSS........"),
                        new ArrayList<>());
        assertEquals(2, regions.size());
        assertEquals(10 * FRAME - 1600, regions.get(0).startSample());
        assertEquals(23 * FRAME + 1600, regions.get(0).endSample());
    }

    @Test
    void quietSpeechWhoseSyllablesDipBelowTheThresholdIsOneRegion() {
        // runs of 3 speech frames (96 ms) separated by 2-frame dips: no run reaches 250 ms,
        // but the region's speech does
        List<SpeechRegion> regions =
                run(
                        VadConfig.DEFAULT,
                        pattern("..........SSS..SSS..SSS..SSS.............."),
                        new ArrayList<>());
        assertEquals(List.of(new SpeechRegion(10 * FRAME - 1600, 28 * FRAME + 1600)), regions);
    }

    @Test
    void silenceGivesNoRegion() {
        List<long[]> emitted = new ArrayList<>();
        assertEquals(
                List.of(),
                run(VadConfig.DEFAULT, pattern("....................hhhh......."), emitted));
        assertEquals(0, emitted.size());
    }

    @Test
    void aRegionWithTooFewFramesAtTheOnsetThresholdIsDroppedWhereThatIsAsked() {
        // 3 frames at the onset threshold, the rest of 12 only above the continuation threshold:
        // long enough for the minimum speech duration, too few onset frames for a minimum of 6
        float[] p = pattern("..........ShhShhShhhhh..............");
        List<SpeechRegion> plain = run(VadConfig.DEFAULT, p, new ArrayList<>());
        assertEquals(1, plain.size());
        SpeechGate strict = new SpeechGate(VadConfig.DEFAULT, RATE, (s, o, n, at) -> {}, null, 6);
        SpeechGate enough = new SpeechGate(VadConfig.DEFAULT, RATE, (s, o, n, at) -> {}, null, 3);
        float[] frame = new float[FRAME];
        for (float probability : p) {
            strict.frame(frame, FRAME, probability);
            enough.frame(frame, FRAME, probability);
        }
        assertEquals(List.of(), strict.finish());
        assertEquals(plain, enough.finish());
    }

    /** A check that answers {@code answer} and records the audio it was asked about. */
    private static final class RecordingCheck implements RegionCheck {
        final boolean answer;
        final List<float[]> asked = new ArrayList<>();

        RecordingCheck(boolean answer) {
            this.answer = answer;
        }

        @Override
        public int sureFramesToTrust() {
            return 8;
        }

        @Override
        public int sureRunToTrust() {
            return 3;
        }

        @Override
        public int holdLimitSamples() {
            return 4 * RATE;
        }

        @Override
        public boolean hasSpeech(float[] samples, int offset, int length) {
            asked.add(java.util.Arrays.copyOfRange(samples, offset, offset + length));
            return answer;
        }
    }

    /** 'S' sure speech, 'u' speech the first detector is not sure of, '.' silence. */
    private static List<SpeechRegion> runChecked(
            String p, RegionCheck check, List<long[]> emitted) {
        SpeechGate gate =
                new SpeechGate(
                        VadConfig.DEFAULT,
                        RATE,
                        (s, off, len, pos) -> emitted.add(new long[] {pos, len}),
                        check);
        float[] frame = new float[FRAME];
        for (int f = 0; f < p.length(); f++) {
            java.util.Arrays.fill(frame, f);
            char c = p.charAt(f);
            gate.frame(frame, FRAME, c == '.' ? 0.1f : 0.9f, c == 'S');
        }
        return gate.finish();
    }

    @Test
    void aRegionWithEnoughSureFramesIsTrustedWithoutAsking() {
        RecordingCheck check = new RecordingCheck(false);
        List<long[]> emitted = new ArrayList<>();
        List<SpeechRegion> regions =
                runChecked("..........uuuSSSSSSSSuuu..........", check, emitted);
        assertEquals(List.of(new SpeechRegion(10 * FRAME - 1600, 24 * FRAME + 1600)), regions);
        assertEquals(0, check.asked.size());
        assertEquals(regions.get(0).length(), emitted.stream().mapToLong(e -> e[1]).sum());
    }

    @Test
    void sureFramesThatNeverComeThreeInARowAreNotEnough() {
        // ten sure frames, at most two in a row, as loud knocks give
        RecordingCheck no = new RecordingCheck(false);
        assertEquals(
                List.of(),
                runChecked("..........SSuSSuSSuSSuSSuu..........", no, new ArrayList<>()));
        assertEquals(1, no.asked.size());
    }

    @Test
    void anUnsureRegionIsHeldAndKeptOrDroppedAsTheCheckSays() {
        String p = "..........uuuuuuuuuuuuSSSuuu.............";
        RecordingCheck no = new RecordingCheck(false);
        List<long[]> none = new ArrayList<>();
        assertEquals(List.of(), runChecked(p, no, none));
        assertEquals(0, none.size());
        assertEquals(1, no.asked.size());

        RecordingCheck yes = new RecordingCheck(true);
        List<long[]> emitted = new ArrayList<>();
        List<SpeechRegion> regions = runChecked(p, yes, emitted);
        SpeechRegion expected = new SpeechRegion(10 * FRAME - 1600, 28 * FRAME + 1600);
        assertEquals(List.of(expected), regions);
        assertEquals(expected.length(), emitted.stream().mapToLong(e -> e[1]).sum());
        // it was asked about the whole region with its padding: from frame 6 to frame 31
        float[] asked = yes.asked.get(0);
        assertEquals(expected.length(), asked.length);
        assertEquals(6f, asked[0]);
        assertEquals(31f, asked[asked.length - 1]);
    }

    @Test
    void aLongUnsureRegionIsCheckedBeforeItEndsSoHeldAudioStaysBounded() {
        // 10 s of unsure speech: the check is asked once 4 s are held, and again for what follows
        RecordingCheck no = new RecordingCheck(false);
        String p = ".........." + "u".repeat(313) + "..........";
        assertEquals(List.of(), runChecked(p, no, new ArrayList<>()));
        assertEquals(3, no.asked.size());
        for (float[] a : no.asked) {
            assertEquals(true, a.length <= 4 * RATE + FRAME, "held " + a.length + " samples");
        }
    }
}
