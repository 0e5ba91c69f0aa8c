package dev.ser.pipeline;

import java.io.IOException;
import java.io.InputStream;

/**
 * Opens a recording's bytes as a stream (from a local file, Hadoop FileSystem, an archive entry).
 */
@FunctionalInterface
public interface AudioSource {
    InputStream open() throws IOException;
}
