package dev.ser.pipeline.archive;

import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Reads the file entries of an archive in archive order, without unpacking anything to disk (Apache
 * Commons Compress does the formats): {@link TarArchiveReader} reads tar and tar.gz as one stream,
 * {@link ZipArchiveReader} reads a zip by random access through its central directory. What they
 * share lives here: names are normalised ({@code ./a.wav} is {@code a.wav}); directories and names
 * that are not recordings by {@link SkippedNames}'s rule ({@code .x}, {@code __MACOSX/}, {@code
 * _SUCCESS}) are skipped and remembered, as the file listing skips them; hostile entries are
 * rejected with a reason ({@code ..} or absolute names, links, devices, a declared size over the
 * limit); and every entry's bytes are read once through the one {@link LimitedEntryStream}, so a
 * decompression bomb fails on the limits of {@link ArchiveLimits} whatever the format, and a size
 * that lies is caught when the entry is finished.
 */
public abstract sealed class ArchiveReader implements Closeable
        permits TarArchiveReader, ZipArchiveReader {
    final ArchiveLimits limits;
    private final String formatName;
    private final List<String> skippedByRule = new ArrayList<>();
    private ArchiveEntry current;
    private boolean ended;
    private int entries;

    ArchiveReader(String formatName, ArchiveLimits limits) {
        this.formatName = formatName;
        this.limits = limits;
    }

    /**
     * The next entry to report, or null at the end. Finishes the previous entry first.
     *
     * @throws IOException when the archive itself is broken (its message says where)
     */
    public final ArchiveEntry next() throws IOException {
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
                e = nextArchiveEntry();
            } catch (IOException | RuntimeException x) {
                ended = true;
                throw new IOException(
                        "broken "
                                + formatName
                                + " archive after "
                                + entries
                                + " entr"
                                + (entries == 1 ? "y" : "ies")
                                + ": "
                                + x.getMessage(),
                        x);
            }
            if (e == null) {
                ended = true;
                return null;
            }
            String name =
                    hostileName(e.getName()) ? e.getName() : SkippedNames.normalise(e.getName());
            if (e.isDirectory() || name.isEmpty()) {
                continue;
            }
            if (!hostileName(name) && SkippedNames.skippedByRule(name)) {
                skippedByRule.add(name);
                continue;
            }
            entries++;
            long declared = e.getSize();
            Instant modified =
                    e.getLastModifiedDate() == null ? null : e.getLastModifiedDate().toInstant();
            current =
                    new ArchiveEntry(
                            this,
                            e,
                            name,
                            declared,
                            modified,
                            rejection(e, name, declared),
                            compressedAtEntryStart());
            return current;
        }
        return null;
    }

    /**
     * Names of the entries skipped so far as not recordings ({@link SkippedNames}), in archive
     * order.
     */
    public final List<String> skippedByRule() {
        return Collections.unmodifiableList(skippedByRule);
    }

    /** Entries reported so far. */
    public final int entries() {
        return entries;
    }

    private String rejection(
            org.apache.commons.compress.archivers.ArchiveEntry e, String name, long declared) {
        if (hostileName(name)) {
            return "hostile entry name (absolute, or climbing out with '..'); not read";
        }
        String byFormat = formatRejection(e);
        if (byFormat != null) {
            return byFormat;
        }
        if (declared > limits.maxEntryBytes()) {
            return "entry declares "
                    + declared
                    + " bytes, above the limit of "
                    + limits.maxEntryBytes()
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

    /** The next entry as the format has it, or null at the end. */
    abstract org.apache.commons.compress.archivers.ArchiveEntry nextArchiveEntry()
            throws IOException;

    /**
     * Why the format makes this entry unreadable (a link, a device, an unsupported method), or
     * null.
     */
    abstract String formatRejection(org.apache.commons.compress.archivers.ArchiveEntry e);

    /** Reads the current entry's bytes as the archive holds them. */
    abstract int readEntry(ArchiveEntry entry, byte[] b, int off, int len) throws IOException;

    /** Compressed bytes consumed so far, to which an entry's expansion ratio is compared. */
    abstract long compressedCount();

    /** {@link #compressedCount()} as a new entry starts. */
    abstract long compressedAtEntryStart();

    /**
     * Reads what the decoder left of {@code entry} through the limits and checks its size.
     *
     * @return why the entry must be reported as an error after all, or null
     */
    abstract String finish(ArchiveEntry entry);

    /** The size check every format makes once an entry is read to its end. */
    static String sizeMismatch(ArchiveEntry entry) {
        return entry.declaredSize() >= 0 && entry.bytesRead() != entry.declaredSize()
                ? "entry declares " + entry.declaredSize() + " bytes but holds " + entry.bytesRead()
                : null;
    }
}
