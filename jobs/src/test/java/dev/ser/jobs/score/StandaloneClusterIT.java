package dev.ser.jobs.score;

import static dev.ser.jobs.JobTestSupport.ser;
import static dev.ser.jobs.JobTestSupport.shared;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ser.jobs.GeneratedSpeech;
import dev.ser.jobs.JobTestSupport;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Spark standalone cluster on 127.0.0.1 (a Master and two Worker JVMs of one core each,
 * started from the project's own jars, with a Spark home made of them), the job submitted through
 * spark-submit's entry point with the application jar, and its output compared with an embedded
 * local run over the same recordings. Then a Worker's JVM is killed (SIGKILL, by its process id) in
 * the middle of a job: the job completes on the other, and its output equals the clean local run's,
 * with no row lost or duplicated.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class StandaloneClusterIT {
    @TempDir static Path tmp;
    static final List<Process> CLUSTER = new ArrayList<>();
    static String masterUrl;
    static Path sparkHome;
    static Path appJar;

    static final List<String> OPENS =
            List.of(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
                    "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
                    "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
                    "-Djdk.reflect.useDirectMethodHandle=false",
                    "-Dio.netty.tryReflectionSetAccessible=true");

    @BeforeAll
    static void startCluster() throws Exception {
        Path target = JobTestSupport.projectRoot().resolve("jobs/target");
        appJar =
                Path.of(
                        System.getProperty(
                                "ser.appJar",
                                target.resolve("ser-jobs-0.1.0-SNAPSHOT-app.jar").toString()));
        assertTrue(Files.isRegularFile(appJar), "run after 'mvn package': " + appJar);
        // A Spark home: jars/ holding the runtime jars, and an empty RELEASE file.
        sparkHome = tmp.resolve("spark-home");
        Path jars = Files.createDirectories(sparkHome.resolve("jars"));
        for (String jar :
                Files.readString(target.resolve("spark-classpath.txt"))
                        .trim()
                        .split(java.io.File.pathSeparator)) {
            Path src = Path.of(jar);
            Files.createSymbolicLink(jars.resolve(src.getFileName()), src);
        }
        Files.createFile(sparkHome.resolve("RELEASE"));

        int port = freePort();
        int ui = freePort();
        masterUrl = "spark://127.0.0.1:" + port;
        CLUSTER.add(
                start(
                        "master",
                        "org.apache.spark.deploy.master.Master",
                        "--host",
                        "127.0.0.1",
                        "--port",
                        String.valueOf(port),
                        "--webui-port",
                        String.valueOf(ui)));
        for (String worker : List.of("worker-1", "worker-2")) {
            CLUSTER.add(
                    start(
                            worker,
                            "org.apache.spark.deploy.worker.Worker",
                            "--host",
                            "127.0.0.1",
                            "--cores",
                            "1",
                            "--memory",
                            "2g",
                            "--webui-port",
                            String.valueOf(freePort()),
                            "--work-dir",
                            Files.createDirectories(tmp.resolve(worker)).toString(),
                            masterUrl));
        }
        waitForWorkers(ui, 2);
    }

    private static Process start(String name, String mainClass, String... args) throws IOException {
        List<String> cmd =
                new ArrayList<>(
                        List.of(java(), "-Xmx512m", "-cp", sparkHome.resolve("jars") + "/*"));
        cmd.addAll(OPENS);
        cmd.add(mainClass);
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve(name + ".log").toFile());
        env(pb.environment());
        return pb.start();
    }

    private static void env(Map<String, String> env) {
        env.put("SPARK_HOME", sparkHome.toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        env.put("SPARK_LOCAL_IP", "127.0.0.1");
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void waitForWorkers(int uiPort, int workers) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            try {
                String json =
                        http.send(
                                        HttpRequest.newBuilder(
                                                        URI.create(
                                                                "http://127.0.0.1:"
                                                                        + uiPort
                                                                        + "/json/"))
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .body();
                if (json.replace(" ", "").contains("\"aliveworkers\":" + workers)) {
                    return;
                }
            } catch (IOException notYet) {
                // the master is still starting
            }
            Thread.sleep(500);
        }
        throw new AssertionError(
                "the workers did not register: "
                        + Files.readString(tmp.resolve("worker-1.log"))
                        + Files.readString(tmp.resolve("worker-2.log")));
    }

    @AfterAll
    static void stopCluster() throws InterruptedException {
        for (int i = CLUSTER.size() - 1; i >= 0; i--) {
            Process p = CLUSTER.get(i);
            p.descendants().forEach(ProcessHandle::destroy);
            p.destroy();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    @Test
    @Order(1)
    void clusterOutputEqualsLocalOutput() throws Exception {
        Path input = Files.createDirectories(tmp.resolve("archive/nested"));
        for (String f :
                List.of(
                        "03-01-05-02-01-01-11",
                        "03-01-03-01-02-02-12",
                        "03-01-04-02-01-02-13",
                        "03-01-01-01-01-02-14",
                        "03-01-02-02-02-01-15")) {
            GeneratedSpeech.flac(input.getParent().resolve(f + ".flac"), f.hashCode(), 3.5);
        }
        GeneratedSpeech.wav(input.resolve("stereo-48k.wav"), 1, 4.0, 48_000, 2);
        Files.write(input.resolve("silence.wav"), ScoreJobTest.silenceWav(6));
        Files.write(input.resolve("broken.wav"), new byte[] {'R', 'I', 'F', 'F', 1, 2, 3});
        Path archive = input.getParent();

        Path clusterOut = tmp.resolve("cluster-out");
        Process p = submit(archive, clusterOut, "submit.log");
        assertTrue(
                p.waitFor(8, TimeUnit.MINUTES),
                () -> diagnosis("spark-submit did not finish", tmp.resolve("submit.log")));
        String log = Files.readString(tmp.resolve("submit.log"));
        assertEquals(0, p.exitValue(), () -> diagnosis("spark-submit failed", log));
        assertTrue(
                log.contains("ser score: 8 recording(s)"),
                () -> diagnosis("no summary line for 8 recordings", log));

        Path localOut = tmp.resolve("local-out");
        var local =
                ser(
                        "score",
                        "--input",
                        archive.toString(),
                        "--output",
                        localOut.toString(),
                        "--run-id",
                        "same-run");
        assertEquals(0, local.code(), local.err());

        assertSameOutput(clusterOut, localOut, 8, 6);
        String summary = Files.readString(clusterOut.resolve("summary.json"));
        assertTrue(summary.contains(masterUrl), "the run was on the cluster: " + summary);
    }

    @Test
    @Order(2)
    void losingAWorkerMidJobLosesAndDuplicatesNothing() throws Exception {
        Path input = Files.createDirectories(tmp.resolve("actor-11"));
        try (var clips = Files.list(shared("corpora/ravdess/Actor_11"))) {
            for (Path clip : clips.toList()) {
                Files.copy(clip, input.resolve(clip.getFileName()));
            }
        }
        int recordings;
        try (var clips = Files.list(input)) {
            recordings = (int) clips.count();
        }
        Path clusterOut = tmp.resolve("cluster-out-worker-lost");
        Process p = submit(input, clusterOut, "submit-worker-lost.log");
        // kill the first Worker's JVM once scoring tasks are finishing, with many still to run
        Path log = tmp.resolve("submit-worker-lost.log");
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (System.nanoTime() < deadline && p.isAlive()) {
            String text = Files.readString(log);
            int scoring = text.indexOf("input file(s) in");
            if (scoring >= 0 && count(text.substring(scoring), "Finished task") >= 3) {
                break;
            }
            Thread.sleep(100);
        }
        assertTrue(
                p.isAlive(), () -> diagnosis("the job ended before a worker could be lost", log));
        String before = Files.readString(log);
        int doneAtKill =
                count(
                        before.substring(Math.max(0, before.indexOf("input file(s) in"))),
                        "Finished task");
        Process worker = CLUSTER.get(1);
        long pid = worker.pid();
        worker.destroyForcibly(); // SIGKILL: the JVM dies as a machine would, without a goodbye
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
        System.out.println(
                "killed worker-1 (pid "
                        + pid
                        + ") after "
                        + doneAtKill
                        + " scoring task(s) had finished");

        assertTrue(
                p.waitFor(10, TimeUnit.MINUTES),
                () -> diagnosis("spark-submit did not finish after the worker was lost", log));
        String text = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> diagnosis("spark-submit failed after the loss", text));
        assertTrue(
                text.contains("ser score: " + recordings + " recording(s)"),
                () -> diagnosis("no summary line for " + recordings + " recordings", text));
        text.lines()
                .filter(
                        l ->
                                l.contains("Lost executor")
                                        || l.contains("Removed executor")
                                        || l.contains("ExecutorLostFailure"))
                .limit(3)
                .forEach(l -> System.out.println("driver: " + l));
        System.out.println(
                "scoring tasks finished in all: "
                        + count(text.substring(text.indexOf("input file(s) in")), "Finished task"));
        assertTrue(
                text.contains("Lost executor")
                        || text.contains("ExecutorLostFailure")
                        || text.contains("Removed executor"),
                () -> diagnosis("the driver never saw the executor go", text));

        Path localOut = tmp.resolve("local-out-worker-lost");
        var local =
                ser(
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        localOut.toString(),
                        "--run-id",
                        "same-run");
        assertEquals(0, local.code(), local.err());
        assertSameOutput(clusterOut, localOut, recordings, recordings);
    }

    private static Process submit(Path input, Path output, String logName) throws IOException {
        List<String> submit =
                new ArrayList<>(List.of(java(), "-Xmx1g", "-cp", sparkHome.resolve("jars") + "/*"));
        submit.addAll(OPENS);
        submit.addAll(
                List.of(
                        "org.apache.spark.deploy.SparkSubmit",
                        "--master",
                        masterUrl,
                        "--deploy-mode",
                        "client",
                        "--class",
                        "dev.ser.jobs.Ser",
                        "--conf",
                        "spark.executor.memory=1g",
                        "--conf",
                        "spark.cores.max=2",
                        "--conf",
                        "spark.driver.host=127.0.0.1",
                        "--conf",
                        "spark.executor.extraJavaOptions=" + String.join(" ", OPENS),
                        appJar.toString(),
                        "score",
                        "--input",
                        input.toString(),
                        "--output",
                        output.toString(),
                        "--run-id",
                        "same-run"));
        ProcessBuilder pb =
                new ProcessBuilder(submit)
                        .redirectErrorStream(true)
                        .redirectOutput(tmp.resolve(logName).toFile());
        env(pb.environment());
        return pb.start();
    }

    private static void assertSameOutput(
            Path clusterOut, Path localOut, int minRecordings, int minWindows) {
        SparkSession spark =
                SparkSession.builder()
                        .master("local[1]")
                        .config("spark.ui.enabled", "false")
                        .getOrCreate();
        try {
            for (String table : List.of("recordings", "windows")) {
                List<String> c = rows(spark, clusterOut.resolve(table));
                List<String> l = rows(spark, localOut.resolve(table));
                assertEquals(l, c, table + " differ between the cluster and the local run");
                assertTrue(
                        c.size() >= (table.equals("recordings") ? minRecordings : minWindows),
                        table + ": " + c.size());
                assertEquals(
                        c.size(), c.stream().distinct().count(), table + " has duplicated rows");
            }
        } finally {
            spark.stop();
        }
    }

    /**
     * A failure message that leads with what matters, since a CI report shows only the head of a
     * long message: what failed, the driver log's errors and exceptions, then the log's tail.
     */
    private static String diagnosis(String what, String log) {
        List<String> lines = log.lines().toList();
        List<String> errors =
                lines.stream()
                        .filter(
                                l ->
                                        l.contains(" ERROR ")
                                                || l.contains(" WARN ")
                                                || l.contains("Exception")
                                                || l.startsWith("Caused by")
                                                || l.startsWith("ser "))
                        .limit(40)
                        .toList();
        return what
                + "\n--- errors and warnings in the driver log ---\n"
                + String.join("\n", errors)
                + "\n--- the driver log's last 60 lines ---\n"
                + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static String diagnosis(String what, Path log) {
        try {
            return diagnosis(what, Files.readString(log));
        } catch (IOException e) {
            return what + " (and its log could not be read: " + e + ")";
        }
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static List<String> rows(SparkSession spark, Path table) {
        return spark.read().parquet(table.toString()).collectAsList().stream()
                .map(Row::toString)
                .sorted()
                .toList();
    }
}
