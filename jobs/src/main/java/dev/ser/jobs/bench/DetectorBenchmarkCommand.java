package dev.ser.jobs.bench;

import dev.ser.jobs.config.ConfigurationException;
import dev.ser.jobs.corpus.CorpusArgs;
import dev.ser.jobs.corpus.CorpusSpec;
import dev.ser.pipeline.ScoringConfig;
import dev.ser.pipeline.SpeechFrontEnd;
import dev.ser.pipeline.SpeechWindowing;
import dev.ser.pipeline.audio.AudioDecoders;
import dev.ser.pipeline.audio.MonoStream;
import dev.ser.pipeline.audio.WavWriter;
import dev.ser.pipeline.corpus.CremaDReader;
import dev.ser.pipeline.corpus.LabelMap;
import dev.ser.pipeline.corpus.LabelledClip;
import dev.ser.pipeline.preprocess.PreprocessingConfig;
import dev.ser.pipeline.vad.CascadeSegmenter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ser detector-benchmark}: how often each speech detector misses speech, and calls
 * non-speech speech, and what it costs. Speech: clips of labelled corpora (every clip is speech),
 * clean and mixed with generated background sound (white and pink noise, mains hum, music-like
 * chords, babble of other clips of the sample) at several signal-to-noise ratios; a clip is missed
 * when the detector finds no speech window in it, as a recording is then {@code no_speech}.
 * Non-speech: generated silence, noise, hum, tones, sweeps and music-like sound, 10 s each. Each
 * detector runs through the pipeline's own front end, on the same audio.
 */
@Command(
        name = "detector-benchmark",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Share of speech clips each speech detector calls no_speech (clean and with background",
            "sound at several SNRs), share of non-speech it calls speech, and its cost."
        })
public final class DetectorBenchmarkCommand implements Callable<Integer> {
    private static final int RATE = SpeechWindowing.SAMPLE_RATE;
    private static final List<String> KINDS = List.of("white", "pink", "hum", "music", "babble");

    @ArgGroup(exclusive = false, multiplicity = "1..*")
    List<CorpusArgs> corpora;

    @Option(
            names = "--clips",
            defaultValue = "100",
            description = "Clips per corpus, drawn at random. Default: ${DEFAULT-VALUE}.")
    int clips;

    @Option(
            names = "--snr",
            split = ",",
            defaultValue = "20,10,5,0",
            description = "Signal-to-noise ratios in dB. Default: ${DEFAULT-VALUE}.")
    List<Double> snrs;

    @Option(
            names = "--silero",
            paramLabel = "FILE",
            description =
                    "Silero VAD v5 ONNX file for silero and energy+silero. Default: the bundled one.")
    Path silero;

    @Option(
            names = "--cascade",
            split = ";",
            paramLabel = "MARGIN_DB,FRAMES[,RUN[,CHECK[,INTONATION]]]",
            description = {
                "Also measure energy+silero trusting the energy detector after FRAMES speech frames",
                "MARGIN_DB above the noise floor, RUN of them in a row, with Silero's threshold",
                "CHECK in unsure regions, and the intonation check on (true) or off (false), as",
                "15,8;15,5,2,0.5,false. Default: only its defaults."
            })
    List<String> cascades = List.of();

    @Option(
            names = "--split",
            defaultValue = "test",
            description = {
                "Which speakers' clips: validation (speakers whose name hashes even: choose settings",
                "on these), test (the others: report these) or all. Default: ${DEFAULT-VALUE}."
            })
    String split;

    @Option(
            names = "--non-speech-sets",
            defaultValue = "1",
            description =
                    "Sets of the 16 generated non-speech files, each drawn afresh. Default: ${DEFAULT-VALUE}.")
    int nonSpeechSets;

    @Option(
            names = "--detectors",
            split = ",",
            paramLabel = "NAME",
            description = "Which of the speech detectors to measure. Default: all of them.")
    List<String> only = ScoringConfig.DETECTORS;

    @Option(
            names = "--per-kind",
            description =
                    "Also print every background kind's share at each SNR, not only the worst.")
    boolean perKind;

    @Option(
            names = "--list-missed",
            description = "Also print which clips each detector missed, under which condition.")
    boolean listMissed;

