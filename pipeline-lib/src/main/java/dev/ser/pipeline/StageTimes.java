package dev.ser.pipeline;

/**
 * Where one recording's time went, in nanoseconds of the thread that scored it: reading and
 * decoding (with down-mixing, resampling and cutting windows), the speech detector, and the model
 * (preprocessing and inference). Runs add them up per stage to say where a night went.
 */
public record StageTimes(long decodeNanos, long vadNanos, long inferenceNanos) {
    public static final StageTimes NONE = new StageTimes(0, 0, 0);
}
