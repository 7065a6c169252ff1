package io.glambdar.bench;

import com.github.dockerjava.api.DockerClient;
import io.glambdar.app.ServerConfig;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.image.ImageProvisioner;
import io.glambdar.util.FileTrees;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code glambdar bench}: measures, in one run on this machine, raw Docker (the baseline) and Glambdar's three ways of
 * running the seed's hello function, keyed against open mode, and asynchronous invocations and schedules
 * ({@link AsyncBench}), then writes a Markdown report with ratios against the baseline and PNG charts.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark raw Docker against cold, warm single-use and reuse invocations, keyed against"
                + " open mode, and asynchronous invocations and schedules; write a report.")
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
    /** The throughput run through which the server's resident memory is sampled: the heaviest. */
    static final int MEMORY_CONCURRENCY = CONCURRENCY[CONCURRENCY.length - 1];
    private static final int WARM_CONTAINERS_MEASURED = 3;

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

    @Option(names = "--only", description = "Run only this part: async (asynchronous invocations and schedules,"
            + " about two minutes; writes <out>/async-report.md), metrics (GET /metrics: its cost, a scrape of 500"
            + " functions, scrapes under load; about five minutes; writes <out>/metrics-report.md), cli"
            + " (./glambdar ls's start; writes <out>/cli-report.md) or reuse (the reuse section; prints its"
            + " throughput).")
    String only;

    @Override
    public Integer call() throws Exception {
        System.setProperty("java.awt.headless", "true");
        Path work = Files.createTempDirectory(Path.of("/tmp"), "glbench-");
        try (DockerConnection docker = DockerConnection.open()) {
            String image = new ImageProvisioner(docker, Duration.ofMinutes(5)).ensure(ServerConfig.DEFAULT_IMAGE);
            Report report = new Report(docker.describe(), image, seconds);
            if (only != null) {
                switch (only) {
                    case "async" -> report.async(AsyncBench.run(work, seconds, null));
                    case "metrics" -> report.metrics(MetricsBench.run(work, seconds));
                    case "cli" -> report.cliStartup(CliStartup.run(work));
                    case "reuse" -> {
                        measure(work, "reuse", report, docker.client(), "--reuse");
                        System.out.printf("reuse throughput at concurrency 32: %.0f invocations/s%n",
                                report.syncReuse32());
                        return 0;
                    }
                    default -> {
                        System.err.println("--only knows four parts: async, metrics, cli, reuse");
                        return 2;
                    }
                }
                Files.createDirectories(out);
                Path written = report.writeOnly(out, only);
                progress("wrote " + written);
                System.out.println(Files.readString(written));
                return 0;
            }

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

            measure(work, "cold", report, docker.client(), "--no-pool");
            measure(work, "warm", report, docker.client());
            measure(work, "reuse", report, docker.client(), "--reuse");
            report.keyed(KeyedModeComparison.run(work, seconds));
            report.async(AsyncBench.run(work, seconds, report.syncReuse32()));
            report.metrics(MetricsBench.run(work, seconds));
            progress("command-line client: ./glambdar ls against a server with " + CliStartup.FUNCTIONS + " functions");
            report.cliStartup(CliStartup.run(work));

            Files.createDirectories(out);
            report.write(out);
            progress("wrote " + out.resolve("report.md") + ", latency.png and throughput.png");
            System.out.println(Files.readString(out.resolve("report.md")));
            return 0;
        } finally {
            FileTrees.delete(work);
        }
    }

    /**
     * One Glambdar configuration: its own server (a child process, started with {@code options}) and base directory,
     * the hello function, latency, throughput and the server's memory.
     */
    private void measure(Path work, String mode, Report report, DockerClient docker, String... options)
            throws Exception {
        String label = switch (mode) {
            case "cold" -> "cold invocation (pool off)";
            case "warm" -> "warm single-use (" + fmt(warmRate) + " req/s)";
            default -> "reuse";
        };
        String throughputLabel = mode.equals("warm") ? "warm single-use" : label; // closed loop, not paced
        progress(label + ": starting its server, glambdar serve" + (options.length == 0 ? "" : " "
                + String.join(" ", options)));
        try (ServerProcess server = ServerProcess.start(work.resolve(mode), work.resolve(mode + "-server.log"),
                List.of(options))) {
            ServerApi api = server.api();
            warmUpJit(api);
            api.deploy("hello", HELLO, null);
            if (!mode.equals("reuse")) { // the container path (Engine API calls, sockets) needs its own warm-up
                progress("warming up the container path: " + BenchCommand.fmt(seconds) + " s at concurrency 8");
                LoadRunner.forDuration("warm-up", 8, seconds, () -> call(api.connection()));
            }
            api.awaitQuiet();
            ProcessMemory idle = server.memory();
            report.latency(latency(mode, label, api));
            if (mode.equals("warm")) { // the pool now holds warm containers sized to the paced rate
                progress("measuring an idle warm container's memory");
                api.awaitQuiet();
                report.memory().warmContainers(ContainerMemory.ofFunction(docker, "hello", server.dir().toString(),
                        WARM_CONTAINERS_MEASURED));
            }
            report.memory().server(throughput(mode, throughputLabel, report, server, idle));
        }
    }

    /** The sequential latency run of {@code mode}. */
    private Latencies latency(String mode, String label, ServerApi api) throws Exception {
        List<Double> millis = new ArrayList<>();
        try (HttpConnection http = api.connection()) {
            switch (mode) {
                case "cold" -> {
                    progress(label + ": " + samples + " samples");
                    for (int i = 0; i < samples; i++) {
                        api.awaitNoContainers(); // each cold start on an idle engine, like the baseline's
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
        }
        return Latencies.of(label, millis);
    }

    /**
     * The throughput runs of {@code mode}, with the server's resident memory sampled through the one at
     * {@link #MEMORY_CONCURRENCY}; returns that with the {@code idle} figure read before the latency run.
     */
    private MemorySection.ServerMemory throughput(String mode, String label, Report report, ServerProcess server,
                                                  ProcessMemory idle) throws Exception {
        ServerApi api = server.api();
        RssSamples underLoad = null;
        ProcessMemory afterLoad = null;
        for (int concurrency : CONCURRENCY) {
            progress(label + ": throughput at concurrency " + concurrency);
            LoadRunner.CallFactory callers = () -> call(api.connection());
            if (concurrency == MEMORY_CONCURRENCY) {
                try (RssSampler sampler = RssSampler.start(server.pid())) {
                    report.throughput(mode, LoadRunner.forDuration(label, concurrency, seconds, callers));
                    underLoad = sampler.stop();
                }
                afterLoad = server.memory();
            } else {
                report.throughput(mode, LoadRunner.forDuration(label, concurrency, seconds, callers));
            }
            api.awaitSettled();
        }
        return new MemorySection.ServerMemory(label, idle, underLoad, afterLoad);
    }

    static LoadRunner.Call call(HttpConnection http) {
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

    /**
     * A server that has been up a while has its request path compiled; a fresh JVM interprets it. Figures are "after
     * warm-up": run the shared path (HTTP, store, engine, IPC) a few thousand times on a reuse-mode function first.
     */
    private static void warmUpJit(ServerApi api) throws IOException, InterruptedException {
        progress("warming up the JIT: 3000 calls to a reuse-mode function");
        api.deploy("jitwarmup", HELLO, "{\"reuse\": true}");
        sequentialCalls(api.connection(), "/invoke/jitwarmup", 3000);
        api.delete("jitwarmup");
    }

    /** {@code count} calls of hello, one after the other, on {@code http} (then closed): a warm-up. */
    static void sequentialCalls(HttpConnection http, int count) throws IOException {
        sequentialCalls(http, "/invoke/hello", count);
    }

    private static void sequentialCalls(HttpConnection http, String path, int count) throws IOException {
        try (http) {
            for (int i = 0; i < count; i++) {
                HttpConnection.Reply reply = http.post(path, REQUEST);
                if (reply.status() != 200) {
                    throw new IOException("warm-up call failed: " + reply.status() + " " + reply.body());
                }
            }
        }
    }

    static void progress(String message) {
        System.err.println("[bench] " + message);
    }

    static String fmt(double value) {
        return value == Math.rint(value) ? Long.toString((long) value) : String.format("%.1f", value);
    }
}
