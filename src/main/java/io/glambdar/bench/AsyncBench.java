package io.glambdar.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The figures of asynchronous invocations and schedules: how fast {@code POST /async} accepts, how soon an idle
 * queue starts a job, how fast a backlog drains against synchronous invocations, and how punctually a schedule fires.
 * Two servers: one with the default settings for accepting, the idle queue and the schedule; one for the drain,
 * warmed up and filled while sleeping jobs hold its slots.
 */
final class AsyncBench {

    static final int CONCURRENCY = 32;
    static final int IDLE_CALLS = 50;
    static final int DRAIN_BACKLOG = 5000;
    /** Jobs the drain server runs before the measured backlog, as every server first warms up with 3,000 calls. */
    static final int ASYNC_WARM_UP = 3000;
    /**
     * Holds the drain server's async slots while the backlog is queued: every holder job sleeps until the time in its
     * body. With {@code "concurrency": 1}, one runs and the others wait for it inside the engine, each holding a slot
     * all the same; once the time has passed they end at once, one after the other, and the slots go to the backlog.
     */
    static final String SLOT_HOLDER = """
            exports.handler = async (req) => {
              const { until } = await req.json();
              await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
              return { statusCode: 200, body: 'released' };
            };
            """;
    static final String SLOT_HOLDER_SETTINGS =
            "{\"reuse\": true, \"concurrency\": 1, \"timeout\": 300, \"async\": {\"retries\": 0}}";
    /** How long the holders keep the slots: enough to warm the server and queue the backlog on this machine. */
    static final Duration HOLD = Duration.ofSeconds(25);
    /** Drain jobs left out of the target's figure: the first to start, which pay for starting the containers. */
    static final int DRAIN_EXCLUDED = 200;
    static final String SCHEDULE_CRON = "@every 1s";
    static final long SCHEDULE_PERIOD_MILLIS = 1000;
    /** Due times observed: about ten seconds of the schedule. */
    static final int SCHEDULE_DUE_TIMES = 11;
    static final String REUSE = "{\"reuse\": true}";
    /** Returns the time it started, by the clock the host and its containers share. */
    static final String STAMP = """
            exports.handler = async () => {
              const start = Date.now();
              return { statusCode: 200, body: start };
            };
            """;
    /** Polling the queue's state this often costs the server next to nothing. */
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration QUEUE_LIMIT = Duration.ofMinutes(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    private AsyncBench() {
    }

    /** @param syncReuse this bench's synchronous reuse-mode invocations/s at c=32; null to measure it here */
    static AsyncSection run(Path work, double seconds, Double syncReuse) throws Exception {
        AsyncSection.Accepting accepting;
        AsyncSection.IdleQueue idle;
        AsyncSection.Schedules schedules;
        BenchCommand.progress("async: starting a server with the default settings");
        try (ServerProcess server = ServerProcess.start(work.resolve("async"), work.resolve("async-server.log"),
                List.of())) {
            ServerApi api = server.api();
            api.deploy("hello", BenchCommand.HELLO, REUSE);
            accepting = accepting(api, seconds / 2, asyncConcurrency(server));
            idle = idleQueue(api);
            schedules = schedules(api);
        }
        AsyncSection.Drain drain = drain(work, seconds / 2, syncReuse);
        return new AsyncSection(accepting, idle, drain, schedules);
    }

    /** The async concurrency the server logged ({@code GLAMBDAR_ASYNC_CONCURRENCY} or its default); -1 if unsaid. */
    private static int asyncConcurrency(ServerProcess server) throws IOException {
        Matcher said = Pattern.compile("Asynchronous invocations: at most (\\d+) at once").matcher(server.logText());
        return said.find() ? Integer.parseInt(said.group(1)) : -1;
    }

    private static AsyncSection.Accepting accepting(ServerApi api, double seconds, int asyncConcurrency)
            throws Exception {
        BenchCommand.progress("async accepting: warming up (3000 synchronous calls, then POST /async at c="
                + CONCURRENCY + " for 2 s)");
        BenchCommand.sequentialCalls(api.connection(), 3000);
        AtomicReference<String> firstError = new AtomicReference<>();
        LoadRunner.forDuration("warm-up", CONCURRENCY, Math.min(2, seconds),
                () -> asyncCall(api.connection(), null, null, firstError));
        awaitQueueEmpty(api, "hello");
        long before = invokeCount(api, "hello");
        BenchCommand.progress("async accepting: POST /async/hello at c=" + CONCURRENCY + " for "
                + BenchCommand.fmt(seconds) + " s");
        List<List<Double>> perCaller = Collections.synchronizedList(new ArrayList<>());
        Throughput throughput = LoadRunner.forDuration("POST /async", CONCURRENCY, seconds, () -> {
            List<Double> mine = new ArrayList<>();
            perCaller.add(mine);
            return asyncCall(api.connection(), mine, null, firstError);
        });
        if (firstError.get() != null) {
            BenchCommand.progress("async accepting: the first error: " + firstError.get());
        }
        BenchCommand.progress("async accepting: " + throughput.ok() + " accepted; waiting for the queue to empty");
        boolean empty = awaitQueueEmpty(api, "hello");
        long after = invokeCount(api, "hello");
        long ran = !empty || before < 0 || after < 0 ? -1 : after - before;
        List<Double> replies = new ArrayList<>();
        perCaller.forEach(replies::addAll);
        return new AsyncSection.Accepting(throughput, Latencies.of("202", replies), throughput.ok(), ran,
                asyncConcurrency);
    }

    /**
     * {@code POST /async/hello}; a 202 with a queued job is OK, its latency added to {@code millis} and its id to
     * {@code ids} unless null.
     */
    private static LoadRunner.Call asyncCall(HttpConnection http, List<Double> millis, Queue<String> ids,
                                             AtomicReference<String> firstError) {
        return () -> {
            long start = System.nanoTime();
            HttpConnection.Reply reply = http.post("/async/hello", BenchCommand.REQUEST);
            double elapsed = (System.nanoTime() - start) / 1e6;
            if (reply.status() == 429) {
                return LoadRunner.Outcome.REJECTED;
            }
            if (reply.status() == 202 && reply.body().contains("\"queued\"")) {
                if (millis != null) {
                    millis.add(elapsed);
                }
                if (ids != null) {
                    ids.add(JSON.readTree(reply.body()).path("invocationId").asText());
                }
                return LoadRunner.Outcome.OK;
            }
            firstError.compareAndSet(null, reply.status() + " " + reply.body());
            return LoadRunner.Outcome.ERROR;
        };
    }

    private static AsyncSection.IdleQueue idleQueue(ServerApi api) throws Exception {
        BenchCommand.progress("async idle queue: " + IDLE_CALLS + " async calls, one at a time");
        api.deploy("stamp", STAMP, REUSE);
        List<Double> toStart = new ArrayList<>();
        List<Double> createdToStarted = new ArrayList<>();
        try (HttpConnection http = api.connection()) {
            for (int i = 0; i < 3; i++) { // its reuse container started and warm: no cold start is counted
                expect(http.post("/invoke/stamp", "{}"), 200, "the warm-up call of stamp");
            }
            api.awaitQuiet();
            for (int i = 0; i < IDLE_CALLS; i++) {
                HttpConnection.Reply reply = http.post("/async/stamp", "{}");
                long arrived = System.currentTimeMillis();
                expect(reply, 202, "POST /async/stamp");
                JsonNode job = awaitJob(api, JSON.readTree(reply.body()).path("invocationId").asText());
                toStart.add((double) (functionStart(job) - arrived));
                createdToStarted.add((double) (millis(job, "startedAt") - millis(job, "createdAt")));
                Thread.sleep(ThreadLocalRandom.current().nextInt(51)); // never in step with a polling worker
            }
        }
        api.delete("stamp");
        return new AsyncSection.IdleQueue(Latencies.of("202 to function start", toStart),
                Latencies.of("createdAt to startedAt", createdToStarted));
    }

    /** Polls {@code GET /invocations/:id} until the job ends; it must have succeeded. */
    private static JsonNode awaitJob(ServerApi api, String id) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        Thread.sleep(20); // the function itself takes a few ms; don't poll while it is being dispatched
        while (true) {
            JsonNode job = api.getJson("/invocations/" + id);
            String status = job.path("status").asText();
            if (status.equals("succeeded")) {
                return job;
            }
            if (!status.equals("queued") && !status.equals("running")) {
                throw new IOException("job " + id + " ended " + status + ": " + job);
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("job " + id + " did not end within 30 s: " + job);
            }
            Thread.sleep(10);
        }
    }

