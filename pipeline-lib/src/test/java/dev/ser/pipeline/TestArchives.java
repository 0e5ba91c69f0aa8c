package dev.ser.pipeline;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.utils.SeekableInMemoryByteChannel;

/**
 * Test archives built in memory: tar, gzip and zip, names kept exactly as given ('..' and '/' too).
 */
public final class TestArchives {
    private TestArchives() {}

    public static byte[] tar(Map<String, byte[]> files) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files.entrySet()) {
                addTarEntry(tar, f.getKey(), f.getValue());
            }
        }
        return bytes.toByteArray();
    }

    /** Adds a regular file entry, its name as given. */
    public static void addTarEntry(TarArchiveOutputStream tar, String name, byte[] data)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setSize(data.length);
        tar.putArchiveEntry(e);
        tar.write(data);
        tar.closeArchiveEntry();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GzipCompressorOutputStream gz = new GzipCompressorOutputStream(bytes)) {
            gz.write(data);
        }
        return bytes.toByteArray();
    }

    /** A zip written as phones and desktop tools write it: sizes in every local header. */
    public static byte[] zip(Map<String, byte[]> files, int level) throws IOException {
        SeekableInMemoryByteChannel bytes = new SeekableInMemoryByteChannel();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            zip.setLevel(level);
            for (var f : files.entrySet()) {
                addZipEntry(zip, f.getKey(), f.getValue());
            }
        }
        return Arrays.copyOf(bytes.array(), (int) bytes.size());
    }

    public static void addZipEntry(ZipArchiveOutputStream zip, String name, byte[] data)
            throws IOException {
        zip.putArchiveEntry(new ZipArchiveEntry(name));
        zip.write(data);
        zip.closeArchiveEntry();
    }
}
