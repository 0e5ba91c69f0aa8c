package dev.ser.pipeline;

import dev.ser.pipeline.aggregate.Aggregator;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.audio.UnsupportedAudioException;
import dev.ser.pipeline.model.EmotionClassifier;
import dev.ser.pipeline.model.WindowOutputs;
import dev.ser.pipeline.preprocess.Preprocessor;
import dev.ser.pipeline.window.Window;
import java.io.EOFException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores one recording end to end, as a stream: decode, down-mix and resample, detect speech, cut
 * windows, preprocess each window as the model was trained, score windows in batches, aggregate.
 * Memory is bounded by one batch of windows whatever the recording's length. Never throws for a
 * recording: a bad one is an {@code error} result with the reason, and a bug met while scoring one
 * is an {@link RecordingResult#internalError}, logged with its stack trace.
 */
public final class RecordingScorer {
    private static final Logger LOG = LoggerFactory.getLogger(RecordingScorer.class);

    private final EmotionClassifier model;
    private final SpeechFrontEnd frontEnd;
    private final SpeechWindowing windowing;
    private final Preprocessor preprocessor;
    private final Aggregator aggregator;

    public RecordingScorer(EmotionClassifier model, ScoringConfig config) {
        this.model = model;
        this.frontEnd = SpeechFrontEnd.forModel(model.manifest(), config);
        this.windowing = frontEnd.windowing();
        this.preprocessor = frontEnd.preprocessor();
        this.aggregator = new Aggregator(model.manifest().labels(), config.weightBySpeech());
    }

    /** The front end this scorer feeds the model through. */
    public SpeechFrontEnd frontEnd() {
        return frontEnd;
    }

    /** Scores the recording {@code source} opens; {@code name} only labels a logged bug. */
    public RecordingResult score(AudioSource source, String name) {
        try {
            return scoreOrThrow(source);
        } catch (UnsupportedAudioException e) {
            return RecordingResult.error(e.getMessage());
        } catch (EOFException e) {
            return RecordingResult.error("truncated file: " + e.getMessage());
        } catch (IOException e) {
            return RecordingResult.error("cannot read: " + e);
        } catch (RuntimeException e) {
            // the decoders turn what a hostile file can cause into the exceptions above; this is a
            // bug
            LOG.error("internal error while scoring {}", name, e);
            return RecordingResult.internalError(e);
        }
    }

    public RecordingResult score(AudioSource source) {
        return score(source, "a recording");
    }

    private RecordingResult scoreOrThrow(AudioSource source) throws IOException {
        long started = System.nanoTime();
        long[] inference = {0}; // this call's own: the scorer is shared by the JVM's tasks
        List<WindowScore> scores = new ArrayList<>();
        List<Window> batch = new ArrayList<>();
        int batchSize = model.options().batchSize();
        SpeechWindowing.Cut cut =
                windowing.cut(
                        source,
                        w -> {
                            batch.add(w);
                            if (batch.size() == batchSize) {
                                inference[0] += scoreBatch(batch, scores);
                            }
                        });
        inference[0] += scoreBatch(batch, scores);
        long inferenceNanos = inference[0];
        var format = cut.sourceFormat();
        StageTimes times =
                new StageTimes(
                        System.nanoTime() - started - cut.vadNanos() - inferenceNanos,
                        cut.vadNanos(),
                        inferenceNanos);
        if (scores.isEmpty()) {
            return new RecordingResult(
                    RecordingStatus.NO_SPEECH,
                    null,
                    cut.durationSeconds(),
                    cut.speechSeconds(),
                    format.sampleRate(),
                    format.channels(),
                    List.of(),
                    null,
                    times);
        }
        return new RecordingResult(
                RecordingStatus.OK,
                null,
                cut.durationSeconds(),
                cut.speechSeconds(),
                format.sampleRate(),
                format.channels(),
                List.copyOf(scores),
                aggregator.aggregate(scores),
                times);
    }

    /** Scores and clears {@code batch}; returns the nanoseconds it took. */
    private long scoreBatch(List<Window> batch, List<WindowScore> scores) {
        if (batch.isEmpty()) {
            return 0;
        }
        long t0 = System.nanoTime();
        List<float[]> inputs = new ArrayList<>(batch.size());
        for (Window w : batch) {
            inputs.add(preprocessor.apply(w.samples()));
        }
        WindowOutputs out = model.score(inputs);
        for (int i = 0; i < batch.size(); i++) {
            Window w = batch.get(i);
            scores.add(
                    new WindowScore(
                            w.index(),
                            w.startSeconds(),
                            w.endSeconds(),
                            w.speechSeconds(),
                            out.probabilities()[i],
                            out.features() == null ? null : out.features()[i]));
        }
        batch.clear();
        return System.nanoTime() - t0;
    }
}
