package io.glambdar.usecase.async;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobOutcome;
import io.glambdar.store.jobs.JobReport;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.usecase.async.AsyncInvocations.BadQueryException;
import io.glambdar.usecase.async.AsyncInvocations.JobNotFoundException;
import io.glambdar.usecase.async.AsyncInvocations.JobStateException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.usecase.async.AsyncFixtures.deploy;
import static io.glambdar.usecase.async.AsyncFixtures.job;
import static io.glambdar.usecase.async.AsyncFixtures.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The records of asynchronous invocations: reading, listing, cancelling, retrying. */
class AsyncInvocationsTest {

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final String OWNER = "local/worker";

    @TempDir
    Path dir;

    private TestStore store;
    private final AtomicInteger wakeUps = new AtomicInteger();
    private AcceptInvocation accept;
    private AsyncInvocations invocations;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        accept = new AcceptInvocation(store.catalog, store.jobs, () -> { }, store.clock);
        invocations = new AsyncInvocations(store.catalog, store.jobs, wakeUps::incrementAndGet, store.clock);
        deploy(store, "f", null);
        deploy(store, "g", null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---------------------------------------------------------------- jobs in every state

    private String queued(String function) {
        return accept.accept(function, request("{}"), null, null).job().id();
    }

    /** A queued job of {@code f}, claimed: it is the only one due. */
    private String running() {
        String id = queued("f");
        List<Job> claimed = store.jobs.claim(OWNER, store.clock.instant(), LEASE, 10);
        assertThat(claimed).extracting(Job::id).containsExactly(id);
        return id;
    }

    private String succeeded() {
        String id = running();
        assertThat(store.jobs.complete(id, OWNER, JobOutcome.succeeded(1, new JobResult(200, Map.of(),
                "ok".getBytes(StandardCharsets.UTF_8)), "log\n", new JobReport(3, 0, false, null, "ok"),
                store.clock.instant()))).isTrue();
        return id;
    }

    private String failed() {
        String id = running();
        assertThat(store.jobs.complete(id, OWNER, JobOutcome.failed(1, new JobError("handler_threw", "boom"),
                "stack\n", new JobReport(3, 0, false, null, "error"), store.clock.instant()))).isTrue();
        return id;
    }

    private String expired() {
        String id = running();
        assertThat(store.jobs.expire(id, OWNER, store.clock.instant(), new JobError("expired", "too old"))).isTrue();
        return id;
    }

    private String cancelled() {
        String id = queued("f");
        invocations.cancel(id);
        return id;
    }

    // ---------------------------------------------------------------- get

    @Test
    void getReturnsTheJobAndAnUnknownIdIsNotFound() {
        String id = queued("f");

        assertThat(invocations.get(id)).usingRecursiveComparison().isEqualTo(job(store, id));
        assertThatThrownBy(() -> invocations.get("no-such-id")).isInstanceOf(JobNotFoundException.class)
                .hasMessageContaining("'no-such-id'").hasMessageContaining("GLAMBDAR_ASYNC_RETENTION_HOURS");
    }

    // ---------------------------------------------------------------- list

    @Test
    void listIsNewestFirstFilteredByFunctionAndStatusAndLimited() {
        String f1 = failed();
        store.clock.advance(Duration.ofSeconds(1));
        String g1 = queued("g");
        store.clock.advance(Duration.ofSeconds(1));
        String f2 = queued("f");

        assertThat(invocations.list(null, null, null)).extracting(Job::id).containsExactly(f2, g1, f1);
        assertThat(invocations.list("", " ", "")).as("blank is no filter").extracting(Job::id)
                .containsExactly(f2, g1, f1);
        assertThat(invocations.list("f", null, null)).extracting(Job::id).containsExactly(f2, f1);
        assertThat(invocations.list(null, "queued", null)).extracting(Job::id).containsExactly(f2, g1);
        assertThat(invocations.list("f", "failed", null)).extracting(Job::id).containsExactly(f1);
        assertThat(invocations.list("g", "failed", null)).isEmpty();
        assertThat(invocations.list("ghost", null, null)).as("an unknown function has no jobs, no error").isEmpty();
        assertThat(invocations.list(null, null, "2")).extracting(Job::id).containsExactly(f2, g1);
        assertThat(invocations.list(null, null, " 1 ")).extracting(Job::id).containsExactly(f2);
        assertThat(invocations.list(null, " FAILED ", "1000")).extracting(Job::id).containsExactly(f1);
    }

    @Test
    void listTakesEveryStatus() {
        String s = succeeded();
        String x = failed();
        String e = expired();
        String c = cancelled();
        String r = running();
        String q = queued("f"); // last: the helpers above claim every job due

        assertThat(invocations.list(null, "queued", null)).extracting(Job::id).containsExactly(q);
        assertThat(invocations.list(null, "running", null)).extracting(Job::id).containsExactly(r);
        assertThat(invocations.list(null, "succeeded", null)).extracting(Job::id).containsExactly(s);
        assertThat(invocations.list(null, "failed", null)).extracting(Job::id).containsExactly(x);
        assertThat(invocations.list(null, "expired", null)).extracting(Job::id).containsExactly(e);
        assertThat(invocations.list(null, "cancelled", null)).extracting(Job::id).containsExactly(c);
    }

    @ParameterizedTest
    @ValueSource(strings = {"bogus", "done", "queued,failed", "dead"})
    void anUnknownStatusIsABadQueryNamingTheGoodOnes(String status) {
        assertThatThrownBy(() -> invocations.list(null, status, null)).isInstanceOf(BadQueryException.class)
                .hasMessageContaining("'" + status + "'")
                .hasMessageContaining("queued, running, succeeded, failed, expired or cancelled");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "-1", "abc", "1.5", "99999999999"})
    void aLimitOutsideOneToAThousandIsABadQuery(String limit) {
        assertThatThrownBy(() -> invocations.list(null, null, limit)).isInstanceOf(BadQueryException.class)
                .hasMessageContaining("from 1 to 1000").hasMessageContaining("'" + limit + "'");
    }