    private static AsyncSection.Schedules schedules(ServerApi api) throws Exception {
        BenchCommand.progress("async schedules: a function with " + SCHEDULE_CRON + " for " + SCHEDULE_DUE_TIMES
                + " due times");
        long period = SCHEDULE_PERIOD_MILLIS;
        // deploy just after a due time, so that the deploy most likely ends before the next: that one is the first
        sleepUntilMillis(Math.floorDiv(System.currentTimeMillis(), period) * period + period + 50);
        long deployStart = System.currentTimeMillis();
        api.deploy("tick", STAMP, "{\"reuse\": true, \"schedules\": [{\"cron\": \"" + SCHEDULE_CRON + "\"}]}");
        long deployEnd = System.currentTimeMillis();
        try (HttpConnection http = api.connection()) { // starts its reuse container before the first firing
            expect(http.post("/invoke/tick", "{}"), 200, "the warm-up call of tick");
        }
        OptionalLong anchor = ScheduleLateness.firstDue(deployStart, deployEnd, period);
        long firstGuess = anchor.orElse(Math.floorDiv(deployEnd, period) * period + period);
        long lastDue = firstGuess + (SCHEDULE_DUE_TIMES - 1) * period;
        sleepUntilMillis(lastDue + 1200); // the last due time's firing has had more than the second it is allowed
        long skipped = -1;
        try {
            for (JsonNode schedule : api.getJson("/schedules").path("schedules")) {
                if (schedule.path("function").asText().equals("tick")) {
                    skipped = schedule.path("skipped").asLong(-1);
                }
            }
        } catch (IOException e) {
            BenchCommand.progress("async schedules: no skipped count: " + e.getMessage());
        }
        JsonNode jobs = api.getJson("/invocations?function=tick&limit=100").path("invocations");
        api.delete("tick");
        List<ScheduleLateness.Firing> firings = new ArrayList<>();
        for (JsonNode job : jobs) {
            Long start = job.path("status").asText().equals("succeeded") ? functionStart(job) : null;
            firings.add(new ScheduleLateness.Firing(millis(job, "createdAt"), start));
        }
        if (firings.isEmpty()) { // reported as every firing missing
            BenchCommand.progress("async schedules: the schedule " + SCHEDULE_CRON + " of tick never fired");
        }
        long firstDue = anchor.isPresent() || firings.isEmpty() ? firstGuess : ScheduleLateness.firstDueFromFiring(
                firings.stream().mapToLong(ScheduleLateness.Firing::createdAtMillis).min().orElseThrow(), period);
        return new AsyncSection.Schedules(SCHEDULE_CRON, ScheduleLateness.of(firings, firstDue, lastDue, period),
                skipped, anchor.isPresent());
    }

