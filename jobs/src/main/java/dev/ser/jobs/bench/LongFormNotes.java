package dev.ser.jobs.bench;

import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import dev.ser.pipeline.audio.WavWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Long-form voice notes built from a corpus of short utterances (RAVDESS): each note strings
 * utterances together with pauses of 0.5 to 3 s of low noise, about a minute long, written as 16
 * kHz 16-bit WAV. Seeded, so every run builds the same notes.
 */
final class LongFormNotes {
    private static final int RATE = 16_000;

    private LongFormNotes() {}

    /**
     * Writes notes totalling about {@code minutes} of audio into {@code dir}; returns their
     * seconds.
     */
    static double build(Path corpus, Path dir, double minutes, long seed) throws IOException {
        List<Path> clips = ShortClipArchive.audioFiles(corpus);
        Random random = new Random(seed);
        Collections.shuffle(clips, random);
        Files.createDirectories(dir);
        double total = 0;
        int next = 0;
        for (int note = 0; total < minutes * 60; note++) {
            List<float[]> parts = new ArrayList<>();
            int samples = 0;
            while (samples < 60 * RATE) {
                float[] pause = new float[(int) ((0.5 + 2.5 * random.nextDouble()) * RATE)];
                for (int i = 0; i < pause.length; i++) {
                    pause[i] = (float) (0.0005 * random.nextGaussian());
                }
                float[] clip = decode(clips.get(next++ % clips.size()));
                parts.add(pause);
                parts.add(clip);
                samples += pause.length + clip.length;
            }
            float[] x = new float[samples];
            int o = 0;
            for (float[] p : parts) {
                System.arraycopy(p, 0, x, o, p.length);
                o += p.length;
            }
            try (OutputStream out =
                    new BufferedOutputStream(
                            Files.newOutputStream(
                                    dir.resolve(String.format("note-%03d.wav", note))))) {
                WavWriter.write(out, new float[][] {x}, RATE, WavWriter.Encoding.PCM16, false);
            }
            total += samples / (double) RATE;
        }
        return total;
    }

    private static float[] decode(Path clip) throws IOException {
        try (MonoStream s = new MonoStream(AudioDecoders.open(Files.newInputStream(clip)), RATE)) {
            return s.readAll();
        }
    }
}
