package dev.ser.jobs.evaluate;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.jobs.JobTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ser.jobs.JobTestSupport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The evaluate job on the real RAVDESS and EmoDB corpora (one run, 5 folds, per-fold plots). */
class EvaluateJobTest {
    @TempDir static Path tmp;
    static Path out;
    static JsonNode metrics;

    @BeforeAll
    static void evaluate() throws IOException {
        out = tmp.resolve("eval");
        var run =
                ser(
                        "evaluate",
                        "--corpus",
                        "ravdess",
                        "--root",
                        shared("corpora/ravdess").toString(),
                        "--corpus",
                        "emodb",
                        "--root",
                        shared("corpora/emodb/wav").toString(),
                        "--output",
                        out.toString(),
                        "--folds",
                        "5",
                        "--fold-plots");
        assertEquals(0, run.code(), run.err());
        metrics = new ObjectMapper().readTree(out.resolve("metrics.json").toFile());
    }

    static SparkSession spark() {
        return SparkSession.builder()
                .master("local[1]")
                .config("spark.ui.enabled", "false")
                .getOrCreate();
    }

    @Test
    void everyClipIsCountedUsedExcludedOrNotScored() {
        JsonNode r = metrics.path("corpora").path("ravdess").path("clips");
        assertEquals(1200, r.path("total").asInt());
        assertEquals(560, r.path("used").asInt());
        assertEquals(
                "{\"calm\":160,\"disgust\":160,\"fearful\":160,\"surprised\":160}",
                r.path("excluded_by_label").toString());
        int notScored = 0;
        for (JsonNode n : r.path("not_scored_by_status")) {
            notScored += n.asInt();
        }
        assertEquals(560, r.path("scored").asInt() + notScored);
        JsonNode e = metrics.path("corpora").path("emodb").path("clips");
        assertEquals(339, e.path("used").asInt());
        spark().read().parquet(out.resolve("predictions").toString()).createOrReplaceTempView("p");
        assertEquals(560 + 339, spark().sql("SELECT * FROM p").count());
        assertEquals(
                0,
                spark().sql("SELECT * FROM p WHERE status = 'ok' AND predicted IS NULL").count());
    }

    @Test
    void eachCorpusIsStandardisedWithItsOwnStatistics() {
        JsonNode used = metrics.path("models").get(0).path("feature_normalisation");
        spark().read().parquet(out.resolve("predictions").toString()).createOrReplaceTempView("p");
        for (String corpus : List.of("ravdess", "emodb")) {
            JsonNode n = used.path(corpus);
            assertEquals("archive", n.path("basis").asText(), corpus + ": " + used);
            long windows =
                    spark().sql(
                                    "SELECT sum(window_count) FROM p WHERE status = 'ok' AND corpus = '"
                                            + corpus
                                            + "'")
                            .first()
                            .getLong(0);
            assertEquals(windows, n.path("windows").asLong(), corpus + ": its own windows only");
        }
    }

    @Test
    void metricsMatchAnIndependentComputationFromThePredictions() {
        spark().read().parquet(out.resolve("predictions").toString()).createOrReplaceTempView("p");
        for (String corpus : List.of("ravdess", "emodb")) {
            JsonNode c = metrics.path("corpora").path(corpus);
            List<Double> foldUa = new ArrayList<>();
            for (JsonNode f : c.path("per_fold")) {
                int fold = f.path("fold").asInt();
                String where = "status = 'ok' AND corpus = '" + corpus + "' AND fold = " + fold;
                double wa =
                        spark().sql(
                                        "SELECT avg(CASE WHEN label = predicted THEN 1.0D ELSE 0.0D END) FROM p WHERE "
                                                + where)
                                .first()
                                .getDouble(0);
                assertEquals(wa, f.path("wa").asDouble(), 1e-9, corpus + " fold " + fold + " WA");
                // UA: mean over true classes of the share predicted right
                double ua =
                        spark().sql(
                                        "SELECT avg(r) FROM (SELECT label, avg(CASE WHEN label = predicted THEN 1.0D ELSE 0.0D END) r "
                                                + "FROM p WHERE "
                                                + where
                                                + " GROUP BY label)")
                                .first()
                                .getDouble(0);
                assertEquals(ua, f.path("ua").asDouble(), 1e-9, corpus + " fold " + fold + " UA");
                foldUa.add(ua);
            }
            assertEquals(5, foldUa.size());
            double mean = foldUa.stream().mapToDouble(d -> d).average().orElseThrow();
            double sd =
                    Math.sqrt(foldUa.stream().mapToDouble(d -> (d - mean) * (d - mean)).sum() / 4);
            assertEquals(mean, c.path("over_folds").path("ua").path("mean").asDouble(), 1e-9);
            assertEquals(sd, c.path("over_folds").path("ua").path("std").asDouble(), 1e-9);
            // the pooled confusion matrix counts every scored clip once, rows = truth
            long cells = 0;
            for (JsonNode row : c.path("pooled").path("confusion")) {
                for (JsonNode cell : row) {
                    cells += cell.asLong();
                }
            }
            assertEquals(c.path("clips").path("scored").asLong(), cells);
            long anger =
                    spark().sql(
                                    "SELECT count(*) FROM p WHERE status = 'ok' AND corpus = '"
                                            + corpus
                                            + "' AND label = 'anger'")
                            .first()
                            .getLong(0);
            long angerRow = 0;
            for (JsonNode cell : c.path("pooled").path("confusion").path(0)) {
                angerRow += cell.asLong();
            }
            assertEquals(anger, angerRow);
        }
    }

