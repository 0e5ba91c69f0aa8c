package dev.ser.pipeline.corpus;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Speaker-independent folds: every speaker's clips fall in one fold, so a fold's test speakers are
 * never heard in training. IEMOCAP folds by session (leave-one-session-out, one fold per session
 * present); other corpora deal speakers out by gender, female speakers first and male speakers
 * continuing where they stopped, each in id order, so that folds are deterministic, differ in size
 * by at most one speaker, and balance genders as far as the corpus allows (RAVDESS actors 01-20 in
 * 5 folds: 2 female and 2 male each).
 */
public final class LeaveSpeakersOutFolds {
    private LeaveSpeakersOutFolds() {}

    /** Fold (0-based) of each speaker of {@code clips}. */
    public static Map<String, Integer> assign(List<LabelledClip> clips, int folds) {
        if (folds < 2) {
            throw new IllegalArgumentException("need at least 2 folds, got " + folds);
        }
        Map<String, Integer> fold = new TreeMap<>();
        if (!clips.isEmpty() && clips.get(0).corpus().equals("iemocap")) {
            TreeSet<Integer> sessions = new TreeSet<>();
            clips.forEach(c -> sessions.add(Integer.parseInt(c.facts().get("session"))));
            List<Integer> order = new ArrayList<>(sessions);
            clips.forEach(
                    c ->
                            fold.put(
                                    c.speaker(),
                                    order.indexOf(Integer.parseInt(c.facts().get("session")))));
            return fold;
        }
        TreeSet<String> female = new TreeSet<>();
        TreeSet<String> male = new TreeSet<>();
        for (LabelledClip c : clips) {
            (c.gender().equals("female") ? female : male).add(c.speaker());
        }
        if (female.size() + male.size() < folds) {
            throw new IllegalArgumentException(
                    folds
                            + " folds need at least "
                            + folds
                            + " speakers; the corpus has "
                            + (female.size() + male.size()));
        }
        int i = 0;
        for (String s : female) {
            fold.put(s, i++ % folds);
        }
        for (String s : male) {
            fold.put(s, i++ % folds);
        }
        return fold;
    }
}
