package dev.ser.pipeline.audio;

import java.io.IOException;

/**
 * A decoded recording read block by block, so that a recording of any length is held in memory one
 * block at a time. Samples are floats in [-1, 1], interleaved by channel.
 */
public interface PcmStream extends AutoCloseable {

    PcmFormat format();

    /**
     * Reads up to {@code maxFrames} frames into {@code interleaved} (which holds at least {@code
     * maxFrames * channels} floats).
     *
     * @return frames read, or -1 at the end of the stream
     */
    int read(float[] interleaved, int maxFrames) throws IOException;

    @Override
    void close() throws IOException;
}
