package io.glambdar.bench;

import io.glambdar.app.GlambdarServer;
import io.glambdar.app.ServerConfig;
import io.glambdar.engine.EngineSettings;
import io.glambdar.sandbox.DockerConnection;
import io.glambdar.sandbox.ImageProvisioner;
import io.glambdar.util.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * {@code glambdar bench}: measures, in one run on this machine, raw Docker (the baseline) and Glambdar's three ways of
 * running the seed's hello function, then writes a Markdown report with ratios against the baseline and PNG charts.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark raw Docker against cold, warm single-use and reuse invocations; write a report.")
public final class BenchCommand implements Callable<Integer> {

    static final String HELLO = """
            exports.handler = async (req) => {
              const jsonData = await req.json();
              return { statusCode: 200, body: { message: `Hello ${jsonData.name}!` } };
            };
            """;
    static final String REQUEST = "{\"name\":\"Glambdar\"}";
    static final String EXPECTED = "{\"message\":\"Hello Glambdar!\"}";
    static final int[] CONCURRENCY = {1, 8, 32};

    @Option(names = "--out", description = "Folder for report.md and the charts (default ${DEFAULT-VALUE}).",
            defaultValue = "docs/benchmark")
    Path out;

    @Option(names = "--seconds", description = "Duration of each throughput run (default ${DEFAULT-VALUE}).",
            defaultValue = "10")
    double seconds;

    @Option(names = "--samples", description = "Sequential samples of the slow paths: raw Docker and cold"
            + " invocations (default ${DEFAULT-VALUE}).", defaultValue = "20")
    int samples;

    @Option(names = "--warm-rate", description = "Requests per second for the warm single-use latency run, a low"
            + " rate the pool keeps up with (default ${DEFAULT-VALUE}).", defaultValue = "2")
    double warmRate;

