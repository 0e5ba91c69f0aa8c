package dev.ser.pipeline.model;

/** A model directory that cannot be used: the message names the file and the mismatch. */
public class InvalidModelException extends RuntimeException {
    public InvalidModelException(String message) {
        super(message);
    }

    public InvalidModelException(String message, Throwable cause) {
        super(message, cause);
    }
}