    /**
     * A backlog drained by a warm server, as the synchronous figure is measured on one: it first runs
     * {@link #ASYNC_WARM_UP} jobs; then it drains a backlog twice, the first time to warm up, the second measured.
     * Each time, its slots held by {@link #SLOT_HOLDER} jobs, the server is warmed (3,000 calls, as every measured
     * server) and the backlog queued; then the holders end and the backlog drains.
     *
     * <p>Why twice: a drain of {@value #DRAIN_BACKLOG} jobs lasts a few seconds, about as long as the JIT takes to
     * compile the paths a drain takes and the warm-up jobs did not (a claim of many jobs at once, jobs that wait in
     * the engine for capacity, ended attempts recorded in large batches). Measured while it compiles, on a core this
     * 2-CPU machine would otherwise give the drain, the figure would be the JIT's; the synchronous figure it is
     * compared with is measured over a 10 s run on a server warmed by runs before it.
     */
    private static AsyncSection.Drain drain(Path work, double seconds, Double syncReuse) throws Exception {
        Path dir = work.resolve("drain");
        Path log = work.resolve("drain-server.log");
        BenchCommand.progress("async drain: a server with GLAMBDAR_ASYNC_CONCURRENCY=" + CONCURRENCY + ", its slots"
                + " held by " + CONCURRENCY + " sleeping jobs while it warms up and " + DRAIN_BACKLOG + " jobs queue;"
                + " twice, the first to warm up");
        try (ServerProcess server = ServerProcess.start(dir, log, List.of(), null,
                Map.of("GLAMBDAR_ASYNC_CONCURRENCY", Integer.toString(CONCURRENCY),
                        // the holders wait for one another inside the engine; no 429 while they do
                        "GLAMBDAR_QUEUE_TIMEOUT_SECONDS", "300"))) {
            ServerApi api = server.api();
            api.deploy("holder", SLOT_HOLDER, SLOT_HOLDER_SETTINGS);
            api.deploy("hello", BenchCommand.HELLO, REUSE);
            // The asynchronous path warmed up too, as the synchronous one is below: a server's first thousands of
            // jobs run while the JIT compiles it.
            fill(api, new ConcurrentLinkedQueue<>(), ASYNC_WARM_UP);
            if (!awaitQueueEmpty(api, "hello")) {
                throw new IOException("the drain server's " + ASYNC_WARM_UP + " warm-up jobs did not finish within "
                        + QUEUE_LIMIT.toMinutes() + " minutes");
            }
            DrainCycle first = drainCycle(server, "first (warm-up)");
            DrainCycle measured = drainCycle(server, "second (measured)");
            List<DrainRate.Span> spans = measured.spans();
            // Measured in any case: the same server, function and minute as the drain, on this noisy machine a check
            // on the bench's own reuse figure, which was measured minutes earlier on another server
            BenchCommand.progress("async drain: synchronous reference, POST /invoke/hello at c=" + CONCURRENCY
                    + " for " + BenchCommand.fmt(seconds) + " s on the same server");
            ProcessCpu beforeSync = ProcessCpu.of(server.pid());
            Throughput sync = LoadRunner.forDuration("sync", CONCURRENCY, seconds,
                    () -> BenchCommand.call(api.connection()));
            double syncCpu = ProcessCpu.of(server.pid()).microsPerCall(beforeSync, sync.ok());
            return new AsyncSection.Drain(CONCURRENCY, measured.backlog(), DrainRate.of(spans, 0),
                    DrainRate.of(spans, DRAIN_EXCLUDED), DrainRate.of(spans, spans.size() / 2), measured.failed(),
                    measured.repeated(), syncReuse != null ? syncReuse : sync.perSecond(), syncReuse != null,
                    sync.perSecond(), seconds, measured.cpuPerJob(), syncCpu, DrainRate.of(first.spans(), 0),
                    first.failed());
        }
    }