    @Test
    void aBadFunctionNameIsRefusedAsBadRequest() {
        assertThatThrownBy(() -> invocations.list("a.b", null, null)).isInstanceOf(DeployRejectedException.class)
                .hasMessageContaining("invalid function name")
                .satisfies(e -> assertThat(((DeployRejectedException) e).reason())
                        .isEqualTo(DeployRejectedException.Reason.BAD_REQUEST));
    }

    // ---------------------------------------------------------------- cancel

    @Test
    void cancellingAQueuedJobEndsItCancelledWithWhoDidIt() {
        String id = queued("f");
        store.clock.advance(Duration.ofSeconds(5));

        invocations.cancel(id);

        Job job = job(store, id);
        assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(job.finishedAt()).isEqualTo(T0.plusSeconds(5));
        assertThat(job.error().code()).isEqualTo("cancelled");
        assertThat(job.error().message()).contains("DELETE /invocations/" + id);
        assertThat(wakeUps).hasValue(0);
    }

    @Test
    void onlyAQueuedJobCanBeCancelled() {
        for (String id : List.of(running(), succeeded(), failed(), expired(), cancelled())) {
            Job before = job(store, id);

            assertThatThrownBy(() -> invocations.cancel(id)).as(before.status().dbName())
                    .isInstanceOf(JobStateException.class)
                    .hasMessageContaining("is " + before.status().dbName())
                    .hasMessageContaining("only a queued invocation can be cancelled");
            assertThat(job(store, id)).usingRecursiveComparison().isEqualTo(before);
        }
        assertThatThrownBy(() -> invocations.cancel("no-such-id")).isInstanceOf(JobNotFoundException.class);
    }

    // ---------------------------------------------------------------- retry

    @Test
    void aJobWhoseFunctionIsNotDeployedCannotBeRetriedAndSaysWhatToDo() {
        String id = failed();
        store.catalog.remove("f");

        assertThatThrownBy(() -> invocations.retry(id)).isInstanceOf(JobStateException.class)
                .hasMessageContaining("function 'f'").hasMessageContaining("is not deployed; deploy it, then retry");
        assertThat(job(store, id).status()).isEqualTo(JobStatus.FAILED);
        assertThat(wakeUps).hasValue(0);
    }

    @Test
    void aFailedExpiredOrCancelledJobIsQueuedAgainWithFreshAttemptsAndTheDispatcherIsWoken() {
        List<String> ids = List.of(failed(), expired(), cancelled());
        store.clock.advance(Duration.ofHours(2));
        Instant retriedAt = store.clock.instant();

        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            Job job = invocations.retry(id);

            assertThat(job.id()).isEqualTo(id);
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(job.attempts()).isZero();
            assertThat(job.nextAttemptAt()).isEqualTo(retriedAt);
            assertThat(job.ageFrom()).as("its age counts from the retry").isEqualTo(retriedAt);
            assertThat(job.createdAt()).isEqualTo(T0);
            assertThat(job.finishedAt()).isNull();
            assertThat(job.error()).isNull();
            assertThat(job.result()).isNull();
            assertThat(job.report()).isNull();
            assertThat(job(store, id)).usingRecursiveComparison().isEqualTo(job);
            assertThat(wakeUps).hasValue(i + 1);
        }
    }

    @Test
    void aQueuedRunningOrSucceededJobCannotBeRetried() {
        String succeeded = succeeded();
        String running = running();
        String queued = queued("f"); // last: the helpers above claim every job due

        for (String id : List.of(queued, running, succeeded)) {
            Job before = job(store, id);

            assertThatThrownBy(() -> invocations.retry(id)).as(before.status().dbName())
                    .isInstanceOf(JobStateException.class)
                    .hasMessageContaining("is " + before.status().dbName())
                    .hasMessageContaining("only a failed, expired or cancelled invocation can be retried");
            assertThat(job(store, id)).usingRecursiveComparison().isEqualTo(before);
        }
        assertThatThrownBy(() -> invocations.retry("no-such-id")).isInstanceOf(JobNotFoundException.class);
        assertThat(wakeUps).hasValue(0);
    }
}
