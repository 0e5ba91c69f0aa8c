package dev.ser.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.SharedCorpora;
import dev.ser.pipeline.TestAudio;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FlacAndResamplerTest {

    @Test
    void ravdessFlacDecodesAsDeclaredByItsStreamInfo() throws IOException {
        Path flac = SharedCorpora.require("corpora/ravdess/Actor_02/03-01-05-02-01-01-02.flac");
        long declared;
        int frames = 0;
        double peak = 0;
        try (PcmStream s = AudioDecoders.open(Files.newInputStream(flac))) {
            assertEquals(16_000, s.format().sampleRate());
            assertEquals(1, s.format().channels());
            declared = s.format().declaredFrames();
            float[] buf = new float[4096];
            int n;
            while ((n = s.read(buf, 4096)) >= 0) {
                frames += n;
                for (int i = 0; i < n; i++) {
                    peak = Math.max(peak, Math.abs(buf[i]));
                }
            }
        }
        assertEquals(declared, frames);
        assertTrue(peak > 0.05 && peak <= 1.0, "an angry utterance has a real peak, got " + peak);
    }

    @Test
    void downsamplingKeepsAPassBandToneAndRemovesAliases() {
        int in = 44_100;
        float[] tone = TestAudio.sine(1000, 1, in, 0.5);
        float[] out = Resampler.resample(tone, in, 16_000);
        assertEquals((int) Math.ceil(tone.length * 16_000.0 / in), out.length);
        float[] expected = TestAudio.sine(1000, 1, 16_000, 0.5);
        double err = 0;
        double sig = 0;
        for (int i = 200; i < out.length - 200; i++) {
            err += Math.pow(out[i] - expected[i], 2);
            sig += Math.pow(expected[i], 2);
        }
        assertTrue(10 * Math.log10(sig / err) > 60, "1 kHz tone SNR " + 10 * Math.log10(sig / err));
        // 12 kHz is above the new Nyquist frequency (8 kHz): it must vanish, not alias to 4 kHz.
        float[] alias = Resampler.resample(TestAudio.sine(12_000, 1, in, 0.5), in, 16_000);
        double rms = 0;
        for (int i = 200; i < alias.length - 200; i++) {
            rms += alias[i] * alias[i];
        }
        rms = Math.sqrt(rms / (alias.length - 400));
        assertTrue(20 * Math.log10(rms / (0.5 / Math.sqrt(2))) < -60, "alias level " + rms);
    }

    @Test
    void streamingInOddBlocksEqualsOneShot() {
        float[] x = TestAudio.noise(0.7, 48_000, 0.3, 7);
        float[] once = Resampler.resample(x, 48_000, 16_000);
        Resampler r = new Resampler(48_000, 16_000);
        List<Float> got = new ArrayList<>();
        Resampler.Sink sink =
                (s, c) -> {
                    for (int i = 0; i < c; i++) {
                        got.add(s[i]);
                    }
                };
        int[] sizes = {1, 7, 333, 4096, 50, 9999};
        int off = 0;
        for (int k = 0; off < x.length; k++) {
            int n = Math.min(sizes[k % sizes.length], x.length - off);
            r.process(java.util.Arrays.copyOfRange(x, off, off + n), n, false, sink);
            off += n;
        }
        r.process(new float[0], 0, true, sink);
        float[] streamed = new float[got.size()];
        for (int i = 0; i < streamed.length; i++) {
            streamed[i] = got.get(i);
        }
        assertArrayEquals(once, streamed, 1e-6f);
    }

    @Test
    void upsamplingAnOddRateWorksToo() {
        float[] in = TestAudio.sine(300, 0.5, 11_025, 0.5);
        float[] out = Resampler.resample(in, 11_025, 16_000);
        assertEquals((int) Math.ceil(in.length * 16_000 / 11_025.0), out.length);
        float[] expected = TestAudio.sine(300, 0.5, 16_000, 0.5);
        for (int i = 500; i < out.length - 500; i++) {
            assertEquals(expected[i], out[i], 2e-3);
        }
    }
}
