package dev.ser.pipeline.archive;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

/**
 * An archive entry's bytes, counted against {@link ArchiveLimits} as they are read, for tar and zip
 * alike: past {@code maxEntryBytes}, or past {@code maxRatio} times the compressed bytes consumed
 * for it once beyond its first {@code ratioGraceBytes}, reading fails with an {@link
 * ArchiveLimitException}. Closing it leaves the archive open for the next entry.
 */
final class LimitedEntryStream extends InputStream {
    private final ArchiveReader reader;
    private final ArchiveEntry entry;

    LimitedEntryStream(ArchiveReader reader, ArchiveEntry entry) {
        this.reader = reader;
        this.entry = entry;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = reader.readEntry(entry, b, off, len);
        if (n > 0) {
            entry.countRead(n);
            check();
        }
        return n;
    }

    private void check() throws ArchiveLimitException {
        ArchiveLimits limits = reader.limits;
        long read = entry.bytesRead();
        if (read > limits.maxEntryBytes()) {
            throw new ArchiveLimitException(
                    "entry expands past "
                            + limits.maxEntryBytes()
                            + " bytes (ser.archive.max-entry-bytes): a decompression bomb or an oversized file");
        }
        if (read > limits.ratioGraceBytes()) {
            long compressed = Math.max(1, reader.compressedCount() - entry.compressedAtStart());
            double ratio = read / (double) compressed;
            if (ratio > limits.maxRatio()) {
                throw new ArchiveLimitException(
                        String.format(
                                Locale.ROOT,
                                "entry expands %.0fx over its compressed bytes, above the limit of %.0fx "
                                        + "(ser.archive.max-ratio): a decompression bomb",
                                ratio,
                                limits.maxRatio()));
            }
        }
    }

    @Override
    public void close() {
        // the archive stays open for the next entry
    }
}
