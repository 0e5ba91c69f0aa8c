package dev.ser.pipeline.vad;

/** A stretch of detected speech, in samples on the recording's 16 kHz timeline, end exclusive. */
public record SpeechRegion(long startSample, long endSample) {
    public SpeechRegion {
        if (endSample < startSample) {
            throw new IllegalArgumentException("region ends before it starts");
        }
    }

    public long length() {
        return endSample - startSample;
    }

    public double startSeconds(int sampleRate) {
        return (double) startSample / sampleRate;
    }

    public double endSeconds(int sampleRate) {
        return (double) endSample / sampleRate;
    }
}