    /**
     * One drain: the slots held, the server warmed and {@value #DRAIN_BACKLOG} jobs queued, then released.
     *
     * @param backlog   jobs queued when the slots were released
     * @param spans     when each job that succeeded started and finished
     * @param cpuPerJob the server's CPU time per job, µs, through the second half of the drain
     */
    private record DrainCycle(long backlog, List<DrainRate.Span> spans, long failed, long repeated,
                              double cpuPerJob) {
    }

    private static DrainCycle drainCycle(ServerProcess server, String which) throws Exception {
        ServerApi api = server.api();
        Queue<String> ids = new ConcurrentLinkedQueue<>();
        long release = System.currentTimeMillis() + HOLD.toMillis();
        try (HttpConnection http = api.connection()) {
            for (int i = 0; i < CONCURRENCY; i++) {
                expect(http.post("/async/holder", "{\"until\": " + release + "}"), 202, "POST /async/holder");
            }
        }
        // Every holder is in the engine once one runs and the others wait there for it. (A job waiting in the
        // engine shows as queued, so the holders' asyncQueued stays up until they are released.)
        long deadline = System.nanoTime() + QUEUE_LIMIT.toNanos();
        while (!allHeld(api.load()) && System.nanoTime() < deadline) {
            Thread.sleep(POLL);
        }
        BenchCommand.sequentialCalls(api.connection(), 3000);
        long start = System.nanoTime();
        fill(api, ids, DRAIN_BACKLOG);
        long backlog = queued(api, "hello");
        long left = release - System.currentTimeMillis();
        BenchCommand.progress(String.format(Locale.ROOT, "async drain, %s: %d accepted in %.1f s, %d queued; the"
                + " slots are released in %.1f s", which, ids.size(), (System.nanoTime() - start) / 1e9, backlog,
                left / 1000.0));
        if (left <= 0 || backlog != ids.size()) {
            BenchCommand.progress("async drain: the slots were released before the backlog was queued; the drain"
                    + " below is mixed with accepting (raise AsyncBench.HOLD on this machine)");
        }
        sleepUntilMillis(release);
        // the server's CPU time through the second half of the drain
        long halfway = -1;
        ProcessCpu atHalf = null;
        while (!(queued(api, "hello") == 0 && running(api, "hello") == 0) && System.nanoTime() < deadline) {
            if (atHalf == null && queued(api, "hello") <= backlog / 2) {
                atHalf = ProcessCpu.of(server.pid());
                halfway = System.currentTimeMillis();
            }
            Thread.sleep(POLL);
        }
        ProcessCpu atEnd = ProcessCpu.of(server.pid());
        BenchCommand.progress("async drain: reading the " + ids.size() + " jobs' records");
        List<JsonNode> jobs = records(api, List.copyOf(ids));
        List<DrainRate.Span> spans = new ArrayList<>();
        long failed = 0;
        long repeated = 0;
        for (JsonNode job : jobs) {
            if (!job.path("status").asText().equals("succeeded")) {
                failed++;
                continue;
            }
            if (job.path("attempts").asInt() > 1) {
                repeated++;
            }
            spans.add(new DrainRate.Span(millis(job, "startedAt"), millis(job, "finishedAt")));
        }
        long from = halfway;
        double cpuPerJob = atHalf == null ? Double.NaN
                : atEnd.microsPerCall(atHalf, spans.stream().filter(s -> s.startedAtMillis() >= from).count());
        BenchCommand.progress(String.format(Locale.ROOT, "async drain, %s: %.0f jobs/s", which,
                DrainRate.of(spans, 0).perSecond()));
        return new DrainCycle(backlog, spans, failed, repeated, cpuPerJob);
    }

