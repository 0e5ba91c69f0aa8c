package dev.ser.pipeline.window;

/**
 * A cut of a recording's speech for the model. Its samples are speech only (the gaps between speech
 * regions are left out), so {@code startSeconds} and {@code endSeconds} are the places of its first
 * and last sample on the recording's original timeline, and {@code speechSeconds} is what it holds.
 */
public record Window(
        int index, double startSeconds, double endSeconds, double speechSeconds, float[] samples) {}
