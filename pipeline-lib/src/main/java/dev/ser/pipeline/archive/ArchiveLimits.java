package dev.ser.pipeline.archive;

import java.io.Serializable;

/**
 * What an archive entry may expand to before it counts as hostile (a decompression bomb). The
 * defaults ({@link #DEFAULT}) admit ten hours of 16-bit 16 kHz audio per entry and any speech
 * recording's compression, and reject the zip and gzip bombs of the field.
 *
 * @param maxEntryBytes the most bytes one entry may hold once decompressed (2 GiB)
 * @param maxRatio the most an entry may expand over its compressed bytes (100x); speech compresses
 *     1-3x, a bomb 1000x and more. A long stretch of digital silence also compresses past it: raise
 *     the ratio for such archives.
 * @param ratioGraceBytes entries are only held to {@code maxRatio} beyond this size (1 MiB), where
 *     short files' headers and padding make ratios meaningless
 */
public record ArchiveLimits(long maxEntryBytes, double maxRatio, long ratioGraceBytes)
        implements Serializable {

    public static final ArchiveLimits DEFAULT = new ArchiveLimits(2L << 30, 100, 1 << 20);

    public ArchiveLimits {
        if (maxEntryBytes <= 0 || !(maxRatio >= 1) || ratioGraceBytes < 0) {
            throw new IllegalArgumentException(
                    "archive limits must be positive (ratio at least 1): "
                            + maxEntryBytes
                            + " bytes, ratio "
                            + maxRatio
                            + ", grace "
                            + ratioGraceBytes);
        }
    }
}
