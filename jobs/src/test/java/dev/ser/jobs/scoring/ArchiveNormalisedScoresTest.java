package dev.ser.jobs.scoring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.ser.jobs.JobTestSupport;
import dev.ser.pipeline.RecordingResult;
import dev.ser.pipeline.RecordingStatus;
import dev.ser.pipeline.StageTimes;
import dev.ser.pipeline.aggregate.Aggregator;
import dev.ser.pipeline.aggregate.WindowScore;
import dev.ser.pipeline.model.ModelPackage;
import dev.ser.pipeline.normalise.FeatureStandardisation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive pass on real Spark: window features in, each window rescored with the head on
 * features standardised by the run's own statistics (computed here by hand), recordings
 * re-aggregated, features gone from the rows, rows without windows untouched; an archive of fewer
 * windows than the model's min_windows uses the training statistics.
 */
class ArchiveNormalisedScoresTest {
    private static final float[][] WEIGHTS = {
        {1, 0, -1, 0}, {0, 1, 0, -1}, {-1, 1, 0, 0}, {0, 0, 1, 1}
    };
    private static final Row NO_LISTING_COLUMNS =
            new GenericRowWithSchema(new Object[0], new StructType());
    private static SparkSession spark;
    @TempDir static Path tmp;

    @BeforeAll
    static void start() {
        spark = JobTestSupport.localSpark(2);
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    /** The tiny model with a 4-feature archive head (the graph is not run here). */
    private static ModelPackage model(int minWindows) throws Exception {
        Path src = JobTestSupport.projectRoot().resolve("model/tiny-untrained");
        String json = Files.readString(src.resolve("model.json"));
        String head =
                "\"archive_normalisation\": {\"features_output\": \"features\", \"min_windows\": "
                        + minWindows
                        + ", \"training_mean\": [0, 0, 0, 0], \"training_std\": [1, 1, 1, 1],"
                        + " \"weights\": [[1, 0, -1, 0], [0, 1, 0, -1], [-1, 1, 0, 0], [0, 0, 1, 1]],"
                        + " \"bias\": [0, 0.5, 0, -0.5]}, ";
        return ModelPackage.of(
                "test",
                json.replaceFirst("\\{", "{" + head).getBytes(),
                Files.readAllBytes(src.resolve("model.onnx")));
    }

    private static final float[][] FEATURES = {
        {1, 2, 3, 4}, {2, 0, 1, 5}, {10, 1, 1, 1}, {3, 3, 3, 3}, {0, 8, 2, 6}
    };

    private static Dataset<Row> firstPass(ModelPackage model) {
        StructType schema =
                OutputSchema.scored(model.manifest().labels(), new StructField[0], true);
        List<Row> rows = new ArrayList<>();
        float[] provisional = {0.25f, 0.25f, 0.25f, 0.25f};
        int[][] recordings = {{0, 1}, {2, 3, 4}};
        for (int r = 0; r < recordings.length; r++) {
            List<WindowScore> windows = new ArrayList<>();
            for (int i : recordings[r]) {
                windows.add(new WindowScore(windows.size(), 0, 8, 8, provisional, FEATURES[i]));
            }
            RecordingResult result =
                    new RecordingResult(
                            RecordingStatus.OK,
                            null,
                            16,
                            16,
                            16000,
                            1,
                            windows,
                            new Aggregator(model.manifest().labels(), false).aggregate(windows),
                            StageTimes.NONE);
            rows.add(
                    OutputSchema.scoredRow(
                            schema,
                            new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                                    new Object[0], new StructType()),
                            "rec" + r,
                            1,
                            null,
                            result,
                            model,
                            "run"));
        }
        rows.add(
                OutputSchema.scoredRow(
                        schema,
                        new org.apache.spark.sql.catalyst.expressions.GenericRowWithSchema(
                                new Object[0], new StructType()),
                        "broken",
                        1,
                        null,
                        RecordingResult.error("bad file"),
                        model,
                        "run"));
        return spark.createDataFrame(rows, schema);
    }