    @Test
    void foldsAreSpeakerIndependentAndGenderBalanced() {
        JsonNode speakers = metrics.path("corpora").path("ravdess").path("fold_speakers");
        Set<String> seen = new HashSet<>();
        for (int f = 1; f <= 5; f++) {
            List<String> s = new ArrayList<>();
            speakers.path(String.valueOf(f)).forEach(n -> s.add(n.asText()));
            assertEquals(4, s.size());
            assertEquals(
                    2,
                    s.stream().filter(a -> Integer.parseInt(a.substring(6)) % 2 == 0).count(),
                    "2 female in " + s);
            s.forEach(a -> assertTrue(seen.add(a), a + " in two folds"));
        }
        spark().read().parquet(out.resolve("predictions").toString()).createOrReplaceTempView("p");
        assertEquals(
                0,
                spark().sql(
                                "SELECT speaker FROM p GROUP BY speaker HAVING count(DISTINCT fold) > 1")
                        .count());
    }

    @Test
    void confusionImagesAreReadablePngs() throws IOException {
        for (String name :
                List.of(
                        "confusion-ravdess.png",
                        "confusion-emodb.png",
                        "confusion-ravdess-fold3.png")) {
            var image = ImageIO.read(out.resolve(name).toFile());
            assertEquals(640, image.getWidth(), name);
            assertEquals(560, image.getHeight(), name);
        }
    }

