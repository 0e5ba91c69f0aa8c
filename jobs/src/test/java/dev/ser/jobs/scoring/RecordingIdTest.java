package dev.ser.jobs.scoring;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Recording ids are joined across runs, machines and releases, so they are pinned to golden values
 * (computed once with {@code sha256sum}), not recomputed here.
 */
class RecordingIdTest {
    @Test
    void idsAreTheFirstSixteenHexDigitsOfThePathsSha256() {
        // printf %s 'file:/archive/2026-11-21/0001.wav' | sha256sum | cut -c1-16
        assertEquals("5137597f077041a5", RecordingId.of("file:/archive/2026-11-21/0001.wav"));
        assertEquals("2e72c972c235896f", RecordingId.of("hdfs://nn/notes.tar.gz!phone-a/0001.m4a"));
    }
}
