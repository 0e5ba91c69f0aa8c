package dev.ser.pipeline.preprocess;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ser.pipeline.TestAudio;
import org.junit.jupiter.api.Test;

class PreprocessorTest {

    @Test
    void trimKeepsFromTheFirstToTheLastFrameWithin20dBOfTheLoudest() {
        // 1 s silence, 1 s tone (power 0.125), 1 s silence at 16 kHz; frames 2048, hop 512,
        // centred,
        // so frame k covers [512k - 1024, 512k + 1024). By hand: frame 29 ends at 15872, before the
        // tone; frame 30 overlaps it by 384 samples (power 0.0234, -7.3 dB: kept). Frame 64
        // overlaps
        // its end (32000) by 256 samples (-9 dB: kept), frame 65 starts after it. Keep [30 * 512,
        // 65 * 512).
        float[] x =
                TestAudio.concat(
                        new float[16_000], TestAudio.sine(440, 1, 16_000, 0.5), new float[16_000]);
        float[] trimmed =
                new Preprocessor(new PreprocessingConfig(20.0, 2048, 512, null, null)).apply(x);
        assertEquals(65 * 512 - 30 * 512, trimmed.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(x, 15_360, 33_280), trimmed);
    }

    @Test
    void aQuietTailMoreThan20dBDownIsTrimmed() {
        float[] x =
                TestAudio.concat(
                        TestAudio.sine(440, 1, 16_000, 0.5), TestAudio.sine(440, 1, 16_000, 0.01));
        float[] trimmed =
                new Preprocessor(new PreprocessingConfig(20.0, 2048, 512, null, null)).apply(x);
        // The tail is 34 dB down; frame 33 (centre 16896) still holds 128 loud samples (-12 dB) and
        // frame 34 none: the signal ends at (33 + 1) * 512.
        assertEquals(34 * 512, trimmed.length);
    }

    @Test
    void preEmphasisAndPeakNormalisationFollowTheirFormulas() {
        float[] x = {0.1f, 0.2f, -0.4f, 0.3f};
        float[] y = new Preprocessor(new PreprocessingConfig(null, 2048, 512, 0.97, null)).apply(x);
        assertArrayEquals(
                new float[] {0.1f, 0.2f - 0.097f, -0.4f - 0.194f, 0.3f + 0.388f}, y, 1e-6f);
        float[] z = new Preprocessor(new PreprocessingConfig(null, 2048, 512, null, 0.95)).apply(x);
        assertArrayEquals(new float[] {0.95f / 4, 0.95f / 2, -0.95f, 0.95f * 3 / 4}, z, 1e-6f);
        assertArrayEquals(new float[] {0.1f, 0.2f, -0.4f, 0.3f}, x, "input untouched");
    }

    @Test
    void silenceIsKeptWholeAndStaysSilentAsInLibrosa() {
        // librosa compares each frame with the loudest one; with all frames at zero every frame
        // is "within 20 dB" and nothing is trimmed. Normalisation must not divide by zero.
        assertArrayEquals(
                new float[5000],
                new Preprocessor(PreprocessingConfig.STUDY).apply(new float[5000]));
    }
}
