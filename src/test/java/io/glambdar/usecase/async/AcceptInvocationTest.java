package io.glambdar.usecase.async;

import io.glambdar.function.AsyncPolicy;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import io.glambdar.store.VersionNotFoundException;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobCallback;
import io.glambdar.store.jobs.JobRequest;
import io.glambdar.store.jobs.JobStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.usecase.async.AsyncFixtures.deploy;
import static io.glambdar.usecase.async.AsyncFixtures.job;
import static io.glambdar.usecase.async.AsyncFixtures.request;
import static io.glambdar.usecase.async.AsyncFixtures.update;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code POST /async/:name[@N]} below HTTP: the checks before a job is stored, and what is stored. */
class AcceptInvocationTest {

    @TempDir
    Path dir;

    private TestStore store;
    private final AtomicInteger wakeUps = new AtomicInteger();
    private AcceptInvocation accept;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        accept = new AcceptInvocation(store.catalog, store.jobs, wakeUps::incrementAndGet, store.clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aJobIsStoredQueuedForTheFunctionsLifeAndTheDispatcherIsWoken() {
        StoredFunction f = deploy(store, "f", null);
        JobRequest request = request("{\"n\": 1}");

        AcceptInvocation.Accepted accepted = accept.accept("f", request, "https://example.com/hook", null);

        assertThat(accepted.isNew()).isTrue();
        Job job = accepted.job();
        assertThat(job.id()).isNotBlank();
        assertThat(job.functionName()).isEqualTo("f");
        assertThat(job.functionId()).isEqualTo(f.functionId());
        assertThat(job.version()).as("no version named: the one active when it runs").isNull();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.attempts()).isZero();
        assertThat(job.createdAt()).isEqualTo(T0);
        assertThat(job.nextAttemptAt()).isEqualTo(T0);
        assertThat(job.policy()).isEqualTo(AsyncPolicy.DEFAULTS);
        assertThat(job.request()).usingRecursiveComparison().isEqualTo(request);
        assertThat(job.callback()).isEqualTo(new JobCallback("https://example.com/hook", 0, null, false));
        assertThat(job.idempotencyKey()).isNull();
        assertThat(job(store, job.id())).usingRecursiveComparison().isEqualTo(job);
        assertThat(wakeUps).hasValue(1);
    }

    @Test
    void eachAcceptIsANewJobWithANewId() {
        deploy(store, "f", null);

        Job a = accept.accept("f", request("{}"), null, null).job();
        Job b = accept.accept("f", request("{}"), null, null).job();

        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(store.jobs.list("f", null, 10)).hasSize(2);
        assertThat(wakeUps).hasValue(2);
    }

    @Test
    void anUnknownFunctionIsRefusedAndNothingIsQueued() {
        assertThatThrownBy(() -> accept.accept("ghost", request("{}"), null, null))
                .isInstanceOf(FunctionNotFoundException.class).hasMessageContaining("'ghost'");
        assertThatThrownBy(() -> accept.accept("ghost@1", request("{}"), null, null))
                .isInstanceOf(FunctionNotFoundException.class);

        assertThat(store.jobs.list(null, null, 10)).isEmpty();
        assertThat(wakeUps).hasValue(0);
    }

    @Test
    void aVersionThatIsNotKeptIsRefusedAndABadOneIsABadRequest() {
        deploy(store, "f", null);

        assertThatThrownBy(() -> accept.accept("f@2", request("{}"), null, null))
                .isInstanceOf(VersionNotFoundException.class).hasMessageContaining("2");
        assertThatThrownBy(() -> accept.accept("f@abc", request("{}"), null, null))
                .isInstanceOf(DeployRejectedException.class).hasMessageContaining("invalid version")
                .satisfies(e -> assertThat(((DeployRejectedException) e).reason())
                        .isEqualTo(DeployRejectedException.Reason.BAD_REQUEST));
        assertThatThrownBy(() -> accept.accept("a.b", request("{}"), null, null))
                .isInstanceOf(DeployRejectedException.class).hasMessageContaining("invalid function name");

        assertThat(store.jobs.list(null, null, 10)).isEmpty();
        assertThat(wakeUps).hasValue(0);
    }

    @Test
    void nameAtNPinsTheVersionAndTakesThatVersionsPolicy() {
        deploy(store, "f", "{\"retries\": 5, \"retryDelaySeconds\": 1.5, \"maxAgeSeconds\": 600}");
        update(store, "f", "{\"retries\": 0}");

        Job pinned = accept.accept("f@1", request("{}"), null, null).job();
        Job active = accept.accept("f", request("{}"), null, null).job();
        Job pinnedToActive = accept.accept("f@2", request("{}"), null, null).job();

        assertThat(pinned.version()).isEqualTo(1);
        assertThat(pinned.policy()).isEqualTo(new AsyncPolicy(5, Duration.ofMillis(1500), Duration.ofMinutes(10)));
        assertThat(pinned.expiresAt()).isEqualTo(T0.plus(Duration.ofMinutes(10)));
        assertThat(active.version()).isNull();
        assertThat(active.policy()).as("version 2's, with the defaults it did not set")
                .isEqualTo(new AsyncPolicy(0, AsyncPolicy.DEFAULT_RETRY_DELAY, AsyncPolicy.DEFAULT_MAX_AGE));
        assertThat(pinnedToActive.version()).isEqualTo(2);
        assertThat(pinnedToActive.policy()).isEqualTo(active.policy());
    }

    @Test
    void theSameIdempotencyKeyReturnsTheFirstJobQueuesNothingAndWakesNoOne() {
        deploy(store, "f", null);
        deploy(store, "g", null);
        Job first = accept.accept("f", request("{\"n\": 1}"), null, "order-7").job();
        store.clock.advance(Duration.ofHours(23));

        AcceptInvocation.Accepted again = accept.accept("f", request("{\"n\": 2, \"other\": \"body\"}"),
                "https://example.com/other", "order-7");

        assertThat(again.isNew()).isFalse();
        assertThat(again.job()).usingRecursiveComparison().isEqualTo(first);
        assertThat(wakeUps).hasValue(1);
        assertThat(store.jobs.list("f", null, 10)).extracting(Job::id).containsExactly(first.id());

        AcceptInvocation.Accepted otherFunction = accept.accept("g", request("{}"), null, "order-7");
        assertThat(otherFunction.isNew()).as("a key is per function").isTrue();
        store.clock.advance(Duration.ofHours(1));
        AcceptInvocation.Accepted dayLater = accept.accept("f", request("{}"), null, "order-7");
        assertThat(dayLater.isNew()).as("24 h after the first, the key is free again").isTrue();
        assertThat(wakeUps).hasValue(3);
    }

    @Test
    void theCreationTimeIsKeptToTheMillisecondAsStored() {
        deploy(store, "f", null);
        store.clock.set(Instant.parse("2025-04-01T12:00:00.123456789Z"));

        Job job = accept.accept("f", request("{}"), null, null).job();

        assertThat(job.createdAt()).isEqualTo(Instant.parse("2025-04-01T12:00:00.123Z"));
        assertThat(job(store, job.id()).createdAt()).isEqualTo(job.createdAt());
    }
}
