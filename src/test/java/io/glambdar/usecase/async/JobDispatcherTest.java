package io.glambdar.usecase.async;

import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationResult;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobOutcome;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.usecase.InvokeFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.usecase.async.AsyncFixtures.deploy;
import static io.glambdar.usecase.async.AsyncFixtures.request;
import static io.glambdar.usecase.async.AsyncFixtures.until;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The dispatcher's loop on a real store with a fake engine whose invocations the test holds. The test's clock stands
 * still unless the test moves it, so only what the test set up is due; waiting is by polling with a generous bound.
 */
class JobDispatcherTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final String NODE = "local";

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger mostInFlight = new AtomicInteger();
    private TestStore store;
    private final List<JobDispatcher> dispatchers = new ArrayList<>();

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        deploy(store, "f", null);
    }

    @AfterEach
    void close() {
        release.countDown();
        dispatchers.forEach(JobDispatcher::close);
        store.close();
    }

    private JobDispatcher dispatcher(int concurrency, Duration idlePoll) {
        return dispatcher(store.jobs, concurrency, idlePoll);
    }

    private JobDispatcher dispatcher(JobRepository jobs, int concurrency, Duration idlePoll) {
        JobDispatcher dispatcher = new JobDispatcher(jobs, store.catalog,
                new InvokeFunction(store.catalog, invoker, store.clock),
                new JobDispatcher.Settings(concurrency, LEASE, idlePoll, Duration.ofMinutes(1), Duration.ofHours(1)),
                store.clock, NODE, AttemptListener.NONE);
        dispatchers.add(dispatcher);
        return dispatcher;
    }

    /** Every invocation waits for {@link #release}; how many run at once is counted. */
    private void holdInvocations() {
        invoker.answer((fn, request) -> {
            int now = inFlight.incrementAndGet();
            mostInFlight.accumulateAndGet(now, Math::max);
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new AssertionError("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inFlight.decrementAndGet();
            }
            return FakeInvoker.ok("inv", "{}");
        });
    }

    private String accept(JobDispatcher dispatcher) {
        AcceptInvocation accept = new AcceptInvocation(store.catalog, store.jobs,
                dispatcher == null ? () -> { } : dispatcher::wake, store.clock);
        return accept.accept("f", request("{}"), null, null).job().id();
    }

    private Job job(String id) {
        return AsyncFixtures.job(store, id);
    }

    private List<Job> withStatus(JobStatus status) {
        return store.jobs.list("f", status, 100);
    }

    @Test
    void atMostConcurrencyAttemptsRunAtOnceAndTheRestRunAsSlotsFree() {
        JobDispatcher dispatcher = dispatcher(2, Duration.ofMillis(20));
        holdInvocations();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(accept(dispatcher));
        }

        dispatcher.start();
        until("two attempts in the engine", () -> invoker.invocations.size() == 2);

        assertThat(dispatcher.running()).isEqualTo(2);
        assertThat(inFlight).hasValue(2);
        assertThat(withStatus(JobStatus.RUNNING)).hasSize(2);
        assertThat(withStatus(JobStatus.QUEUED)).hasSize(3);

        release.countDown();
        until("every job succeeded", () -> withStatus(JobStatus.SUCCEEDED).size() == 5);

        assertThat(mostInFlight).as("never more than the concurrency").hasValue(2);
        assertThat(invoker.invocations).hasSize(5);
        assertThat(invoker.invocations).extracting(FakeInvoker.Call::invocationId)
                .containsExactlyInAnyOrderElementsOf(ids);
        assertThat(ids).allSatisfy(id -> assertThat(job(id).attempts()).isEqualTo(1));
        until("no attempt left running", () -> dispatcher.running() == 0);
    }

    /** The store, except that recording a job's end waits for {@code recordings}. */
    private JobRepository withHeldRecordings(CountDownLatch recordings) {
        return (JobRepository) Proxy.newProxyInstance(JobRepository.class.getClassLoader(),
                new Class<?>[]{JobRepository.class}, (proxy, method, args) -> {
                    if (method.getName().equals("complete") && !recordings.await(30, TimeUnit.SECONDS)) {
                        throw new AssertionError("recordings never released");
                    }
                    try {
                        return method.invoke(store.jobs, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    @Test
    void aSlotIsFreeOnceTheEngineIsDoneNotOnlyOnceTheJobsEndIsRecorded() {
        CountDownLatch recordings = new CountDownLatch(1);
        JobDispatcher dispatcher = dispatcher(withHeldRecordings(recordings), 1, Duration.ofHours(1));
        invoker.answer((fn, request) -> FakeInvoker.ok("inv", "{}"));
        String first = accept(dispatcher);
        String second = accept(dispatcher);

        dispatcher.start();
        until("both attempts ran, one slot after the other", () -> invoker.invocations.size() == 2);

        assertThat(job(first).status()).as("its end is still being recorded").isEqualTo(JobStatus.RUNNING);
        assertThat(job(second).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(dispatcher.running()).isZero();
        assertThat(dispatcher.held()).isEqualTo(2);
        recordings.countDown();
        until("both recorded", () -> withStatus(JobStatus.SUCCEEDED).size() == 2);
        until("none held", () -> dispatcher.held() == 0);
    }

    @Test
    void jobsWhoseEndsAreStillBeingRecordedAreBoundedAtTwiceTheConcurrency() {
        CountDownLatch recordings = new CountDownLatch(1);
        JobDispatcher dispatcher = dispatcher(withHeldRecordings(recordings), 2, Duration.ofMillis(20));
        invoker.answer((fn, request) -> FakeInvoker.ok("inv", "{}"));
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(accept(dispatcher));
        }

        dispatcher.start();
        until("four attempts ran", () -> invoker.invocations.size() == 4);
        // The idle poll (20 ms) comes round many times while the four ends wait: none starts a fifth.
        until("the dispatcher polled again", () -> Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("job-dispatcher") && t.getState() == Thread.State.TIMED_WAITING));
        assertThat(invoker.invocations).hasSize(4);
        assertThat(withStatus(JobStatus.QUEUED)).hasSize(2);
        assertThat(dispatcher.held()).isEqualTo(4);

        recordings.countDown();
        until("every job succeeded", () -> withStatus(JobStatus.SUCCEEDED).size() == 6);
        assertThat(invoker.invocations).extracting(FakeInvoker.Call::invocationId)
                .containsExactlyInAnyOrderElementsOf(ids);
    }

    @Test
    void aNewJobIsStartedAtOnceWhenTheDispatcherIsWokenNotAtTheNextPoll() {
        JobDispatcher dispatcher = dispatcher(2, Duration.ofHours(1));
        dispatcher.start();
        until("the dispatcher found nothing and waits for its next poll, an hour away",
                () -> Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("job-dispatcher")
                        && t.getState() == Thread.State.TIMED_WAITING));

        String id = accept(dispatcher); // wakes it

        until("the job succeeded", () -> job(id).status() == JobStatus.SUCCEEDED);
        assertThat(invoker.invocations).hasSize(1);
    }

    @Test
    void startRecoversTheJobsAnEarlierProcessOfThisNodeLeftRunningAndNoOneElses() {
        String dead = accept(null);
        String otherNode = accept(null);
        String similarName = accept(null);
        List<Job> claimed = new ArrayList<>();
        claimed.addAll(store.jobs.claim("local/dead-process", T0, LEASE, 1));
        claimed.addAll(store.jobs.claim("other/process", T0, LEASE, 1));
        claimed.addAll(store.jobs.claim("localhost/process", T0, LEASE, 1));
        assertThat(claimed).extracting(Job::id).containsExactlyInAnyOrder(dead, otherNode, similarName);
        String deadJob = claimed.get(0).id();
        String otherJob = claimed.get(1).id();
        String similarJob = claimed.get(2).id();

        dispatcher(2, Duration.ofMillis(20)).start();

        until("the dead process's job ran again", () -> job(deadJob).status() == JobStatus.SUCCEEDED);
        assertThat(job(deadJob).attempts()).as("the attempt cut off counts").isEqualTo(2);
        assertThat(invoker.invocations).singleElement().satisfies(call -> {
            assertThat(call.invocationId()).isEqualTo(deadJob);
            assertThat(call.request().headers().get(AcceptInvocation.ATTEMPT_HEADER)).containsExactly("2");
        });
        assertThat(job(otherJob).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job(otherJob).leaseOwner()).isEqualTo("other/process");
        assertThat(job(similarJob).status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job(similarJob).leaseOwner()).isEqualTo("localhost/process");
    }

    @Test
    void aJobWhoseLeaseRanOutIsQueuedAgainAndRun() {
        String id = accept(null);
        store.jobs.claim("other/stalled", T0, LEASE, 1);
        store.clock.advance(LEASE.plusSeconds(1));

        dispatcher(2, Duration.ofMillis(20)).start();

        until("the job ran again", () -> job(id).status() == JobStatus.SUCCEEDED);
        assertThat(job(id).attempts()).isEqualTo(2);
    }

    @Test
    void aQueuedJobPastItsAgeIsExpiredWithoutRunning() {
        deploy(store, "old", "{\"maxAgeSeconds\": 10}");
        String id = new AcceptInvocation(store.catalog, store.jobs, () -> { }, store.clock)
                .accept("old", request("{}"), null, null).job().id();
        store.clock.advance(Duration.ofSeconds(10));

        dispatcher(2, Duration.ofMillis(20)).start();

        until("the job expired", () -> job(id).status() == JobStatus.EXPIRED);
        assertThat(job(id).error().code()).isEqualTo("expired");
        assertThat(invoker.invocations).isEmpty();
    }

    @Test
    void recordsOlderThanTheRetentionAreDeleted() {
        String old = accept(null);
        store.jobs.claim("local/x", T0, LEASE, 1);
        store.jobs.complete(old, "local/x", JobOutcome.succeeded(1, null, null, null, T0));
        store.clock.advance(Duration.ofHours(1).plusSeconds(1));
        String recent = accept(null);
        holdInvocations(); // the recent one stays running, so it cannot end and be deleted either

        dispatcher(2, Duration.ofMillis(20)).start();

        until("the old record is deleted", () -> store.jobs.find(old).isEmpty());
        assertThat(store.jobs.find(recent)).isPresent();
    }

    @Test
    void recordsPastTheRetentionAreDeletedWithinAHundredthOfItBetweenASecondAndAMinute() {
        assertThat(JobDispatcher.retentionSweep(Duration.ofSeconds(36))).as("0.01 h").isEqualTo(Duration.ofSeconds(1));
        assertThat(JobDispatcher.retentionSweep(Duration.ofMillis(1))).isEqualTo(Duration.ofSeconds(1));
        assertThat(JobDispatcher.retentionSweep(Duration.ofHours(1))).isEqualTo(Duration.ofSeconds(36));
        assertThat(JobDispatcher.retentionSweep(Duration.ofHours(168))).as("the default").isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void stopClaimingLetsTheRunningAttemptFinishAndStartsNoOther() {
        JobDispatcher dispatcher = dispatcher(2, Duration.ofMillis(20));
        holdInvocations();
        String first = accept(dispatcher);
        dispatcher.start();
        until("the first attempt is in the engine", () -> invoker.invocations.size() == 1);

        dispatcher.stopClaiming();
        String second = accept(dispatcher);
        release.countDown();
        until("the first attempt recorded its end", () -> job(first).status() == JobStatus.SUCCEEDED);
        dispatcher.close();

        assertThat(job(second).status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job(second).attempts()).isZero();
        assertThat(invoker.invocations).hasSize(1);
        assertThat(dispatcher.running()).isZero();
    }

    @Test
    void aFailedAttemptIsRetriedByTheLoopOnceItsDelayIsDue() {
        deploy(store, "flaky", "{\"retries\": 1, \"retryDelaySeconds\": 30}");
        AtomicInteger calls = new AtomicInteger();
        invoker.answer((fn, request) -> calls.incrementAndGet() == 1
                ? FakeInvoker.failed("inv", InvocationResult.Failure.FUNCTION_ERROR, "handler_threw")
                : FakeInvoker.ok("inv", "{}"));
        JobDispatcher dispatcher = dispatcher(2, Duration.ofMillis(20));
        String id = new AcceptInvocation(store.catalog, store.jobs, dispatcher::wake, store.clock)
                .accept("flaky", request("{}"), null, null).job().id();
        dispatcher.start();
        until("the first attempt failed", () -> job(id).attempts() == 1 && job(id).status() == JobStatus.QUEUED);
        assertThat(job(id).nextAttemptAt()).isAfter(T0);

        store.clock.set(job(id).nextAttemptAt());

        until("the retry succeeded", () -> job(id).status() == JobStatus.SUCCEEDED);
        assertThat(job(id).attempts()).isEqualTo(2);
        assertThat(invoker.invocations).hasSize(2);
    }
}
