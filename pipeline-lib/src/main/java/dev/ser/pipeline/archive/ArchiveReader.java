package dev.ser.pipeline.archive;

import dev.ser.pipeline.AudioSource;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.SeekableByteChannel;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import org.apache.commons.compress.archivers.ArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.utils.InputStreamStatistics;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the entries of a tar, tar.gz or zip archive in archive order, without unpacking
 * anything to disk (Apache Commons Compress does the formats): tar and tar.gz as one stream,
 * zip by random access through its central directory, which alone records links and lets a
 * rejected entry be skipped without inflating it. Each regular file
 * entry becomes an {@link ArchiveEntry} whose bytes can be read once, through limits:
 * hostile entries are rejected with a reason instead ({@code ..} or absolute names, links,
 * devices), an entry that expands past {@link ArchiveLimits} fails as a decompression bomb,
 * and one whose bytes do not match its declared size is caught when it is finished.
 * Names are normalised ({@code ./a.wav} is {@code a.wav}); directories and names that are not
 * recordings by {@link SkippedNames}'s rule ({@code .x}, {@code __MACOSX/}, {@code _SUCCESS}) are skipped, as the
 * file listing skips them.
 *
 * <p>In a tar or tar.gz, a bomb or a truncated entry ends the reading: what follows it can only
 * be reached by decompressing it. The caller reports that in the entry's row. A zip goes on.
 */
public final class ArchiveReader implements Closeable {
    private final CountingStream raw;
    private final ArchiveInputStream<?> archive;
    private final ZipFile zip;
    private final Iterator<ZipArchiveEntry> zipEntries;
    private InputStream zipEntryStream;
    private final ArchiveFormat format;
    private final ArchiveLimits limits;
    private ArchiveEntry current;
    private boolean ended;
    private int entries;
    private final java.util.List<String> skippedByRule = new java.util.ArrayList<>();

    /** Reads a tar or tar.gz archive from {@code in}, which this reader closes. */
    public ArchiveReader(InputStream in, ArchiveFormat format, ArchiveLimits limits) throws IOException {
        if (format == ArchiveFormat.ZIP) {
            in.close();
            throw new IllegalArgumentException("a zip is read by random access: pass a SeekableByteChannel");
        }
        this.format = format;
        this.limits = limits;
        this.raw = new CountingStream(in);
        this.zip = null;
        this.zipEntries = null;
        InputStream buffered = new BufferedInputStream(raw, 1 << 16);
        try {
            this.archive = format == ArchiveFormat.TAR ? new TarArchiveInputStream(buffered)
                    : new TarArchiveInputStream(new GzipCompressorInputStream(buffered, true));
        } catch (IOException | RuntimeException e) {
            in.close();
            throw new IOException("not a readable " + name(format) + " archive: " + e.getMessage(), e);
        }
    }

    /** Reads a zip archive from {@code channel}, which this reader closes. */
    public ArchiveReader(SeekableByteChannel channel, ArchiveLimits limits) throws IOException {
        this.format = ArchiveFormat.ZIP;
        this.limits = limits;
        this.raw = null;
        this.archive = null;
        try {
            this.zip = ZipFile.builder().setSeekableByteChannel(channel).get();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw new IOException("not a readable zip archive: " + e.getMessage(), e);
        }
        this.zipEntries = Collections.list(zip.getEntriesInPhysicalOrder()).iterator();
    }

    /**
     * The next entry to report, or null at the end. Finishes the previous entry first.
     *
     * @throws IOException when the archive itself is broken (its message says where)
     */
    public ArchiveEntry next() throws IOException {
        if (current != null) {
            current.finish();
            if (current.endsArchive()) {
                ended = true;
            }
            current = null;
        }
        while (!ended) {
            org.apache.commons.compress.archivers.ArchiveEntry e;
            try {
                e = zip != null ? (zipEntries.hasNext() ? zipEntries.next() : null) : archive.getNextEntry();
            } catch (IOException | RuntimeException x) {
                ended = true;
                throw new IOException("broken " + name(format) + " archive after " + entries + " entr"
                        + (entries == 1 ? "y" : "ies") + ": " + x.getMessage(), x);
            }
            if (e == null) {
                ended = true;
                return null;
            }
            String name = hostileName(e.getName()) ? e.getName() : SkippedNames.normalise(e.getName());
            if (e.isDirectory() || name.isEmpty()) {
                continue;
            }
            if (!hostileName(name) && SkippedNames.skippedByRule(name)) {
                skippedByRule.add(name);
                continue;
            }
            entries++;
            long declared = e.getSize();
            Instant modified = e.getLastModifiedDate() == null ? null : e.getLastModifiedDate().toInstant();
            String rejection = rejection(e, name, declared);
            current = new ArchiveEntry(name, declared, modified, rejection,
                    e instanceof ZipArchiveEntry z ? z : null);
            return current;
        }
        return null;
    }