    private static float[] expected(float[] f, double[] mean, double[] std) {
        double[] logits = {0, 0.5, 0, -0.5};
        for (int k = 0; k < 4; k++) {
            for (int i = 0; i < 4; i++) {
                logits[k] += WEIGHTS[k][i] * (f[i] - mean[i]) / std[i];
            }
        }
        double max = Math.max(Math.max(logits[0], logits[1]), Math.max(logits[2], logits[3]));
        double sum = 0;
        for (double l : logits) {
            sum += Math.exp(l - max);
        }
        float[] p = new float[4];
        for (int k = 0; k < 4; k++) {
            p[k] = (float) (Math.exp(logits[k] - max) / sum);
        }
        return p;
    }

    private static Map<String, Row> byPath(Dataset<Row> rows) {
        Map<String, Row> m = new TreeMap<>();
        rows.collectAsList().forEach(r -> m.put(r.getAs("path"), r));
        return m;
    }

    private static float[] probabilities(Row p) {
        return new float[] {p.getFloat(0), p.getFloat(1), p.getFloat(2), p.getFloat(3)};
    }

    @Test
    void everyWindowIsRescoredWithTheArchivesOwnStatistics() throws Exception {
        ModelPackage model = model(5);
        ArchiveNormalisedScores.Result r =
                ArchiveNormalisedScores.apply(firstPass(model), model.manifest(), false);
        assertEquals(FeatureStandardisation.Basis.ARCHIVE, r.standardisation().basis());
        assertEquals(5, r.standardisation().windows());
        double[] mean = new double[4];
        double[] std = new double[4];
        for (float[] f : FEATURES) {
            for (int i = 0; i < 4; i++) {
                mean[i] += f[i] / 5.0;
            }
        }
        for (float[] f : FEATURES) {
            for (int i = 0; i < 4; i++) {
                std[i] += (f[i] - mean[i]) * (f[i] - mean[i]) / 5.0;
            }
        }
        for (int i = 0; i < 4; i++) {
            std[i] = Math.sqrt(std[i]);
        }
        assertFalse(
                java.util.Arrays.asList(
                                ((StructType)
                                                ((ArrayType)
                                                                r.rows()
                                                                        .schema()
                                                                        .apply("windows")
                                                                        .dataType())
                                                        .elementType())
                                        .fieldNames())
                        .contains("features"),
                "features are not written");
        Map<String, Row> rows = byPath(r.rows());
        List<Row> w = rows.get("rec1").getList(rows.get("rec1").fieldIndex("windows"));
        float[] mean1 = new float[4];
        for (int j = 0; j < 3; j++) {
            float[] want = expected(FEATURES[2 + j], mean, std);
            assertArrayEquals(want, probabilities(w.get(j).getAs("probabilities")), 1e-5f);
            for (int k = 0; k < 4; k++) {
                mean1[k] += want[k] / 3;
            }
        }
        Row rec1 = rows.get("rec1");
        assertArrayEquals(mean1, probabilities(rec1.getAs("probabilities")), 1e-5f);
        int best = 0;
        for (int k = 1; k < 4; k++) {
            best = mean1[k] > mean1[best] ? k : best;
        }
        assertEquals(model.manifest().labels().get(best), rec1.getAs("emotion"));
        Row broken = rows.get("broken");
        assertEquals("error", broken.getAs("status"));
        assertEquals("bad file", broken.getAs("error"));
        assertNull(broken.getAs("probabilities"));
    }

    @Test
    void anArchiveBelowMinWindowsUsesTheTrainingStatistics() throws Exception {
        ModelPackage model = model(6);
        ArchiveNormalisedScores.Result r =
                ArchiveNormalisedScores.apply(firstPass(model), model.manifest(), false);
        assertEquals(FeatureStandardisation.Basis.TRAINING, r.standardisation().basis());
        Row rec0 = byPath(r.rows()).get("rec0");
        List<Row> w = rec0.getList(rec0.fieldIndex("windows"));
        assertArrayEquals(
                expected(FEATURES[1], new double[4], new double[] {1, 1, 1, 1}),
                probabilities(w.get(1).getAs("probabilities")),
                1e-5f);
    }
}