    @Option(names = "--seed", defaultValue = "7", description = "Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (!List.of("validation", "test", "all").contains(split)) {
            throw new ConfigurationException(
                    "--split " + split + " is not one of validation, test, all");
        }
        if (silero != null && !Files.isRegularFile(silero)) {
            throw new ConfigurationException("--silero " + silero + " does not exist");
        }
        Map<String, SpeechWindowing> detectors = new LinkedHashMap<>();
        for (String d : only) {
            if (!ScoringConfig.DETECTORS.contains(d)) {
                throw new ConfigurationException(
                        "--detectors " + d + " is not one of " + ScoringConfig.DETECTORS);
            }
            detectors.put(
                    d,
                    windowing(
                            ScoringConfig.DEFAULT.withDetector(
                                    d, silero == null ? null : silero.toString())));
        }
        for (String c : cascades) {
            String[] parts = c.split(",");
            CascadeSegmenter.Settings d = CascadeSegmenter.Settings.DEFAULT;
            detectors.put(
                    "e+s " + c,
                    windowing(
                            ScoringConfig.DEFAULT
                                    .withDetector(
                                            "energy+silero",
                                            silero == null ? null : silero.toString())
                                    .withCascade(
                                            new CascadeSegmenter.Settings(
                                                    Double.parseDouble(parts[0]),
                                                    d.sureCrestDb(),
                                                    Integer.parseInt(parts[1]),
                                                    parts.length > 2
                                                            ? Integer.parseInt(parts[2])
                                                            : d.sureRun(),
                                                    d.holdSeconds(),
                                                    parts.length > 3
                                                            ? Double.parseDouble(parts[3])
                                                            : d.checkThreshold(),
                                                    d.checkFrames(),
                                                    d.fallbackSeconds(),
                                                    parts.length > 4
                                                            ? onOrOff(parts[4], c)
                                                            : d.intonationCheck()))));
        }
        Map<String, Double> detectorSeconds = new LinkedHashMap<>();
        Map<String, Double> seconds = new LinkedHashMap<>();
        detectors.keySet().forEach(k -> seconds.put(k, 0.0));
        double audio = 0;
        Random random = new Random(seed);
        CorpusSpec.ReaderOptions options =
                new CorpusSpec.ReaderOptions(
                        false, CremaDReader.LabelSource.INTENDED, true, LabelMap.IDENTITY);
        System.out.printf(
                "detector-benchmark: share of speech clips called no_speech (%d per corpus, %s"
                        + " speakers): clean, and the worst background kind at each SNR%n",
                clips, split);
        for (CorpusArgs c : corpora) {
            CorpusSpec spec = c.spec(options);
            var listing = spec.reader().read(spec.root());
            String corpus = listing.corpus(); // a manifest's file name, or the corpus kind
            List<LabelledClip> all = new ArrayList<>();
            for (LabelledClip clip : listing.clips()) {
                boolean validation = Math.floorMod(clip.speaker().hashCode(), 2) == 0;
                if (split.equals("all") || validation == split.equals("validation")) {
                    all.add(clip);
                }
            }
            if (all.isEmpty()) {
                System.out.printf("  %-8s no clips of %s speakers%n", corpus, split);
                continue;
            }
            Collections.shuffle(all, random);
            List<float[]> speech = new ArrayList<>();
            List<LabelledClip> drawn = all.subList(0, Math.min(clips, all.size()));
            Map<String, List<String>> missedClips = new LinkedHashMap<>();
            for (LabelledClip clip : drawn) {
                try (MonoStream in =
                        new MonoStream(
                                AudioDecoders.open(Files.newInputStream(Path.of(clip.path()))),
                                RATE)) {
                    speech.add(in.readAll());
                }
            }
            Map<String, Map<String, Integer>> missed = new LinkedHashMap<>();
            List<String> conditions = new ArrayList<>(List.of("clean"));
            for (String kind : KINDS) {
                for (double snr : snrs) {
                    conditions.add(condition(kind, snr));
                }
            }
            for (int i = 0; i < speech.size(); i++) {
                float[] clean = speech.get(i);
                for (String condition : conditions) {
                    float[] x =
                            condition.equals("clean")
                                    ? clean
                                    : mix(clean, condition, speech, i, random);
                    byte[] wav = wav(x);
                    audio += x.length / (double) RATE;
                    for (var d : detectors.entrySet()) {
                        long t0 = System.nanoTime();
                        boolean found = hasSpeech(d.getValue(), wav, d.getKey(), detectorSeconds);
                        seconds.merge(d.getKey(), (System.nanoTime() - t0) / 1e9, Double::sum);
                        if (!found && listMissed) {
                            missedClips
                                    .computeIfAbsent(d.getKey(), k -> new ArrayList<>())
                                    .add(condition + ": " + drawn.get(i).path());
                        }
                        missed.computeIfAbsent(d.getKey(), k -> new LinkedHashMap<>())
                                .merge(condition, found ? 0 : 1, Integer::sum);
                    }
                }
            }
            // per detector: clean, the worst kind of background at each SNR
            for (String d : missed.keySet()) {
                StringBuilder line =
                        new StringBuilder(String.format(Locale.ROOT, "  %-8s %-14s", corpus, d));
                Map<String, Integer> m = missed.get(d);
                line.append(
                        String.format(
                                Locale.ROOT,
                                " clean %5.1f%%",
                                100.0 * m.get("clean") / speech.size()));
                for (double snr : snrs) {
                    String suffix = String.format(Locale.ROOT, " %.0f dB", snr);
                    String worst = null;
                    for (String condition : conditions) {
                        if (condition.endsWith(suffix)
                                && (worst == null || m.get(condition) > m.get(worst))) {
                            worst = condition;
                        }
                    }
                    line.append(
                            String.format(
                                    Locale.ROOT,
                                    " |%s %5.1f%% %-6s",
                                    suffix,
                                    100.0 * m.get(worst) / speech.size(),
                                    m.get(worst) == 0
                                            ? ""
                                            : worst.substring(0, worst.indexOf(' '))));
                }
                System.out.println(line);
                if (perKind) {
                    for (String kind : KINDS) {
                        StringBuilder k =
                                new StringBuilder(String.format(Locale.ROOT, "%31s", kind));
                        for (double snr : snrs) {
                            k.append(
                                    String.format(
                                            Locale.ROOT,
                                            " | %.0f dB %5.1f%%",
                                            snr,
                                            100.0 * m.get(condition(kind, snr)) / speech.size()));
                        }
                        System.out.println(k);
                    }
                }
                for (String miss : missedClips.getOrDefault(d, List.of())) {
                    System.out.println("      missed " + miss);
                }
            }
        }
        System.out.println("  share of non-speech (10 s each) called speech:");
        Map<String, float[]> nonSpeech = new LinkedHashMap<>();
        for (int k = 0; k < nonSpeechSets; k++) {
            // drawn apart from the clips, so the set does not change with --clips
            String suffix = nonSpeechSets == 1 ? "" : " #" + (k + 1);
            nonSpeech(new Random(seed + 1000 + k))
                    .forEach((name, x) -> nonSpeech.put(name + suffix, x));
        }
        for (var d : detectors.entrySet()) {
            int called = 0;
            List<String> which = new ArrayList<>();
            for (var n : nonSpeech.entrySet()) {
                long t0 = System.nanoTime();
                boolean found =
                        hasSpeech(d.getValue(), wav(n.getValue()), d.getKey(), detectorSeconds);
                seconds.merge(d.getKey(), (System.nanoTime() - t0) / 1e9, Double::sum);
                if (found) {
                    called++;
                    which.add(n.getKey());
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "  %-14s %d of %d (%.1f%%)%s%n",
                    d.getKey(),
                    called,
                    nonSpeech.size(),
                    100.0 * called / nonSpeech.size(),
                    which.isEmpty() ? "" : ": " + String.join(", ", which));
        }
        double nonSpeechAudio = nonSpeech.size() * 10.0;
        System.out.println(
                "  s of audio per second, one thread: through the front end (decoding a WAV in"
                        + " memory, detector, windows), and in the detector alone");
        for (var s : seconds.entrySet()) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-14s %8.0f  %8.0f%n",
                    s.getKey(),
                    (audio + nonSpeechAudio) / s.getValue(),
                    (audio + nonSpeechAudio) / detectorSeconds.get(s.getKey()));
        }
        return 0;
    }

    /**
     * The INTONATION field of a {@code --cascade} spec: {@code true} or {@code false}, nothing
     * else.
     */
    private static boolean onOrOff(String field, String spec) {
        if (!field.equals("true") && !field.equals("false")) {
            throw new ConfigurationException(
                    "--cascade " + spec + ": INTONATION is " + field + ", not true or false");
        }
        return field.equals("true");
    }

    /** A mixture's name, as the tables and the missed lists print it: {@code "white 5 dB"}. */
    private static String condition(String kind, double snr) {
        return String.format(Locale.ROOT, "%s %.0f dB", kind, snr);
    }

    private static SpeechWindowing windowing(ScoringConfig config) {
        return SpeechFrontEnd.forTraining(8.0, PreprocessingConfig.NONE, config).windowing();
    }

    private static boolean hasSpeech(
            SpeechWindowing windowing, byte[] wav, String detector, Map<String, Double> seconds)
            throws IOException {
        int[] windows = {0};
        SpeechWindowing.Cut cut =
                windowing.cut(() -> new ByteArrayInputStream(wav), w -> windows[0]++);
        seconds.merge(detector, cut.vadNanos() / 1e9, Double::sum);
        return windows[0] > 0;
    }

    private static byte[] wav(float[] x) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(44 + 4 * x.length);
        WavWriter.write(out, new float[][] {x}, RATE, WavWriter.Encoding.FLOAT32, false);
        return out.toByteArray();
    }

    /**
     * The clip with background sound of {@code condition} ("pink 5 dB") at that SNR over the clip's
     * active speech level.
     */
    private static float[] mix(
            float[] clean, String condition, List<float[]> others, int self, Random random) {
        String kind = condition.substring(0, condition.indexOf(' '));
        double snr =
                Double.parseDouble(
                        condition.substring(kind.length() + 1, condition.indexOf(" dB")));
        float[] noise = background(kind, clean.length, others, self, random);
        double gain =
                Math.sqrt(
                        activePower(clean)
                                / Math.max(1e-20, power(noise))
                                / Math.pow(10, snr / 10));
        float[] x = new float[clean.length];
        double peak = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (clean[i] + gain * noise[i]);
            peak = Math.max(peak, Math.abs(x[i]));
        }
        if (peak > 1) { // keep it a valid recording: scale down, SNR unchanged
            for (int i = 0; i < x.length; i++) {
                x[i] /= (float) peak;
            }
        }
        return x;
    }

    static float[] background(String kind, int n, List<float[]> others, int self, Random random) {
        float[] x = new float[n];
        switch (kind) {
            case "white" -> {
                for (int i = 0; i < n; i++) {
                    x[i] = (float) random.nextGaussian();
                }
            }
            case "pink" -> pink(x, random);
            case "hum" -> {
                double f0 = random.nextBoolean() ? 50 : 60;
                for (int i = 0; i < n; i++) {
                    double t = i / (double) RATE;
                    x[i] =
                            (float)
                                    (Math.sin(2 * Math.PI * f0 * t)
                                            + 0.5 * Math.sin(2 * Math.PI * 2 * f0 * t)
                                            + 0.3 * Math.sin(2 * Math.PI * 3 * f0 * t));
                }
            }
            case "music" -> music(x, random);
            case "babble" -> {
                // four other clips of the sample, each from a random offset, looped
                for (int k = 0; k < 4 && others.size() > 1; k++) {
                    int j = (self + 1 + random.nextInt(others.size() - 1)) % others.size();
                    float[] o = others.get(j);
                    int off = random.nextInt(o.length);
                    double rms = Math.sqrt(power(o));
                    for (int i = 0; i < n; i++) {
                        x[i] += (float) (o[(off + i) % o.length] / Math.max(1e-9, rms));
                    }
                }
            }
            default -> throw new IllegalArgumentException(kind);
        }
        return x;
    }

    private static void pink(float[] x, Random random) {
        // Paul Kellet's filter of white noise: -3 dB per octave within a dB over the band
        double b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, b5 = 0, b6 = 0;
        for (int i = 0; i < x.length; i++) {
            double w = random.nextGaussian();
            b0 = 0.99886 * b0 + w * 0.0555179;
            b1 = 0.99332 * b1 + w * 0.0750759;
            b2 = 0.96900 * b2 + w * 0.1538520;
            b3 = 0.86650 * b3 + w * 0.3104856;
            b4 = 0.55000 * b4 + w * 0.5329522;
            b5 = -0.7616 * b5 - w * 0.0168980;
            x[i] = (float) (b0 + b1 + b2 + b3 + b4 + b5 + b6 + w * 0.5362);
            b6 = w * 0.115926;
        }
    }

    /**
     * Chords of harmonic tones that change every 0.25-1 s, with a soft attack: music-like, not
     * speech.
     */
    private static void music(float[] x, Random random) {
        int i = 0;
        while (i < x.length) {
            int len = (int) (RATE * (0.25 + 0.75 * random.nextDouble()));
            double root = 110 * Math.pow(2, random.nextInt(24) / 12.0);
            double[] chord = {root, root * Math.pow(2, 4 / 12.0), root * Math.pow(2, 7 / 12.0)};
            for (int k = 0; k < len && i < x.length; k++, i++) {
                double t = k / (double) RATE;
                double env = Math.min(1, t / 0.02) * Math.exp(-1.5 * t);
                double s = 0;
                for (double f : chord) {
                    for (int h = 1; h <= 4 && h * f < RATE / 2.0; h++) {
                        s += Math.sin(2 * Math.PI * h * f * t) / h;
                    }
                }
                x[i] = (float) (env * s);
            }
        }
    }

    /** Generated recordings with no speech in them, 10 s each, at everyday levels. */
    static Map<String, float[]> nonSpeech(Random random) {
        int n = 10 * RATE;
        Map<String, float[]> out = new LinkedHashMap<>();
        out.put("silence", new float[n]);
        for (double db : new double[] {-60, -40, -25}) {
            out.put(
                    String.format("white %.0f dBFS", db),
                    level(background("white", n, List.of(), 0, random), db));
            out.put(
                    String.format("pink %.0f dBFS", db),
                    level(background("pink", n, List.of(), 0, random), db));
            out.put(
                    String.format("hum %.0f dBFS", db),
                    level(background("hum", n, List.of(), 0, random), db));
            out.put(
                    String.format("music %.0f dBFS", db),
                    level(background("music", n, List.of(), 0, random), db));
        }
        float[] tone = new float[n];
        float[] sweep = new float[n];
        double phase = 0;
        for (int i = 0; i < n; i++) {
            tone[i] = (float) (0.3 * Math.sin(2 * Math.PI * 440 * i / (double) RATE));
            phase += 2 * Math.PI * (100 + 3900 * i / (double) n) / RATE;
            sweep[i] = (float) (0.3 * Math.sin(phase));
        }
        out.put("tone 440 Hz", tone);
        out.put("sweep 100-4000 Hz", sweep);
        float[] bursts = level(background("pink", n, List.of(), 0, random), -50);
        for (int b = 0; b < 10; b++) { // door knocks, steps: loud 50 ms bursts
            int at = random.nextInt(n - 800);
            for (int k = 0; k < 800; k++) {
                bursts[at + k] += (float) (0.3 * random.nextGaussian() * Math.exp(-k / 200.0));
            }
        }
        out.put("bursts in pink -50 dBFS", bursts);
        return out;
    }

    private static float[] level(float[] x, double dbfs) {
        double gain = Math.pow(10, dbfs / 20) / Math.sqrt(Math.max(1e-20, power(x)));
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.max(-1, Math.min(1, x[i] * gain));
        }
        return x;
    }

    /**
     * The speech's level for the SNR: the mean power of its 32 ms frames within 30 dB of the
     * loudest (a rough active speech level, so a clip's leading silence does not lower it).
     */
    static double activePower(float[] x) {
        int frame = 512;
        List<Double> powers = new ArrayList<>();
        for (int i = 0; i + frame <= x.length; i += frame) {
            double p = 0;
            for (int k = i; k < i + frame; k++) {
                p += (double) x[k] * x[k];
            }
            powers.add(p / frame);
        }
        double max = powers.stream().mapToDouble(Double::doubleValue).max().orElse(0);
        return powers.stream()
                .filter(p -> p >= max / 1000)
                .mapToDouble(Double::doubleValue)
                .average()
                .orElse(power(x));
    }

    private static double power(float[] x) {
        double s = 0;
        for (float v : x) {
            s += (double) v * v;
        }
        return s / Math.max(1, x.length);
    }
}
