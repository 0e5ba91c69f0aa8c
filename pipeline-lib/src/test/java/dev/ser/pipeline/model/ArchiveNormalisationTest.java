package dev.ser.pipeline.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.pipeline.normalise.FeatureMoments;
import dev.ser.pipeline.normalise.FeatureStandardisation;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ArchiveNormalisationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Two labels, three features. */
    private static final String HEAD =
            "{\"features_output\": \"features\", \"min_windows\": 4,"
                    + " \"training_mean\": [1, 2, 3], \"training_std\": [1, 2, 4],"
                    + " \"weights\": [[1, 0, -1], [0.5, 0.5, 0]], \"bias\": [0.1, -0.1]}";

    private static ArchiveNormalisation head(String json) throws Exception {
        return ArchiveNormalisation.parse(JSON.readTree(json), 2, "m/model.json");
    }

    @Test
    void momentsAreTheArchivesMeanAndSpreadWhicheverWayTheyAreMerged() {
        Random r = new Random(3);
        float[][] x = new float[50][3];
        for (float[] row : x) {
            row[0] = (float) r.nextGaussian();
            row[1] = 10 + 3 * (float) r.nextGaussian();
            row[2] = 7; // constant: spread floored, not zero
        }
        FeatureMoments all = new FeatureMoments(3);
        FeatureMoments a = new FeatureMoments(3);
        FeatureMoments b = new FeatureMoments(3);
        for (int i = 0; i < x.length; i++) {
            all.add(x[i]);
            (i < 17 ? a : b).add(x[i]);
        }
        a.merge(b);
        assertEquals(50, a.count());
        assertArrayEquals(all.mean(), a.mean(), 1e-5f);
        double mean1 = 0;
        for (float[] row : x) {
            mean1 += row[1] / 50.0;
        }
        double var1 = 0;
        for (float[] row : x) {
            var1 += (row[1] - mean1) * (row[1] - mean1) / 50.0;
        }
        assertEquals(mean1, a.mean()[1], 1e-4);
        assertEquals(Math.sqrt(var1), a.standardDeviation(1e-4)[1], 1e-4);
        assertEquals(1e-4, a.standardDeviation(1e-4)[2], 1e-9);
        assertThrows(IllegalArgumentException.class, () -> a.add(new float[2]));
    }

    @Test
    void aSpeakerOfEnoughWindowsIsStandardisedWithTheirOwnStatisticsAQuietOneWithTheArchives()
            throws Exception {
        ArchiveNormalisation h = head(HEAD);
        FeatureMoments archive = new FeatureMoments(3);
        FeatureMoments talkative = new FeatureMoments(3);
        FeatureMoments quiet = new FeatureMoments(3);
        for (int i = 0; i < 4; i++) {
            float[] f = {10 + i, 20, 30 - i};
            talkative.add(f);
            archive.add(f);
        }
        for (int i = 0; i < 3; i++) {
            float[] f = {i, i, i};
            quiet.add(f);
            archive.add(f);
        }
        FeatureStandardisation archives = h.standardisation(archive);
        assertEquals(FeatureStandardisation.Basis.ARCHIVE, archives.basis());

        FeatureStandardisation own = h.speakerStandardisation(talkative, archives);
        assertEquals(FeatureStandardisation.Basis.SPEAKER, own.basis());
        assertEquals(4, own.windows());
        assertArrayEquals(new float[] {11.5f, 20, 28.5f}, own.mean(), 1e-5f);
        assertArrayEquals(
                new float[] {(float) Math.sqrt(1.25), 1e-4f, (float) Math.sqrt(1.25)},
                own.std(),
                1e-5f);

        assertEquals(archives, h.speakerStandardisation(quiet, archives), "below min_windows");
    }

    @Test
    void anArchiveOfEnoughWindowsIsStandardisedWithItsOwnStatisticsASmallOneWithTrainings()
            throws Exception {
        ArchiveNormalisation h = head(HEAD);
        FeatureMoments small = new FeatureMoments(3);
        for (int i = 0; i < 3; i++) {
            small.add(new float[] {i, i, i});
        }
        FeatureStandardisation s = h.standardisation(small);
        assertEquals(FeatureStandardisation.Basis.TRAINING, s.basis());
        assertEquals(3, s.windows());
        assertArrayEquals(new float[] {1, 2, 3}, s.mean());

        FeatureMoments enough = small.add(new float[] {3, 3, 3});
        FeatureStandardisation own = h.standardisation(enough);
        assertEquals(FeatureStandardisation.Basis.ARCHIVE, own.basis());
        assertArrayEquals(new float[] {1.5f, 1.5f, 1.5f}, own.mean(), 1e-6f);

        // logits: weights . ((x - mean) / std) + bias, by hand
        float[] x = {2, 4, 11};
        float[] z = {(2 - 1) / 1f, (4 - 2) / 2f, (11 - 3) / 4f}; // 1, 1, 2
        float[] logits = h.logits(x, s);
        assertEquals(1 * z[0] - z[2] + 0.1, logits[0], 1e-6);
        assertEquals(0.5 * z[0] + 0.5 * z[1] - 0.1, logits[1], 1e-6);
        float[] p = h.probabilities(x, s);
        assertEquals(1.0, p[0] + p[1], 1e-6);
        assertTrue(p[1] > p[0], "logit 0.9 beats -0.9");
    }

    @Test
    void aBadHeadIsOneLineNamingTheField() {
        String[][] cases = {
            {HEAD.replace("\"min_windows\": 4", "\"min_windows\": 1"), "min_windows"},
            {HEAD.replace("[1, 2, 4]", "[1, 2]"), "training_std has 2 numbers where 3"},
            {HEAD.replace("[1, 2, 4]", "[1, 0, 4]"), "training_std must be positive"},
            {HEAD.replace("[[1, 0, -1], ", "["), "weights must hold one row per label (2)"},
            {HEAD.replace("\"bias\": [0.1, -0.1]", "\"bias\": [0.1]"), "bias has 1 numbers"},
            {HEAD.replace("\"features\"", "\"\""), "features_output"},
        };
        for (String[] c : cases) {
            var e = assertThrows(InvalidModelException.class, () -> head(c[0]));
            assertTrue(
                    e.getMessage().startsWith("m/model.json: archive_normalisation"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
            assertTrue(!e.getMessage().contains("\n"), e.getMessage());
        }
    }
}
