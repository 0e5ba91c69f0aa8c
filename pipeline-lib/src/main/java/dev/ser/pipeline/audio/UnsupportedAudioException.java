package dev.ser.pipeline.audio;

/** A recording that cannot be decoded: unknown container, corrupt header, unsupported encoding. */
public class UnsupportedAudioException extends RuntimeException {
    public UnsupportedAudioException(String message) {
        super(message);
    }

    public UnsupportedAudioException(String message, Throwable cause) {
        super(message, cause);
    }
}
