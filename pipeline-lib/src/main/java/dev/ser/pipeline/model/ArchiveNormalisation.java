package dev.ser.pipeline.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ser.pipeline.normalise.FeatureMoments;
import dev.ser.pipeline.normalise.FeatureStandardisation;

/**
 * A model whose head reads pooled features standardised with the statistics of the archive being
 * scored (model.json's {@code archive_normalisation}): the graph's {@code features_output} gives
 * each window's features; a run gathers their {@link FeatureMoments}, {@link #standardisation
 * chooses} the archive's own statistics (or the training corpora's average ones when the archive
 * has fewer than {@code minWindows} windows), and this linear head turns standardised features into
 * logits.
 *
 * <p>Why: in the leave-one-corpus-out protocol a corpus's recording conditions, language and
 * speakers shift every pooled feature, and a head on globally standardised features reads that
 * shift as emotion (most of a corpus called one class). Standardising each corpus with its own
 * statistics removed it: mean LOCO UA rose by about 10 points (README, "Archive normalisation").
 * The price: a recording's scores depend on the archive it is scored with.
 *
 * <p>A run may also standardise each speaker's windows with that speaker's own statistics ({@link
 * #speakerStandardisation}) when it knows who speaks: that removes each voice's own offsets as the
 * archive's removes a corpus's (the shipped head is trained on windows standardised both ways).
 *
 * <p>The head is four dot products per window, written here rather than run as a second ONNX graph:
 * it needs no session, and the statistics it is used with change per run.
 *
 * @param weights [labels][dimensions], the head with its own standardisation folded in
 */
public record ArchiveNormalisation(
        String featuresOutput,
        int minWindows,
        float[] trainingMean,
        float[] trainingStd,
        float[][] weights,
        float[] bias)
        implements java.io.Serializable {

    /** Spread floor, as in training: a dimension constant in an archive is not blown up. */
    public static final double STD_FLOOR = 1e-4;

    public int dimensions() {
        return trainingMean.length;
    }

    /** The archive's own statistics when it has {@code minWindows} windows, else training's. */
    public FeatureStandardisation standardisation(FeatureMoments archive) {
        return enough(archive)
                ? own(archive, FeatureStandardisation.Basis.ARCHIVE)
                : new FeatureStandardisation(
                        trainingMean,
                        trainingStd,
                        FeatureStandardisation.Basis.TRAINING,
                        archive.count());
    }

    /**
     * A speaker's own statistics when the speaker has {@code minWindows} windows, else {@code
     * archive} (the run's choice for all its windows): a speaker with a handful of windows has no
     * spread worth dividing by.
     */
    public FeatureStandardisation speakerStandardisation(
            FeatureMoments speaker, FeatureStandardisation archive) {
        return enough(speaker) ? own(speaker, FeatureStandardisation.Basis.SPEAKER) : archive;
    }

    private boolean enough(FeatureMoments group) {
        return group.count() >= minWindows && group.count() > 1;
    }

    private static FeatureStandardisation own(
            FeatureMoments group, FeatureStandardisation.Basis basis) {
        return new FeatureStandardisation(
                group.mean(), group.standardDeviation(STD_FLOOR), basis, group.count());
    }

    /** Logits of one window's (unstandardised) features. */
    public float[] logits(float[] features, FeatureStandardisation standardisation) {
        float[] z = standardisation.apply(features);
        float[] out = new float[weights.length];
        for (int k = 0; k < out.length; k++) {
            double s = bias[k];
            float[] w = weights[k];
            for (int i = 0; i < z.length; i++) {
                s += w[i] * z[i];
            }
            out[k] = (float) s;
        }
        return out;
    }

    /** Class probabilities (softmax of {@link #logits}) of one window's features. */
    public float[] probabilities(float[] features, FeatureStandardisation standardisation) {
        return EmotionModel.softmax(logits(features, standardisation));
    }

    /** Parses model.json's {@code archive_normalisation}; errors name {@code source}. */
    public static ArchiveNormalisation parse(JsonNode node, int labels, String source) {
        String where = source + ": archive_normalisation";
        if (!node.isObject()) {
            throw new InvalidModelException(where + " must be an object");
        }
        JsonNode output = node.get("features_output");
        if (output == null || !output.isTextual() || output.asText().isBlank()) {
            throw new InvalidModelException(
                    where + ".features_output must name the graph's features output");
        }
        JsonNode min = node.get("min_windows");
        if (min == null || !min.isIntegralNumber() || min.asInt() < 2) {
            throw new InvalidModelException(where + ".min_windows must be an integer >= 2");
        }
        float[] mean = vector(node, "training_mean", -1, where);
        float[] std = vector(node, "training_std", mean.length, where);
        for (float s : std) {
            if (!(s > 0)) {
                throw new InvalidModelException(where + ".training_std must be positive");
            }
        }
        JsonNode w = node.get("weights");
        if (w == null || !w.isArray() || w.size() != labels) {
            throw new InvalidModelException(
                    where + ".weights must hold one row per label (" + labels + ")");
        }
        float[][] weights = new float[labels][];
        for (int k = 0; k < labels; k++) {
            weights[k] = numbers(w.get(k), mean.length, where + ".weights[" + k + "]");
        }
        float[] bias = vector(node, "bias", labels, where);
        return new ArchiveNormalisation(output.asText(), min.asInt(), mean, std, weights, bias);
    }

    private static float[] vector(JsonNode node, String field, int length, String where) {
        return numbers(node.get(field), length, where + "." + field);
    }

    private static float[] numbers(JsonNode array, int length, String what) {
        if (array == null || !array.isArray() || array.isEmpty()) {
            throw new InvalidModelException(what + " must be a non-empty array of numbers");
        }
        if (length >= 0 && array.size() != length) {
            throw new InvalidModelException(
                    what + " has " + array.size() + " numbers where " + length + " are expected");
        }
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = array.get(i);
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new InvalidModelException(what + "[" + i + "] is not a finite number");
            }
            out[i] = (float) v.asDouble();
        }
        return out;
    }
}
