package dev.ser.pipeline.archive;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** The archive types recordings may arrive in, recognised by content (magic bytes), not by name. */
public enum ArchiveFormat {
    TAR,
    TAR_GZ,
    ZIP;

    /** Bytes {@link #sniff} needs: a tar header's magic sits at offset 257. */
    public static final int SNIFF_BYTES = 512;

    /** The archive type whose signature {@code head} starts with, if any. */
    public static Optional<ArchiveFormat> sniff(byte[] head) {
        if (head.length >= 4
                && head[0] == 'P'
                && head[1] == 'K'
                && (head[2] == 3 && head[3] == 4 || head[2] == 5 && head[3] == 6)) {
            return Optional.of(ZIP); // a local file header, or the end record of an empty zip
        }
        if (head.length >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
            return Optional.of(
                    TAR_GZ); // gzip; a gzip that holds no tar is reported as a broken archive
        }
        if (head.length >= 262
                && new String(head, 257, 5, StandardCharsets.ISO_8859_1).equals("ustar")) {
            return Optional.of(TAR);
        }
        return Optional.empty();
    }
}