    /**
     * Each job's record, by {@code GET /invocations/:id} (the list route shows at most the newest 1,000), a few
     * requests at a time; the measurement is over.
     */
    private static List<JsonNode> records(ServerApi api, List<String> ids) throws Exception {
        JsonNode[] records = new JsonNode[ids.size()];
        AtomicInteger next = new AtomicInteger();
        List<Future<?>> readers = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int r = 0; r < 4; r++) {
                readers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < records.length; i = next.getAndIncrement()) {
                        records[i] = api.getJson("/invocations/" + ids.get(i));
                    }
                    return null;
                }));
            }
            for (Future<?> reader : readers) {
                try {
                    reader.get();
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof Exception cause ? cause : e;
                }
            }
        }
        return List.of(records);
    }

    /** {@code POST /async/hello} at c=32, {@code count} times, their ids added to {@code ids}. */
    private static void fill(ServerApi api, Queue<String> ids, int count) throws Exception {
        AtomicInteger tickets = new AtomicInteger(count);
        LongAdder failures = new LongAdder();
        AtomicReference<String> firstError = new AtomicReference<>();
        try (ExecutorService callers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < CONCURRENCY; i++) {
                callers.execute(() -> {
                    LoadRunner.Call call = asyncCall(api.connection(), null, ids, firstError);
                    while (tickets.getAndDecrement() > 0 && failures.sum() < 100) {
                        try {
                            if (call.call() != LoadRunner.Outcome.OK) {
                                failures.increment();
                            }
                        } catch (Exception e) {
                            firstError.compareAndSet(null, e.toString());
                            failures.increment();
                        }
                    }
                });
            }
            callers.shutdown();
            callers.awaitTermination(2, TimeUnit.MINUTES);
        }
        if (failures.sum() > 0) {
            BenchCommand.progress("async drain: " + failures.sum() + " calls were not accepted; the first: "
                    + firstError.get());
        }
    }

    /** Waits until the function has no job queued or running; false if that took longer than a few minutes. */
    private static boolean awaitQueueEmpty(ServerApi api, String name) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + QUEUE_LIMIT.toNanos();
        while (System.nanoTime() < deadline) {
            if (queued(api, name) == 0 && api.getJson("/invocations?function=" + name + "&status=running&limit=1")
                    .path("invocations").isEmpty()) {
                return true;
            }
            Thread.sleep(POLL);
        }
        BenchCommand.progress("async: " + name + " still had jobs queued or running after "
                + QUEUE_LIMIT.toMinutes() + " minutes");
        return false;
    }

    private static int running(ServerApi api, String name) throws IOException, InterruptedException {
        return api.getJson("/invocations?function=" + name + "&status=running&limit=" + CONCURRENCY)
                .path("invocations").size();
    }

    /** Whether every holder job is in the engine: one running, the others waiting for it. */
    static boolean allHeld(ServerApi.Load load) {
        return load.running() >= 1 && load.running() + load.waiting() >= CONCURRENCY;
    }

    private static long queued(ServerApi api, String name) throws IOException, InterruptedException {
        JsonNode info = api.getJson("/info/" + name);
        if (!info.path("asyncQueued").canConvertToLong()) {
            throw new IOException("GET /info/" + name + " has no asyncQueued count: " + info);
        }
        return info.path("asyncQueued").asLong();
    }

    /** The function's {@code invokeCount}; -1 if absent. */
    private static long invokeCount(ServerApi api, String name) throws IOException, InterruptedException {
        return api.getJson("/info/" + name).path("invokeCount").asLong(-1);
    }

    /** What a succeeded job of {@link #STAMP} returned: when the function started, epoch ms. */
    private static long functionStart(JsonNode job) throws IOException {
        String body = job.path("result").path("body").asText();
        try {
            return Long.parseLong(body.trim());
        } catch (NumberFormatException e) {
            throw new IOException("job " + job.path("invocationId").asText() + " returned " + body
                    + ", not a time: " + job);
        }
    }

    private static long millis(JsonNode job, String field) throws IOException {
        String text = job.path(field).asText(null);
        if (text == null || text.equals("null")) {
            throw new IOException("job " + job.path("invocationId").asText() + " has no " + field + ": " + job);
        }
        return Instant.parse(text).toEpochMilli();
    }

    private static void expect(HttpConnection.Reply reply, int status, String what) throws IOException {
        if (reply.status() != status) {
            throw new IOException(what + " answered " + reply.status() + ": " + reply.body());
        }
    }

    private static void sleepUntilMillis(long epochMillis) throws InterruptedException {
        long wait = epochMillis - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }
}
