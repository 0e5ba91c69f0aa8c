package dev.ser.jobs;

import dev.ser.jobs.demo.VoiceNoteSynthesizer;
import dev.ser.pipeline.TestCodecs;
import dev.ser.pipeline.audio.WavWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Speech-like recordings made at test time (the demo's voice-note synthesizer; FLAC encoded by the
 * FFmpeg program that ships with the bundled natives), so the core job tests run on any clone.
 * Tests about real speech and real corpora read {@code ../shared} instead.
 */
public final class GeneratedSpeech {
    private GeneratedSpeech() {}

    /** A voice note as WAV: {@code seconds} long, distinct per {@code seed}, at {@code rate} Hz. */
    public static Path wav(Path target, long seed, double seconds, int rate, int channels)
            throws IOException {
        float[] mono =
                new VoiceNoteSynthesizer(rate, seed)
                        .voiceNote(seconds, 110 + 37 * Math.floorMod(seed, 4), -50, true);
        float[][] all = new float[channels][];
        for (int c = 0; c < channels; c++) {
            all[c] = mono;
        }
        Files.createDirectories(target.toAbsolutePath().getParent());
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(target))) {
            WavWriter.write(out, all, rate, WavWriter.Encoding.PCM16, false);
        }
        return target;
    }

    /** The same note as 16 kHz mono FLAC, like the short clips of an emotional-speech corpus. */
    public static Path flac(Path target, long seed, double seconds) throws IOException {
        Path wav = Files.createTempFile("generated-speech", ".wav");
        try {
            wav(wav, seed, seconds, 16_000, 1);
            Files.createDirectories(target.toAbsolutePath().getParent());
            return TestCodecs.ffmpeg(wav, "-c:a flac -f flac", target);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while encoding " + target, e);
        } finally {
            Files.deleteIfExists(wav);
        }
    }

    /** {@link #flac}'s bytes. */
    public static byte[] flacBytes(long seed, double seconds) throws IOException {
        Path f = Files.createTempFile("generated-speech", ".flac");
        try {
            return Files.readAllBytes(flac(f, seed, seconds));
        } finally {
            Files.deleteIfExists(f);
        }
    }
}
