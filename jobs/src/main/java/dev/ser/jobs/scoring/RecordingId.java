package dev.ser.jobs.scoring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A recording's id in every output table: the first 16 hex digits of the SHA-256 of its path
 * ({@code archive!entry} for an archive entry), so it is the same across runs and machines and
 * joins {@code recordings} to {@code windows} without carrying the path twice.
 */
public final class RecordingId {
    private RecordingId() {}

    public static String of(String path) {
        try {
            byte[] d =
                    MessageDigest.getInstance("SHA-256")
                            .digest(path.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
    }
}
