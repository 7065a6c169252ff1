package io.glambdar.bench;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.InvocationResult;
import io.glambdar.metrics.EngineState;
import io.glambdar.metrics.Metrics;
import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.InvokeFunction;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * The figures of {@code GET /metrics} ({@link MetricsSection}): reuse throughput at c=32 of a server with metrics
 * against one without ({@code --no-metrics}), in {@link AlternatingRounds}; then, on one server with {@value #FUNCTIONS} functions each invoked once, the time
 * of a scrape, and scrapes during 32 concurrent invocations and deploys.
 */
final class MetricsBench {

    static final int CONCURRENCY = 32;
    /** Many rounds: the cost sought is smaller than a round's swing on a shared machine. */
    static final int ROUNDS = 20;
    static final int FUNCTIONS = 500;
    static final int SCRAPES = 20;
    private static final int WARM_UP_SCRAPES = 50;
    /** How long the idle server's own CPU use is sampled, to take it out of the scrapes'. */
    private static final java.time.Duration IDLE_SAMPLE = java.time.Duration.ofSeconds(3);
    /** Under load, a scrape this often: far more often than Prometheus (15 s by default), yet not back to back. */
    static final int SCRAPE_INTERVAL_MS = 200;
    /** Deploys and first invocations of the many functions run this many at once (a shared machine). */
    private static final int SETUP_CONCURRENCY = 4;
    /** A sample line of the text format: a name, labels perhaps, a value. */
    private static final Pattern SAMPLE = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*(\\{.*})? \\S+( \\S+)?");

    private MetricsBench() {
    }

    static MetricsSection run(Path work, double seconds) throws Exception {
        MetricsSection.Cost cost = cost(work, seconds, countingNanos());
        BenchCommand.progress("metrics: a server with " + FUNCTIONS + " functions (pool off, so that deploys start"
                + " nothing)");
        try (ServerProcess server = ServerProcess.start(work.resolve("metrics-many"),
                work.resolve("metrics-many-server.log"), List.of("--no-pool"))) {
            ServerApi api = server.api();
            api.deploy("hello", BenchCommand.HELLO, "{\"reuse\": true}");
            BenchCommand.sequentialCalls(api.connection(), 3000); // the JIT, as every measured server
            deployAndInvokeEach(api);
            api.awaitNoContainers();
            MetricsSection.Scrapes many = scrapes(server);
            MetricsSection.UnderLoad underLoad = underLoad(api, seconds);
            return new MetricsSection(cost, many, underLoad);
        }
    }

    /**
     * What counting one invocation costs, measured here, in the bench's JVM: the listener's thread CPU time per
     * invocation over {@value #FUNCTIONS} functions, once the JIT has compiled it. The throughput rounds swing by more
     * than this on a shared machine; this shows what is underneath.
     */
    static double countingNanos() {
        BenchCommand.progress("metrics: counting 2,000,000 invocations in this JVM");
        try (Metrics metrics = new Metrics(new EngineState() {
            @Override
            public ContainerCounts containers() {
                return ContainerCounts.NONE;
            }

            @Override
            public long memoryReservedBytes() {
                return 0;
            }

            @Override
            public int invocationsWaiting() {
                return 0;
            }
        }, () -> 0, Set::of)) {
            List<InvokeFunction.Invoked> invocations = new ArrayList<>();
            for (int i = 0; i < FUNCTIONS; i++) {
                invocations.add(new InvokeFunction.Invoked(String.format("fn-%03d", i), 1,
                        new InvocationResult.Completed("id", 200, Map.of(), new byte[0], "", i % 40, i % 7 == 0,
                                0)));
            }
            InvocationListener listener = metrics.invocationListener();
            int calls = 2_000_000;
            for (int i = 0; i < calls; i++) { // the JIT's warm-up
                listener.ended(invocations.get(i % FUNCTIONS));
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                listener.ended(invocations.get(i % FUNCTIONS));
            }
            return (threads.getCurrentThreadCpuTime() - start) / (double) calls;
        }
    }

    private static MetricsSection.Cost cost(Path work, double seconds, double countingNanos) throws Exception {
        BenchCommand.progress("metrics: starting a server with metrics and one without, both --reuse");
        try (ServerProcess on = ServerProcess.start(work.resolve("metrics-on"), work.resolve("metrics-on-server.log"),
                List.of("--reuse"));
             ServerProcess off = ServerProcess.start(work.resolve("metrics-off"),
                     work.resolve("metrics-off-server.log"), List.of("--reuse", "--no-metrics"))) {
            ServerApi onApi = on.api();
            ServerApi offApi = off.api();
            onApi.deploy("hello", BenchCommand.HELLO, null);
            offApi.deploy("hello", BenchCommand.HELLO, null);
            return new MetricsSection.Cost(AlternatingRounds.run("metrics",
                    new AlternatingRounds.Side("metrics off", off, offApi::connection),
                    new AlternatingRounds.Side("metrics on", on, onApi::connection), ROUNDS, seconds), countingNanos);
        }
    }

    /** Deploys fn-000… and invokes each once (a single-use cold start each), a few at a time. */
    private static void deployAndInvokeEach(ServerApi api) throws Exception {
        BenchCommand.progress("metrics: deploying " + FUNCTIONS + " functions and invoking each once");
        try (ExecutorService pool = Executors.newFixedThreadPool(SETUP_CONCURRENCY)) {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < FUNCTIONS; i++) {
                String name = String.format("fn-%03d", i);
                done.add(pool.submit(() -> {
                    api.deploy(name, BenchCommand.HELLO, null);
                    try (HttpConnection http = api.connection()) {
                        HttpConnection.Reply reply = http.post("/invoke/" + name, BenchCommand.REQUEST);
                        if (reply.status() != 200) {
                            throw new IOException("invoking " + name + ": " + reply.status() + " " + reply.body());
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> each : done) {
                each.get();
            }
        }
    }

    private static MetricsSection.Scrapes scrapes(ServerProcess server) throws Exception {
        ServerApi api = server.api();
        BenchCommand.progress("metrics: " + SCRAPES + " scrapes of " + FUNCTIONS + " functions");
        for (int i = 0; i < WARM_UP_SCRAPES; i++) {
            api.getText("/metrics"); // the scrape path's own warm-up: a server scraped every 15 s has it compiled
        }
        // What the idle server spends meanwhile (its pools' upkeep of 500 functions, say) is not the scrapes'.
        ProcessCpu idleStart = ProcessCpu.of(server.pid());
        long idleStartNanos = System.nanoTime();
        Thread.sleep(IDLE_SAMPLE.toMillis());
        double idleMillisPerSecond = ProcessCpu.of(server.pid()).microsPerCall(idleStart, 1) / 1000
                / ((System.nanoTime() - idleStartNanos) / 1e9);
        List<Double> millis = new ArrayList<>();
        String last = "";
        ProcessCpu before = ProcessCpu.of(server.pid());
        long startNanos = System.nanoTime();
        for (int i = 0; i < SCRAPES; i++) {
            long start = System.nanoTime();
            last = api.getText("/metrics");
            millis.add((System.nanoTime() - start) / 1e6);
        }
        double busyMillis = ProcessCpu.of(server.pid()).microsPerCall(before, 1) / 1000;
        double cpuMillis = (busyMillis - idleMillisPerSecond * (System.nanoTime() - startNanos) / 1e9) / SCRAPES;
        if (!wellFormed(last)) {
            throw new IOException("GET /metrics did not answer the Prometheus text format:\n" + last);
        }
        long samples = last.lines().filter(line -> !line.startsWith("#") && !line.isEmpty()).count();
        return new MetricsSection.Scrapes(FUNCTIONS, Latencies.of("scrape", millis), last.length(), samples,
                cpuMillis);
    }

    /** A scrape every {@value #SCRAPE_INTERVAL_MS} ms while 32 callers invoke hello and a deploy runs every half second. */
    private static MetricsSection.UnderLoad underLoad(ServerApi api, double seconds) throws Exception {
        BenchCommand.progress("metrics: scrapes during " + BenchCommand.fmt(seconds) + " s of c=" + CONCURRENCY
                + " invocations and deploys");
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<Throughput> load = pool.submit(() -> LoadRunner.forDuration("under scrapes", CONCURRENCY,
                    seconds, () -> BenchCommand.call(api.connection())));
            Future<Integer> deploys = pool.submit(() -> {
                int count = 0;
                while (!load.isDone()) {
                    api.deploy("late-" + count, BenchCommand.HELLO, null);
                    count++;
                    Thread.sleep(500);
                }
                return count;
            });
            List<Double> millis = new ArrayList<>();
            int failed = 0;
            while (!load.isDone()) {
                long start = System.nanoTime();
                try {
                    if (wellFormed(api.getText("/metrics"))) {
                        millis.add((System.nanoTime() - start) / 1e6);
                    } else {
                        failed++;
                    }
                } catch (IOException e) {
                    failed++;
                }
                Thread.sleep(SCRAPE_INTERVAL_MS);
            }
            return new MetricsSection.UnderLoad(Latencies.of("scrape under load", millis), failed, load.get(),
                    deploys.get());
        }
    }

    /** Every line a comment or a sample, and the invocations' counter among them. */
    static boolean wellFormed(String text) {
        return text.contains("# TYPE glambdar_invocations_total counter\n")
                && text.lines().allMatch(line -> line.isEmpty() || line.startsWith("#")
                || SAMPLE.matcher(line).matches());
    }
}
