package io.glambdar.usecase.async;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Delivers callbacks ({@code X-Glambdar-Callback-Url}): when a job ends (succeeded, failed, expired) its record is
 * POSTed as JSON to the URL; a connection error, a timeout or a non-2xx answer is retried {@link #RETRIES} 1 s, 5 s
 * and 25 s after the first try, then given up. The job's own status never depends on it. What is due lives in the
 * job store, so callbacks pending at a crash are made after the restart.
 */
public final class CallbackSender implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CallbackSender.class);
    /** When the retries are due, counted from the first try (SPEC). */
    static final List<Duration> RETRIES = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(25));
    private static final int BATCH = 64;
    private static final Duration POLL = Duration.ofMillis(250);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final JobRepository jobs;
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;
    private final Set<String> sending = ConcurrentHashMap.newKeySet();
    /**
     * When each try that ended since the last read of what is due ended ({@link System#nanoTime()}): a row read
     * before its try ended is stale (still due, its count of tries old) and is not sent again.
     */
    private final Map<String, Long> triedAt = new ConcurrentHashMap<>();
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final Wakeup wakeup = new Wakeup();
    private volatile boolean stopping;
    private Thread loop;

    /** @param timeout for each POST: connecting and the whole answer */
    public CallbackSender(JobRepository jobs, Duration timeout, Clock clock) {
        this.jobs = jobs;
        this.timeout = timeout;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade attempt on a POST to an http:// URL
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(senders)
                .build();
    }

    public void start() {
        loop = Thread.ofPlatform().name("callback-sender").daemon().start(this::deliver);
    }

    /** A job ended: its callback may be due now. */
    public void wake() {
        wakeup.wake();
    }

    private void deliver() {
        while (!stopping) {
            try {
                long readAt = System.nanoTime();
                for (Job job : jobs.dueCallbacks(now(), BATCH)) {
                    if (sending.add(job.id())) {
                        Long tried = triedAt.get(job.id());
                        if (tried != null && tried - readAt >= 0) { // read while its last try was under way
                            sending.remove(job.id());
                            continue;
                        }
                        senders.execute(() -> send(job));
                    }
                }
                // Tries that ended before this read began are in what it read, and in every later read.
                triedAt.values().removeIf(tried -> tried - readAt < 0);
            } catch (RuntimeException e) {
                if (!stopping) {
                    log.warn("Could not read the callbacks due: {}", e.toString());
                }
            }
            if (!stopping && !wakeup.await(POLL)) {
                return;
            }
        }
    }

    private void send(Job job) {
        try {
            String problem = post(job);
            int made = job.callback().attempts() + 1;
            Instant next = null;
            if (problem != null && made <= RETRIES.size()) {
                Instant firstTry = job.finishedAt() == null ? now() : job.finishedAt();
                next = max(firstTry.plus(RETRIES.get(made - 1)), now());
            }
            if (problem != null) {
                log.info("Callback of invocation {} to {} failed ({}){}", job.id(), job.callback().url(), problem,
                        next == null ? "; giving up after " + made + " tries" : "; trying again at " + next);
            }
            jobs.callbackAttempted(job.id(), next);
        } catch (RuntimeException e) {
            log.warn("Callback of invocation {}: {}", job.id(), e.toString());
        } finally {
            triedAt.put(job.id(), System.nanoTime());
            sending.remove(job.id());
        }
    }

    /** @return null when the URL answered 2xx; otherwise what went wrong */
    private String post(Job job) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(JobView.of(job));
        } catch (JsonProcessingException e) {
            return "cannot write the record: " + e.getMessage();
        }
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(job.callback().url()))
                    .timeout(timeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "glambdar-callback")
                    .header("X-Glambdar-Invocation-Id", job.id())
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
            // The request's timeout ends at the answer's status and headers; its body is not read but closed at
            // once (which ends the exchange), so a target that never sends the body cannot hold this sender.
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            response.body().close();
            int status = response.statusCode();
            return status >= 200 && status < 300 ? null : "answered " + status;
        } catch (IOException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    /** Stops; callbacks not yet made stay due in the store and are made after the next start. */
    @Override
    public void close() {
        stopping = true;
        wake();
        senders.shutdownNow();
        try {
            senders.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.close();
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }
}