    /** Names of the entries skipped so far as not recordings ({@link SkippedNames}), in archive order. */
    public java.util.List<String> skippedByRule() {
        return java.util.Collections.unmodifiableList(skippedByRule);
    }

    /** Entries reported so far. */
    public int entries() {
        return entries;
    }

    private String rejection(org.apache.commons.compress.archivers.ArchiveEntry e, String name, long declared) {
        if (hostileName(name)) {
            return "hostile entry name (absolute, or climbing out with '..'); not read";
        }
        if (e instanceof TarArchiveEntry t) {
            if (t.isSymbolicLink() || t.isLink()) {
                return "link entry (to " + t.getLinkName() + "); links are not followed";
            }
            if (t.isCharacterDevice() || t.isBlockDevice() || t.isFIFO() || !t.isFile()) {
                return "not a regular file (device, fifo or other special entry); not read";
            }
        }
        if (e instanceof ZipArchiveEntry z) {
            if (z.isUnixSymlink()) {
                return "link entry; links are not followed";
            }
            if (!zip.canReadEntryData(z)) {
                return "entry uses a compression method or encryption this reader does not support ("
                        + z.getMethod() + "); not read";
            }
        }
        if (declared > limits.maxEntryBytes()) {
            return "entry declares " + declared + " bytes, above the limit of " + limits.maxEntryBytes()
                    + " (ser.archive.max-entry-bytes); not read";
        }
        return null;
    }

    /** Absolute names (Unix, Windows drive or UNC) and any '..' segment. */
    static boolean hostileName(String name) {
        String n = name.replace('\\', '/');
        if (n.startsWith("/") || n.matches("^[A-Za-z]:.*")) {
            return true;
        }
        for (String segment : n.split("/")) {
            if (segment.equals("..")) {
                return true;
            }
        }
        return false;
    }

    private static String name(ArchiveFormat f) {
        return switch (f) {
            case TAR -> "tar";
            case TAR_GZ -> "tar.gz";
            case ZIP -> "zip";
        };
    }

    /** Compressed bytes consumed so far by the archive's stream, for the entry's ratio. */
    private long compressedCount() {
        if (zip != null) {
            // this entry's compressed bytes; a stored entry's are its bytes
            return zipEntryStream instanceof InputStreamStatistics st ? st.getCompressedCount() : Long.MAX_VALUE;
        }
        return raw.count;
    }

    /** The current entry's bytes as the archive holds them. */
    private int readEntry(ArchiveEntry entry, byte[] b, int off, int len) throws IOException {
        if (zip == null) {
            return archive.read(b, off, len);
        }
        if (zipEntryStream == null) {
            zipEntryStream = zip.getInputStream(entry.zipEntry);
        }
        return zipEntryStream.read(b, off, len);
    }

    private void closeZipEntry() throws IOException {
        if (zipEntryStream != null) {
            zipEntryStream.close();
            zipEntryStream = null;
        }
    }

    @Override
    public void close() throws IOException {
        closeZipEntry();
        if (zip != null) {
            zip.close();
        } else {
            archive.close();
        }
    }

    /**
     * One file of the archive: its name, declared size (-1 when unknown) and time, and either
     * a reason it is rejected or its bytes, readable once through {@link #source()}.
     */
    public final class ArchiveEntry {
        private final String name;
        private final long declaredSize;
        private final Instant modified;
        private String rejection;
        private final long compressedAtStart;
        private long read;
        private boolean opened;
        private boolean finished;
        private boolean endsArchive;
        private final ZipArchiveEntry zipEntry;

        ArchiveEntry(String name, long declaredSize, Instant modified, String rejection, ZipArchiveEntry zipEntry) {
            this.zipEntry = zipEntry;
            this.name = name;
            this.declaredSize = declaredSize;
            this.modified = modified;
            this.rejection = rejection;
            this.compressedAtStart = zip != null ? 0 : raw.count;
        }

