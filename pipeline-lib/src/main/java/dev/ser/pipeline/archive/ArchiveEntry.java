package dev.ser.pipeline.archive;

import dev.ser.pipeline.AudioSource;
import java.io.IOException;
import java.time.Instant;

/**
 * One file of an archive: its name, declared size (-1 when unknown) and time, and either a reason
 * it is rejected or its bytes, readable once through {@link #source()} and the limits.
 */
public final class ArchiveEntry {
    private final ArchiveReader reader;
    private final org.apache.commons.compress.archivers.ArchiveEntry raw;
    private final String name;
    private final long declaredSize;
    private final Instant modified;
    private final long compressedAtStart;
    private String rejection;
    private long read;
    private boolean opened;
    private boolean finished;
    private boolean endsArchive;

    ArchiveEntry(
            ArchiveReader reader,
            org.apache.commons.compress.archivers.ArchiveEntry raw,
            String name,
            long declaredSize,
            Instant modified,
            String rejection,
            long compressedAtStart) {
        this.reader = reader;
        this.raw = raw;
        this.name = name;
        this.declaredSize = declaredSize;
        this.modified = modified;
        this.rejection = rejection;
        this.compressedAtStart = compressedAtStart;
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

    /**
     * The entry's bytes, once, through the limits; closing the stream does not close the archive.
     */
    public AudioSource source() {
        if (rejection != null) {
            throw new IllegalStateException("entry " + name + " is rejected: " + rejection);
        }
        return () -> {
            if (opened) {
                throw new IOException("an archive entry can be read only once");
            }
            opened = true;
            return new LimitedEntryStream(reader, this);
        };
    }

    /**
     * Reads what the decoder left of the entry, through the same limits, and checks its size
     * against the declared one.
     *
     * @return why the entry must be reported as an error after all, or null
     */
    public String finish() {
        if (!finished) {
            finished = true;
            rejection = reader.finish(this);
        }
        return rejection;
    }

    org.apache.commons.compress.archivers.ArchiveEntry raw() {
        return raw;
    }

    long declaredSize() {
        return declaredSize;
    }

    long compressedAtStart() {
        return compressedAtStart;
    }

    long bytesRead() {
        return read;
    }

    void countRead(int n) {
        read += n;
    }

    /** Set by a tar or tar.gz reader when what follows this entry cannot be reached. */
    void endArchive() {
        endsArchive = true;
    }

    boolean endsArchive() {
        return endsArchive;
    }
}
