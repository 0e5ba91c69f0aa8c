package dev.ser.pipeline.aggregate;

/** The model's class probabilities for one window, with the window's place in the recording. */
public record WindowScore(
        int index,
        double startSeconds,
        double endSeconds,
        double speechSeconds,
        float[] probabilities) {}