        public String name() {
            return name;
        }

        /** The size the archive declares, or the bytes read once the entry is finished. */
        public long size() {
            return declaredSize >= 0 ? declaredSize : read;
        }

        public Instant modified() {
            return modified;
        }

        /** Why the entry is not read, or null when its bytes may be read. */
        public String rejection() {
            return rejection;
        }

        /** The entry's bytes, once, through the limits; closing the stream does not close the archive. */
        public AudioSource source() {
            if (rejection != null) {
                throw new IllegalStateException("entry " + name + " is rejected: " + rejection);
            }
            return () -> {
                if (opened) {
                    throw new IOException("an archive entry can be read only once");
                }
                opened = true;
                return new EntryStream();
            };
        }

        /**
         * Reads what the decoder left of the entry, through the same limits, and checks its size
         * against the declared one.
         *
         * @return why the entry must be reported as an error after all, or null
         */
        public String finish() {
            if (finished) {
                return rejection;
            }
            finished = true;
            String reason = rejection;
            if (zip != null) {
                return finishZipEntry(reason);
            }
            if (declaredSize > limits.maxEntryBytes()) {
                // reaching the next entry would mean reading it all
                endsArchive = true;
                return rejection = reason + "; the archive's remaining entries were not read";
            }
            // the rest is read through the limits, rejected entries' too: a zip reaches its
            // next entry only by inflating this one
            try (InputStream rest = new EntryStream()) {
                rest.transferTo(OutputStream.nullOutputStream());
            } catch (ArchiveLimitException e) {
                endsArchive = true;
                return rejection = (reason != null ? reason + "; then " : "") + e.getMessage()
                        + "; the archive's remaining entries were not read";
            } catch (IOException | RuntimeException e) {
                endsArchive = true;
                return rejection = (reason != null ? reason + "; " : "") + "entry cut short (" + e.getMessage()
                        + "); the archive's remaining entries were not read";
            }
            if (reason == null && declaredSize >= 0 && read != declaredSize) {
                rejection = "entry declares " + declaredSize + " bytes but holds " + read;
            }
            return rejection;
        }

        /** A zip entry is reached by its offset: a rejected one is left unread, a bomb stops alone. */
        private String finishZipEntry(String reason) {
            try {
                if (reason != null) {
                    return reason;
                }
                try (InputStream rest = new EntryStream()) {
                    rest.transferTo(OutputStream.nullOutputStream());
                } catch (IOException | RuntimeException e) {
                    return rejection = e instanceof ArchiveLimitException ? e.getMessage()
                            : "entry cut short or corrupt (" + e.getMessage() + ")";
                }
                if (declaredSize >= 0 && read != declaredSize) {
                    rejection = "entry declares " + declaredSize + " bytes but holds " + read;
                }
                return rejection;
            } finally {
                try {
                    closeZipEntry();
                } catch (IOException ignored) {
                    // the entry is done with either way
                }
            }
        }

        boolean endsArchive() {
            return endsArchive;
        }

        /** The entry's bytes, counted against the limits; close leaves the archive open. */
        private final class EntryStream extends InputStream {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = readEntry(ArchiveEntry.this, b, off, len);
                if (n > 0) {
                    read += n;
                    check();
                }
                return n;
            }

            private void check() throws ArchiveLimitException {
                if (read > limits.maxEntryBytes()) {
                    throw new ArchiveLimitException("entry expands past " + limits.maxEntryBytes()
                            + " bytes (ser.archive.max-entry-bytes): a decompression bomb or an oversized file");
                }
                if (read > limits.ratioGraceBytes()) {
                    long compressed = Math.max(1, compressedCount() - compressedAtStart);
                    double ratio = read / (double) compressed;
                    if (ratio > limits.maxRatio()) {
                        throw new ArchiveLimitException(String.format(java.util.Locale.ROOT,
                                "entry expands %.0fx over its compressed bytes, above the limit of %.0fx "
                                        + "(ser.archive.max-ratio): a decompression bomb", ratio, limits.maxRatio()));
                    }
                }
            }

            @Override
            public void close() {
                // the archive stays open for the next entry
            }
        }
    }

    /** An entry went past {@link ArchiveLimits}. */
    public static final class ArchiveLimitException extends IOException {
        ArchiveLimitException(String message) {
            super(message);
        }
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
