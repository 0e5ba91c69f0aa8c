package dev.ser.pipeline.audio;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * Coverage-guided fuzzing (Jazzer) of the WAV reader and the FLAC path (FFmpeg's native decoder
 * through {@link FfmpegDecoder#flac}, jFLAC before it) through {@link AudioDecoders}, which picks
 * the reader by content; a wideband Ogg Speex seed takes it into libspeex, the one decoder not
 * FFmpeg's own. The property: any bytes either decode, or fail with the readers' own errors ({@link
 * IOException}, {@link UnsupportedAudioException}), which the score job turns into one error row.
 * Anything else (an unchecked exception, an allocation driven by a lying header, a hang) is a
 * finding.
 *
 * <p>{@code mvn test} fuzzes for {@code maxDuration} in surefire's {@code fuzz} execution ({@code
 * JAZZER_FUZZ=1}), after the unit tests, which leave the {@code jazzer} tag out; {@link
 * DecoderFindingsTest} replays the seeds and every finding in {@code AudioDecoderFuzzTestInputs/}
 * there without the fuzzer's agent. The first finding, a FLAC VORBIS_COMMENT block whose counts
 * made jFLAC exhaust the heap, is {@code crash-d0e0…}; the findings stay, replayed through whatever
 * now decodes FLAC.
 */
public class AudioDecoderFuzzTest {
    // reads stop here: a header may claim hours of audio, the fuzzer has no time for them
    private static final int MAX_FRAMES = 1 << 16;

    @FuzzTest(maxDuration = "30s")
    void anyBytesDecodeOrFailWithTheReadersOwnErrors(byte[] data) {
        decodeOrFailCleanly(data);
    }

    /**
     * The same property as a plain libFuzzer target, for long runs with Jazzer's own command line
     * ({@code pipeline-lib/fuzz-long.sh}), where the duration is an argument.
     */
    public static void fuzzerTestOneInput(byte[] data) {
        decodeOrFailCleanly(data);
    }

    /**
     * The property itself: returns normally when the bytes decode or fail with the readers' own
     * errors.
     */
    static void decodeOrFailCleanly(byte[] data) {
        try (PcmStream pcm = AudioDecoders.open(new ByteArrayInputStream(data))) {
            int channels = pcm.format().channels();
            int blockFrames = Math.max(1, 4096 / channels);
            float[] block = new float[blockFrames * channels];
            int frames = 0;
            int n;
            while (frames < MAX_FRAMES && (n = pcm.read(block, blockFrames)) >= 0) {
                frames += Math.max(n, 1);
            }
        } catch (IOException | UnsupportedAudioException expected) {
            // a clear, per-recording error: what the property allows
        }
    }
}
