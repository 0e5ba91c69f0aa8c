package dev.ser.jobs.config;

/** A wrong setting or argument: its message is one line that says what is wrong and what to do. */
public class ConfigurationException extends RuntimeException {
    public ConfigurationException(String message) {
        super(message);
    }
}
