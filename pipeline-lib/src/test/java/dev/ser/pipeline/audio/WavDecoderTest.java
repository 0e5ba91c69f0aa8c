package dev.ser.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.audio.WavWriter.Encoding;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class WavDecoderTest {

    private static float[][] decodeAll(byte[] wav) throws IOException {
        try (PcmStream s = AudioDecoders.open(new ByteArrayInputStream(wav))) {
            int ch = s.format().channels();
            float[] buf = new float[1000 * ch];
            float[][] out = new float[ch][0];
            int n;
            while ((n = s.read(buf, 1000)) >= 0) {
                for (int c = 0; c < ch; c++) {
                    int old = out[c].length;
                    out[c] = Arrays.copyOf(out[c], old + n);
                    for (int i = 0; i < n; i++) {
                        out[c][old + i] = buf[i * ch + c];
                    }
                }
            }
            return out;
        }
    }

    @ParameterizedTest
    @EnumSource(Encoding.class)
    void everyEncodingPlainAndExtensibleDecodesToTheWrittenSamples(Encoding enc)
            throws IOException {
        float[] left = TestAudio.sine(440, 0.25, 11_025, 0.5);
        float[] right = TestAudio.sine(1000, 0.25, 11_025, -0.25);
        float[] third = TestAudio.noise(0.25, 11_025, 0.1, 1);
        double tolerance = enc == Encoding.PCM8 ? 1.0 / 100 : 1e-4;
        for (boolean extensible : new boolean[] {false, true}) {
            byte[] wav = TestAudio.wav(new float[][] {left, right, third}, 11_025, enc, extensible);
            try (PcmStream s = AudioDecoders.open(new ByteArrayInputStream(wav))) {
                assertEquals(11_025, s.format().sampleRate());
                assertEquals(3, s.format().channels());
                assertEquals(left.length, s.format().declaredFrames());
            }
            float[][] got = decodeAll(wav);
            assertEquals(left.length, got[0].length);
            float[][] want = {left, right, third};
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < left.length; i++) {
                    assertEquals(
                            want[c][i],
                            got[c][i],
                            tolerance,
                            enc + " extensible=" + extensible + " ch" + c + "@" + i);
                }
            }
        }
    }

    @Test
    void truncatedDataKeepsTheWholeFramesThatArrived() throws IOException {
        byte[] wav =
                TestAudio.wav(
                        new float[][] {TestAudio.sine(440, 1, 16_000, 0.5)},
                        16_000,
                        Encoding.PCM16,
                        false);
        byte[] cut = Arrays.copyOf(wav, 44 + 2 * 1000 + 1);
        assertEquals(1000, decodeAll(cut)[0].length);
    }

    @Test
    void headerProblemsAreNamed() {
        byte[] wav = TestAudio.wav(new float[][] {new float[10]}, 16_000, Encoding.PCM16, false);
        byte[] zeroRate = wav.clone();
        zeroRate[24] = zeroRate[25] = zeroRate[26] = zeroRate[27] = 0;
        var e = assertThrows(UnsupportedAudioException.class, () -> decodeAll(zeroRate));
        assertTrue(e.getMessage().contains("sample rate 0"), e.getMessage());
        byte[] zeroChannels = wav.clone();
        zeroChannels[22] = zeroChannels[23] = 0;
        e = assertThrows(UnsupportedAudioException.class, () -> decodeAll(zeroChannels));
        assertTrue(e.getMessage().contains("channel"), e.getMessage());
        byte[] adpcm = wav.clone();
        adpcm[20] = 2;
        e = assertThrows(UnsupportedAudioException.class, () -> decodeAll(adpcm));
        assertTrue(e.getMessage().contains("0x0002"), e.getMessage());
        e =
                assertThrows(
                        UnsupportedAudioException.class,
                        () -> decodeAll("hello world, not audio".getBytes()));
        assertTrue(e.getMessage().contains("unrecognised audio format"), e.getMessage());
        e = assertThrows(UnsupportedAudioException.class, () -> decodeAll(new byte[0]));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
    }
}
