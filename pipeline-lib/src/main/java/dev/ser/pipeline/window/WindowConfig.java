package dev.ser.pipeline.window;

/**
 * How detected speech is cut into model windows.
 *
 * @param windowSeconds window length (the study's 8.0 s)
 * @param hopSeconds distance between window starts; equal to the length means no overlap
 * @param minLastWindowSeconds a last, partial window shorter than this is dropped (1.0 s), unless
 *     it is the recording's only window
 */
public record WindowConfig(double windowSeconds, double hopSeconds, double minLastWindowSeconds)
        implements java.io.Serializable {

    public static final WindowConfig DEFAULT = new WindowConfig(8.0, 8.0, 1.0);

    public WindowConfig {
        if (!(windowSeconds > 0)) {
            throw new IllegalArgumentException(
                    "window length must be positive, got " + windowSeconds);
        }
        if (!(hopSeconds > 0 && hopSeconds <= windowSeconds)) {
            throw new IllegalArgumentException(
                    "hop must be in (0, window length], got " + hopSeconds);
        }
        if (minLastWindowSeconds < 0) {
            throw new IllegalArgumentException("minimum last window must not be negative");
        }
    }
}