    @Option(names = "--docker-cli", description = "docker CLI for the `docker run --rm` baseline (default"
            + " ${DEFAULT-VALUE}).", defaultValue = "docker")
    String dockerCli;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "glbench-");
        try (DockerConnection docker = DockerConnection.open()) {
            String image = new ImageProvisioner(docker, Duration.ofMinutes(5)).ensure(ServerConfig.DEFAULT_IMAGE);
            Report report = new Report(docker.describe(), image, seconds);

            progress("raw Docker: Engine API create+start+wait, " + samples + " samples");
            RawDocker raw = new RawDocker(docker.client(), image, dockerCli);
            raw.engineApi(3); // warm the engine's caches
            report.baseline(raw.engineApi(samples));
            progress("raw Docker: docker run --rm, " + samples + " samples");
            report.latency(raw.cliRun(samples));
            for (int concurrency : CONCURRENCY) {
                progress("raw Docker: docker run --rm throughput at concurrency " + concurrency);
                report.rawThroughput(raw.cliThroughput(concurrency, seconds));
            }

            measure(work, "cold", report, engine -> engine.withPooling(false));
            measure(work, "warm", report, engine -> engine);
            measure(work, "reuse", report, engine -> engine.withReuseByDefault(true));

            Files.createDirectories(out);
            report.write(out);
            progress("wrote " + out.resolve("report.md") + ", latency.png and throughput.png");
            System.out.println(Files.readString(out.resolve("report.md")));
            return 0;
        } finally {
            FileTrees.delete(work);
        }
    }

    /** One Glambdar configuration: its own server and base directory, the hello function, latency and throughput. */
    private void measure(Path work, String mode, Report report, UnaryOperator<EngineSettings> engine)
            throws Exception {
        Path dir = work.resolve(mode);
        ServerConfig config = ServerConfig.defaults(dir).withPort(0);
        config = config.withEngine(engine.apply(config.engine()));
        try (GlambdarServer server = GlambdarServer.start(config)) {
            warmUpJit(server.port());
            deploy(server.port(), "hello", null);
            if (!mode.equals("reuse")) { // the container path (Engine API calls, sockets) needs its own warm-up
                progress("warming up the container path: " + BenchCommand.fmt(seconds) + " s at concurrency 8");
                LoadRunner.forDuration("warm-up", 8, seconds, () -> call(new HttpConnection("127.0.0.1",
                        server.port())));
                awaitSettled(server);
            }
            String label = switch (mode) {
                case "cold" -> "cold invocation (pool off)";
                case "warm" -> "warm single-use (" + fmt(warmRate) + " req/s)";
                default -> "reuse";
            };
            try (HttpConnection http = new HttpConnection("127.0.0.1", server.port())) {
                List<Double> millis = new ArrayList<>();
                switch (mode) {
                    case "cold" -> {
                        progress(label + ": " + samples + " samples");
                        for (int i = 0; i < samples; i++) {
                            awaitNoContainers(server); // each cold start on an idle engine, like the baseline's
                            millis.add(timedCall(http));
                        }
                    }
                    case "warm" -> {
                        int count = Math.max(samples, (int) (warmRate * 20));
                        progress(label + ": " + count + " samples at " + fmt(warmRate) + " req/s");
                        long interval = (long) (1e9 / warmRate);
                        paced(http, 10, interval); // the pool sizes itself to the rate; the JIT warms up
                        long next = System.nanoTime();
                        for (int i = 0; i < count; i++) {
                            sleepUntil(next);
                            next += interval;
                            millis.add(timedCall(http));
                        }
                    }
                    default -> {
                        progress(label + ": 2000 samples");
                        for (int i = 0; i < 2000; i++) {
                            millis.add(timedCall(http));
                        }
                    }
                }
                report.latency(Latencies.of(label, millis));
            }
            for (int concurrency : CONCURRENCY) {
                progress(label + ": throughput at concurrency " + concurrency);
                String throughputLabel = mode.equals("warm") ? "warm single-use" : label; // closed loop, not paced
                report.throughput(mode, LoadRunner.forDuration(throughputLabel, concurrency, seconds,
                        () -> call(new HttpConnection("127.0.0.1", server.port()))));
                awaitSettled(server);
            }
        }
    }

    private static LoadRunner.Call call(HttpConnection http) {
        return () -> {
            HttpConnection.Reply reply = http.post("/invoke/hello", REQUEST);
            if (reply.status() == 429) {
                return LoadRunner.Outcome.REJECTED;
            }
            return reply.status() == 200 && reply.body().equals(EXPECTED)
                    ? LoadRunner.Outcome.OK : LoadRunner.Outcome.ERROR;
        };
    }

    private static double timedCall(HttpConnection http) throws IOException {
        long start = System.nanoTime();
        HttpConnection.Reply reply = http.post("/invoke/hello", REQUEST);
        double millis = (System.nanoTime() - start) / 1e6;
        if (reply.status() != 200 || !reply.body().equals(EXPECTED)) {
            throw new IOException("unexpected reply " + reply.status() + ": " + reply.body());
        }
        return millis;
    }

    private static void paced(HttpConnection http, int calls, long intervalNanos) throws Exception {
        long next = System.nanoTime();
        for (int i = 0; i < calls; i++) {
            sleepUntil(next);
            next += intervalNanos;
            timedCall(http);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            Thread.sleep(Duration.ofNanos(wait));
        }
    }

    private static void awaitNoContainers(GlambdarServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (server.liveContainers() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Lets removals from the previous run finish so runs don't pay for each other's churn. */
    private static void awaitSettled(GlambdarServer server) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int previous = -1;
        while (System.nanoTime() < deadline) {
            int live = server.liveContainers();
            if (live == previous && live <= 8) {
                return;
            }
            previous = live;
            Thread.sleep(500);
        }
    }

    /**
     * A server that has been up a while has its request path compiled; a fresh JVM interprets it. Figures are "after
     * warm-up": run the shared path (HTTP, store, engine, IPC) a few thousand times on a reuse-mode function first.
     */
    private static void warmUpJit(int port) throws IOException, InterruptedException {
        progress("warming up the JIT: 3000 calls to a reuse-mode function");
        deploy(port, "jitwarmup", "{\"reuse\": true}");
        try (HttpConnection http = new HttpConnection("127.0.0.1", port)) {
            for (int i = 0; i < 3000; i++) {
                HttpConnection.Reply reply = http.post("/invoke/jitwarmup", REQUEST);
                if (reply.status() != 200) {
                    throw new IOException("warm-up call failed: " + reply.status() + " " + reply.body());
                }
            }
        }
        HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/del/jitwarmup"))
                .DELETE().build(), HttpResponse.BodyHandlers.discarding());
    }

    private static void deploy(int port, String name, String settings) throws IOException, InterruptedException {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            out.putNextEntry(new ZipEntry("index.js"));
            out.write(HELLO.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
            if (settings != null) {
                out.putNextEntry(new ZipEntry("glambdar.json"));
                out.write(settings.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        String boundary = "glambdar-bench";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + name + ".zip\""
                + "\r\nContent-Type: application/zip\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(zip.toByteArray());
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/deploy"))
                        .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201) {
            throw new IOException("deploying " + name + " failed: " + response.body());
        }
    }

    private static void progress(String message) {
        System.err.println("[bench] " + message);
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format("%.1f", value);
    }
}
