package dev.ser.pipeline.archive;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.util.Collections;
import java.util.Iterator;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.InputStreamStatistics;

/**
 * A zip archive read by random access through its central directory, which alone records symlinks
 * and lets a rejected entry be skipped without inflating it. Entries are read in their physical
 * order; an entry's expansion ratio is measured against its own compressed bytes, and a bomb stops
 * only that entry: the next is reached by its offset.
 */
public final class ZipArchiveReader extends ArchiveReader {
    private final ZipFile zip;
    private final Iterator<ZipArchiveEntry> entries;
    private InputStream entryStream;

    /** Reads a zip archive from {@code channel}, which this reader closes. */
    public ZipArchiveReader(SeekableByteChannel channel, ArchiveLimits limits) throws IOException {
        super("zip", limits);
        try {
            this.zip = ZipFile.builder().setSeekableByteChannel(channel).get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("not a readable zip archive: " + e.getMessage(), e);
        }
        this.entries = Collections.list(zip.getEntriesInPhysicalOrder()).iterator();
    }

    @Override
    org.apache.commons.compress.archivers.ArchiveEntry nextArchiveEntry() {
        return entries.hasNext() ? entries.next() : null;
    }

    @Override
    String formatRejection(org.apache.commons.compress.archivers.ArchiveEntry e) {
        ZipArchiveEntry z = (ZipArchiveEntry) e;
        if (z.isUnixSymlink()) {
            return "link entry; links are not followed";
        }
        if (!zip.canReadEntryData(z)) {
            return "entry uses a compression method or encryption this reader does not support ("
                    + z.getMethod()
                    + "); not read";
        }
        return null;
    }

    @Override
    int readEntry(ArchiveEntry entry, byte[] b, int off, int len) throws IOException {
        if (entryStream == null) {
            entryStream = zip.getInputStream((ZipArchiveEntry) entry.raw());
        }
        return entryStream.read(b, off, len);
    }

    /** This entry's compressed bytes so far; a stored entry's are its bytes, so it has no ratio. */
    @Override
    long compressedCount() {
        return entryStream instanceof InputStreamStatistics st
                ? st.getCompressedCount()
                : Long.MAX_VALUE;
    }

    @Override
    long compressedAtEntryStart() {
        return 0;
    }

    /** A rejected entry is left unread; a bomb or corruption stops this entry alone. */
    @Override
    String finish(ArchiveEntry entry) {
        try {
            if (entry.rejection() != null) {
                return entry.rejection();
            }
            try (InputStream rest = new LimitedEntryStream(this, entry)) {
                rest.transferTo(OutputStream.nullOutputStream());
            } catch (IOException | RuntimeException e) {
                return e instanceof ArchiveLimitException
                        ? e.getMessage()
                        : "entry cut short or corrupt (" + e.getMessage() + ")";
            }
            return sizeMismatch(entry);
        } finally {
            closeEntry();
        }
    }

    private void closeEntry() {
        if (entryStream != null) {
            try {
                entryStream.close();
            } catch (IOException ignored) {
                // the entry is done with either way
            }
            entryStream = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeEntry();
        zip.close();
    }
}
