package dev.ser.pipeline;

import dev.ser.pipeline.preprocess.PreprocessingConfig;
import dev.ser.pipeline.vad.CascadeSegmenter;
import dev.ser.pipeline.vad.VadConfig;
import dev.ser.pipeline.window.WindowConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The effective settings of everything before the model in one run: the speech detector and its
 * region rules, the windows, the padding and the preprocessing. {@code prepare} writes them into
 * {@code prepare.json}, the trainer copies them into the model's {@code model.json} ({@code
 * "front_end"}), and {@code score} and {@code evaluate} record theirs in their outputs and warn
 * when they differ from those the model was trained with ({@link #differencesFrom}).
 *
 * @param detector {@code energy+silero}, {@code energy} or {@code silero} (see {@link
 *     ScoringConfig#detector})
 * @param sileroModel the Silero VAD file, or null for none or the bundled one; not compared (its
 *     path differs by machine)
 * @param cascade when {@code energy+silero} trusts the energy detector, or null for the others
 */
public record FrontEndSettings(
        String detector,
        String sileroModel,
        CascadeSegmenter.Settings cascade,
        VadConfig vad,
        WindowConfig windows,
        boolean zeroPadToWindow,
        PreprocessingConfig preprocessing)
        implements Serializable {

    /**
     * As JSON-ready values with snake_case keys, the form {@code prepare.json} and {@code
     * model.json} hold.
     */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detector", detector);
        if (sileroModel != null) {
            m.put("silero_model", sileroModel);
        }
        if (cascade != null) {
            m.put("cascade_sure_margin_db", cascade.sureMarginDb());
            m.put("cascade_sure_crest_db", cascade.sureCrestDb());
            m.put("cascade_sure_frames", cascade.sureFrames());
            m.put("cascade_sure_run", cascade.sureRun());
            m.put("cascade_hold_seconds", cascade.holdSeconds());
            m.put("cascade_check_threshold", cascade.checkThreshold());
            m.put("cascade_check_frames", cascade.checkFrames());
            m.put("cascade_fallback_seconds", cascade.fallbackSeconds());
            m.put("cascade_intonation_check", cascade.intonationCheck());
        }
        m.put("vad_threshold", vad.threshold());
        m.put("vad_off_threshold", vad.offThreshold());
        m.put("vad_min_speech_ms", vad.minSpeechMs());
        m.put("vad_min_silence_ms", vad.minSilenceMs());
        m.put("vad_pad_ms", vad.padMs());
        m.put("window_seconds", windows.windowSeconds());
        m.put("hop_seconds", windows.hopSeconds());
        m.put("min_last_window_seconds", windows.minLastWindowSeconds());
        m.put("padding", zeroPadToWindow ? "zero_pad_to_window" : "none");
        m.put("trim_top_db", preprocessing.trimTopDb());
        m.put("trim_frame_length", preprocessing.trimFrameLength());
        m.put("trim_hop_length", preprocessing.trimHopLength());
        m.put("pre_emphasis", preprocessing.preEmphasis());
        m.put("peak_normalize", preprocessing.peakNormalize());
        return m;
    }

    /**
     * energy+silero keeps the energy detector's regions wherever that detector is sure, so on clean
     * speech it cuts an energy-trained model's windows: on all 6,775 clips of RAVDESS (actors
     * 01-20), EmoDB, nEMO and ASED it found the same regions for 6,761 (RAVDESS 99.3 %, the others
     * 99.7-100 %), the rest differing by short doubtful sounds it dropped. Where it differs more,
     * under noise, the energy detector alone found no speech to window.
     */
    private static boolean sameCut(Object run, Object trained) {
        return "energy+silero".equals(run) && "energy".equals(trained);
    }

    /**
     * Each setting whose value here differs from {@code trained} (a model's recorded {@code
     * front_end}), as {@code "hop_seconds: this run 4.0, training 8.0"}; empty when they agree or
     * nothing was recorded. Numbers compare by value ({@code 8} equals {@code 8.0}). The cascade's
     * settings are recorded, not compared: they decide which detector judges a doubtful region, and
     * on clean speech, what models are trained on, its cut is the energy detector's whatever they
     * are (as {@link #sameCut} says), so a model prepared under other cascade settings gets the
     * same windows.
     */
    public List<String> differencesFrom(Map<String, Object> trained) {
        List<String> out = new ArrayList<>();
        if (trained == null || trained.isEmpty()) {
            return out;
        }
        toMap().forEach(
                        (key, value) -> {
                            if (key.equals("silero_model")
                                    || key.startsWith("cascade_")
                                    || !trained.containsKey(key)) {
                                return;
                            }
                            Object t = trained.get(key);
                            boolean same =
                                    value instanceof Number a && t instanceof Number b
                                            ? Double.compare(a.doubleValue(), b.doubleValue()) == 0
                                            : Objects.equals(value, t)
                                                    || key.equals("detector") && sameCut(value, t);
                            if (!same) {
                                out.add(key + ": this run " + value + ", training " + t);
                            }
                        });
        return out;
    }
}
