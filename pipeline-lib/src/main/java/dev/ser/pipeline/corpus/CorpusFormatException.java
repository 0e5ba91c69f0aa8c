package dev.ser.pipeline.corpus;

/** A corpus whose layout or label files are not as published: the message names the file. */
public class CorpusFormatException extends RuntimeException {
    public CorpusFormatException(String message) {
        super(message);
    }
}
