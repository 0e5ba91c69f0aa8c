package dev.ser.pipeline;

import java.util.Locale;

/** What became of a recording: scored, no speech found, or not readable. */
public enum RecordingStatus {
    OK,
    NO_SPEECH,
    ERROR;

    /** The name written in outputs: {@code ok}, {@code no_speech}, {@code error}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
