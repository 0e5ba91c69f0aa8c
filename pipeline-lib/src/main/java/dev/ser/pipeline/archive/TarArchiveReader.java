package dev.ser.pipeline.archive;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A tar or tar.gz archive read as one stream. An entry's expansion ratio is measured against the
 * archive file's own bytes consumed while it is read. A bomb or a truncated entry ends the reading:
 * what follows it can only be reached by decompressing it, and the entry's reason says so.
 */
public final class TarArchiveReader extends ArchiveReader {
    private final CountingStream raw;
    private final TarArchiveInputStream archive;

    /** Reads a tar or tar.gz archive from {@code in}, which this reader closes. */
    public TarArchiveReader(InputStream in, ArchiveFormat format, ArchiveLimits limits)
            throws IOException {
        super(format == ArchiveFormat.TAR ? "tar" : "tar.gz", limits);
        if (format == ArchiveFormat.ZIP) {
            in.close();
            throw new IllegalArgumentException(
                    "a zip is read by random access: use ZipArchiveReader");
        }
        this.raw = new CountingStream(in);
        InputStream buffered = new BufferedInputStream(raw, 1 << 16);
        try {
            this.archive =
                    format == ArchiveFormat.TAR
                            ? new TarArchiveInputStream(buffered)
                            : new TarArchiveInputStream(
                                    new GzipCompressorInputStream(buffered, true));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw new IOException(
                    "not a readable "
                            + (format == ArchiveFormat.TAR ? "tar" : "tar.gz")
                            + " archive: "
                            + e.getMessage(),
                    e);
        }
    }

    @Override
    org.apache.commons.compress.archivers.ArchiveEntry nextArchiveEntry() throws IOException {
        return archive.getNextEntry();
    }

    @Override
    String formatRejection(org.apache.commons.compress.archivers.ArchiveEntry e) {
        TarArchiveEntry t = (TarArchiveEntry) e;
        if (t.isSymbolicLink() || t.isLink()) {
            return "link entry (to " + t.getLinkName() + "); links are not followed";
        }
        if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO() || !t.isFile()) {
            return "not a regular file (device, fifo or other special entry); not read";
        }
        return null;
    }

    @Override
    int readEntry(ArchiveEntry entry, byte[] b, int off, int len) throws IOException {
        return archive.read(b, off, len);
    }

    @Override
    long compressedCount() {
        return raw.count;
    }

    @Override
    long compressedAtEntryStart() {
        return raw.count;
    }

    /**
     * The rest of the entry is read through the limits, a rejected entry's too: the next one lies
     * after it.
     */
    @Override
    String finish(ArchiveEntry entry) {
        String reason = entry.rejection();
        if (entry.declaredSize() > limits.maxEntryBytes()) {
            // reaching the next entry would mean reading it all
            entry.endArchive();
            return reason + "; the archive's remaining entries were not read";
        }
        try (InputStream rest = new LimitedEntryStream(this, entry)) {
            rest.transferTo(OutputStream.nullOutputStream());
        } catch (ArchiveLimitException e) {
            entry.endArchive();
            return (reason != null ? reason + "; then " : "")
                    + e.getMessage()
                    + "; the archive's remaining entries were not read";
        } catch (IOException | RuntimeException e) {
            entry.endArchive();
            return (reason != null ? reason + "; " : "")
                    + "entry cut short ("
                    + e.getMessage()
                    + "); the archive's remaining entries were not read";
        }
        return reason != null ? reason : sizeMismatch(entry);
    }

    @Override
    public void close() throws IOException {
        archive.close();
    }

    /** Counts the archive file's own (compressed) bytes. */
    private static final class CountingStream extends FilterInputStream {
        long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long s = super.skip(n);
            count += s;
            return s;
        }
    }
}
