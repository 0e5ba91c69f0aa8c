package dev.ser.pipeline.archive;

import java.io.IOException;

/** An archive entry went past {@link ArchiveLimits}: a decompression bomb or an oversized file. */
public final class ArchiveLimitException extends IOException {
    ArchiveLimitException(String message) {
        super(message);
    }
}
