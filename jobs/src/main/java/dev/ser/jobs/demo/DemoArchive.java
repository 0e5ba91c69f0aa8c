package dev.ser.jobs.demo;

import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.audio.WavWriter.Encoding;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the demo archive: long-form generated voice notes in the formats phones and recorders
 * produce (16 kHz to 48 kHz, mono and stereo, 16-bit, 24-bit and float WAV, in dated folders), one
 * note of background noise only, one of digital silence, and one corrupt file, so that a run shows
 * every status: {@code ok}, {@code no_speech} and {@code error}.
 */
public final class DemoArchive {
    private DemoArchive() {}

    private record Note(
            String name,
            int rate,
            int channels,
            Encoding encoding,
            double seconds,
            double f0,
            double noiseDb,
            boolean speaking) {}

    private static final List<Note> NOTES =
            List.of(
                    new Note(
                            "2026-11-20/note-0001.wav",
                            16_000,
                            1,
                            Encoding.PCM16,
                            45,
                            120,
                            -50,
                            true),
                    new Note(
                            "2026-11-20/note-0002.wav",
                            44_100,
                            2,
                            Encoding.PCM24,
                            95,
                            210,
                            -45,
                            true),
                    new Note(
                            "2026-11-20/note-0003.wav",
                            48_000,
                            1,
                            Encoding.FLOAT32,
                            150,
                            180,
                            -55,
                            true),
                    new Note(
                            "2026-11-21/note-0004.wav",
                            8_000,
                            1,
                            Encoding.PCM16,
                            30,
                            110,
                            -40,
                            true),
                    new Note(
                            "2026-11-21/note-0005.wav",
                            22_050,
                            1,
                            Encoding.PCM16,
                            70,
                            230,
                            -48,
                            true),
                    new Note(
                            "2026-11-21/pocket-0006.wav",
                            16_000,
                            1,
                            Encoding.PCM16,
                            25,
                            0,
                            -38,
                            false),
                    new Note(
                            "2026-11-21/silence-0007.wav",
                            16_000,
                            2,
                            Encoding.PCM16,
                            12,
                            0,
                            -200,
                            false));

    /** Writes the archive under {@code dir}; returns the files written. */
    public static List<Path> write(Path dir) throws IOException {
        List<Path> written = new ArrayList<>();
        long seed = 2026;
        for (Note n : NOTES) {
            Path file = dir.resolve(n.name());
            Files.createDirectories(file.getParent());
            float[] mono =
                    n.noiseDb() < -150
                            ? new float[(int) (n.seconds() * n.rate())]
                            : new VoiceNoteSynthesizer(n.rate(), seed++)
                                    .voiceNote(n.seconds(), n.f0(), n.noiseDb(), n.speaking());
            float[][] channels = new float[n.channels()][];
            for (int c = 0; c < n.channels(); c++) {
                channels[c] = mono;
            }
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
                WavWriter.write(out, channels, n.rate(), n.encoding(), n.channels() > 2);
            }
            written.add(file);
        }
        Path corrupt = dir.resolve("2026-11-21/broken-0008.wav");
        // A header that ends in the middle of its fmt chunk, as a crashed upload leaves it.
        Files.write(
                corrupt,
                new byte[] {
                    'R', 'I', 'F', 'F', 0x24, 0, 0, 0, 'W', 'A', 'V', 'E', 'f', 'm', 't', ' ', 16, 0
                });
        written.add(corrupt);
        return written;
    }
}
