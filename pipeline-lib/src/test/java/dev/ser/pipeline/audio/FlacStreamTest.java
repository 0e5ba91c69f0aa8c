package dev.ser.pipeline.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.pipeline.TestAudio;
import dev.ser.pipeline.TestCodecs;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FLAC through FFmpeg's native decoder ({@link FfmpegDecoder#flac}): lossless, read as a stream (a
 * long recording is never held whole), and an input that fails mid-way is an error, not a recording
 * that ends early. The FLAC file is encoded at test time by the bundled ffmpeg program from two
 * minutes of generated 16-bit audio, so no corpus is needed.
 */
class FlacStreamTest {
    private static final int RATE = 16_000;
    @TempDir static Path dir;
    private static float[] samples;
    private static byte[] flac;

    @BeforeAll
    static void encode() throws Exception {
        Random random = new Random(3);
        samples = new float[RATE * 120];
        for (int i = 0; i < samples.length; i++) {
            double tone = 0.3 * Math.sin(2 * Math.PI * 220 * i / RATE);
            samples[i] = (float) (tone + 0.1 * random.nextGaussian());
        }
        Path wav = TestAudio.writeWav(dir.resolve("source.wav"), samples, RATE);
        try (PcmStream pcm = AudioDecoders.open(Files.newInputStream(wav))) {
            samples = readAll(pcm); // as the 16-bit WAV holds them: FLAC must give these exactly
        }
        flac = Files.readAllBytes(TestCodecs.ffmpeg(wav, "-c:a flac -f flac", dir.resolve("x")));
    }

    @Test
    void flacIsRecognisedByContentAndDecodesToTheExactSamples() throws IOException {
        try (PcmStream pcm = AudioDecoders.open(new ByteArrayInputStream(flac))) {
            assertTrue(pcm instanceof FfmpegDecoder, "FLAC goes to FFmpeg");
            assertEquals(PcmFormat.Encoding.FLAC, pcm.format().encoding());
            assertEquals(16, pcm.format().bitsPerSample());
            assertEquals(RATE, pcm.format().sampleRate());
            assertEquals(samples.length, pcm.format().declaredFrames());
            assertArrayEquals(samples, readAll(pcm));
        }
    }

    @Test
    void aLongRecordingIsReadAsItIsDecoded() throws IOException {
        CountingStream in = new CountingStream(new ByteArrayInputStream(flac));
        try (PcmStream pcm = AudioDecoders.open(in)) {
            float[] block = new float[RATE];
            int n = pcm.read(block, RATE); // the first second or less
            assertTrue(n > 0);
            assertTrue(
                    in.read < flac.length / 10,
                    "read "
                            + in.read
                            + " of "
                            + flac.length
                            + " bytes to decode the first second of two minutes");
        }
    }

    @Test
    void anInputThatFailsMidwayIsAnErrorNotAnEarlyEnd() throws IOException {
        InputStream failing =
                new FilterInputStream(new ByteArrayInputStream(flac)) {
                    private long read;

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        if (read > flac.length / 2) {
                            throw new IOException("connection reset");
                        }
                        int n = super.read(b, off, len);
                        read += Math.max(n, 0);
                        return n;
                    }
                };
        try (PcmStream pcm = AudioDecoders.open(failing)) {
            IOException e = assertThrows(IOException.class, () -> readAll(pcm));
            assertEquals("connection reset", e.getMessage());
        }
    }

    private static float[] readAll(PcmStream pcm) throws IOException {
        float[] all = new float[0];
        float[] block = new float[4096];
        int length = 0;
        int n;
        while ((n = pcm.read(block, block.length)) >= 0) {
            if (length + n > all.length) {
                all = Arrays.copyOf(all, Math.max(all.length * 2, length + n));
            }
            System.arraycopy(block, 0, all, length, n);
            length += n;
        }
        return Arrays.copyOf(all, length);
    }

    /** Counts the bytes a decoder has taken from its input. */
    private static final class CountingStream extends FilterInputStream {
        long read;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            read += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
        }
    }
}