    @Test
    void reportOpensInAHeadlessBrowserWithItsImages() throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        assumeTrue(
                Files.isExecutable(chromium),
                "skipped: Debian's chromium is not installed (.ci/run installs it)");
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(
                html.contains("<h2>ravdess</h2>")
                        && html.contains("<h2>emodb</h2>")
                        && html.contains("ser-default"));
        assertFalse(html.contains("UNTRAINED"), "the bundled default model is trained: no warning");
        List<String> flags =
                List.of(
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + Files.createTempDirectory(tmp, "chromium"),
                        "--virtual-time-budget=5000");
        String url = out.resolve("report.html").toUri().toString();
        List<String> dom = new ArrayList<>(List.of(chromium.toString()));
        dom.addAll(flags);
        dom.addAll(List.of("--dump-dom", url));
        String dumped = run(dom);
        assertTrue(
                dumped.contains("data-images-loaded=\"2/2\""),
                "both images load in the browser: "
                        + dumped.substring(0, Math.min(300, dumped.length())));
        Path shot = JobTestSupport.projectRoot().resolve("jobs/target/report-screenshot.png");
        List<String> screenshot = new ArrayList<>(List.of(chromium.toString()));
        screenshot.addAll(flags);
        screenshot.addAll(List.of("--window-size=1200,2400", "--screenshot=" + shot, url));
        run(screenshot);
        var image = ImageIO.read(shot.toFile());
        assertEquals(1200, image.getWidth());
    }

    private static String run(List<String> command) throws Exception {
        Process p =
                new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String stdout = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "chromium did not finish");
        return stdout;
    }

    @Test
    void wrongArgumentsAreOneLine() throws IOException {
        var unknown =
                ser(
                        "evaluate",
                        "--corpus",
                        "timit",
                        "--root",
                        tmp.toString(),
                        "--output",
                        tmp.resolve("x").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("unknown corpus 'timit'"), unknown.err());
        var missing =
                ser(
                        "evaluate",
                        "--corpus",
                        "emodb",
                        "--root",
                        tmp.resolve("none").toString(),
                        "--output",
                        tmp.resolve("x").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("does not exist"), missing.err());
        var noFoldModel =
                ser(
                        "evaluate",
                        "--corpus",
                        "emodb",
                        "--root",
                        shared("corpora/emodb/wav").toString(),
                        "--model",
                        tmp.resolve("models/fold{fold}").toString(),
                        "--output",
                        tmp.resolve("x").toString());
        assertEquals(2, noFoldModel.code());
        assertTrue(noFoldModel.err().contains("models/fold1 does not exist"), noFoldModel.err());
    }

    /** Speech-like audio for generated trees (the synthesizer of the demo archive). */
    static byte[] speechLike(String name) {
        float[] x =
                new dev.ser.jobs.demo.VoiceNoteSynthesizer(16_000, name.hashCode())
                        .voiceNote(3, 150, -55, true);
        var bytes = new java.io.ByteArrayOutputStream();
        try {
            dev.ser.pipeline.audio.WavWriter.write(
                    bytes,
                    new float[][] {x},
                    16_000,
                    dev.ser.pipeline.audio.WavWriter.Encoding.PCM16,
                    false);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    @Test
    void generatedCremaDAndIemocapTreesWithOneModelPerFold() throws IOException {
        Path crema =
                dev.ser.pipeline.corpus.CorpusTrees.cremaD(
                        tmp.resolve("crema-d"), "10(0[1-9]|10)", EvaluateJobTest::speechLike);
        Path iemocap =
                dev.ser.pipeline.corpus.CorpusTrees.iemocap(
                        tmp.resolve("iemocap"),
                        dev.ser.pipeline.corpus.CorpusTrees.IEMOCAP_DIALOGS,
                        EvaluateJobTest::speechLike);
        Path tiny = JobTestSupport.projectRoot().resolve("model/tiny-untrained");
        for (int f = 1; f <= 5; f++) {
            Path dir = Files.createDirectories(tmp.resolve("models/fold" + f));
            Files.copy(tiny.resolve("model.onnx"), dir.resolve("model.onnx"));
            Files.writeString(
                    dir.resolve("model.json"),
                    Files.readString(tiny.resolve("model.json"))
                            .replace(
                                    "\"name\": \"tiny-untrained\"",
                                    "\"name\": \"fold" + f + "-model\""));
        }
        Path o = tmp.resolve("eval-generated");
        var run =
                ser(
                        "evaluate",
                        "--corpus",
                        "crema-d",
                        "--root",
                        crema.toString(),
                        "--corpus",
                        "iemocap",
                        "--root",
                        iemocap.toString(),
                        "--crema-d-label",
                        "perceived",
                        "--model",
                        tmp.resolve("models/fold{fold}").toString(),
                        "--output",
                        o.toString());
        assertEquals(0, run.code(), run.err());
        JsonNode m = new ObjectMapper().readTree(o.resolve("metrics.json").toFile());
        assertEquals(5, m.path("models").size(), "one model per fold");
        JsonNode ie = m.path("corpora").path("iemocap");
        assertEquals(2, ie.path("folds").asInt(), "IEMOCAP folds by session: 2 sessions here");
        assertEquals(9, ie.path("clips").path("used").asInt());
        assertEquals(
                "{\"fru\":1,\"xxx\":1}", ie.path("clips").path("excluded_by_label").toString());
        assertEquals(
                "perceived",
                m.path("corpora").path("crema-d").path("reader_options").path("label").asText());
        assertEquals(5, m.path("corpora").path("crema-d").path("folds").asInt());

        spark().read().parquet(o.resolve("predictions").toString()).createOrReplaceTempView("g");
        List<Row> rows =
                spark().sql("SELECT DISTINCT fold, model_name FROM g WHERE status = 'ok'")
                        .collectAsList();
        Map<Integer, String> modelOfFold = new HashMap<>();
        for (Row r : rows) {
            String previous = modelOfFold.put(r.getInt(0), r.getString(1));
            assertTrue(previous == null || previous.equals(r.getString(1)), "one model per fold");
        }
        modelOfFold.forEach(
                (fold, name) -> assertEquals("fold" + fold + "-model (untrained)", name));
        assertTrue(modelOfFold.size() >= 4, "the folds were scored: " + modelOfFold);
        assertTrue(
                Files.readString(o.resolve("report.html"))
                        .contains("An UNTRAINED model made these predictions"),
                "the report warns about untrained models");
    }
}
