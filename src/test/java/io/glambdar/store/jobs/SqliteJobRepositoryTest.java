package io.glambdar.store.jobs;

import io.glambdar.function.AsyncPolicy;
import io.glambdar.store.Concurrently;
import io.glambdar.store.keys.InvokeKeyRecord;
import io.glambdar.store.keys.SqliteKeyRepository;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.MetadataException;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
import io.glambdar.store.sqlite.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The durable job queue on SQLite: every verb, its guards, concurrency, and survival across a reopen. */
class SqliteJobRepositoryTest {

    private static final Instant T0 = Instant.parse("2026-05-01T12:00:00.250Z");
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Duration DAY = Duration.ofHours(24);
    private static final JobError BY_USER = new JobError("cancelled", "cancelled by a user");
    private static final AsyncPolicy POLICY = new AsyncPolicy(2, Duration.ofSeconds(60), Duration.ofHours(6));
    private static final JobError DELETED = new JobError("function_deleted", "the function was deleted");

    @TempDir
    Path dir;

    private Path dbFile;
    private SqliteDatabase db;
    private SqliteJobRepository jobs;

    @BeforeEach
    void open() {
        dbFile = dir.resolve("glambdar.db");
        db = SqliteDatabase.open(dbFile);
        jobs = new SqliteJobRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private void reopen() {
        db.close();
        db = SqliteDatabase.open(dbFile);
        jobs = new SqliteJobRepository(db);
    }

    private static JobRequest request(String body) {
        return new JobRequest("POST", "/a/b", "q=1&t=a&t=b",
                Map.of("content-type", List.of("application/json"), "x-many", List.of("1", "2")),
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static NewJob newJob(String id, String function, Instant createdAt) {
        return new NewJob(id, function, "life-" + function, null, request("{\"n\": \"" + id + "\"}"), POLICY,
                createdAt, null, null);
    }

    private static NewJob keyed(String id, String function, String key, Instant createdAt) {
        return new NewJob(id, function, "life-" + function, null, request(id), POLICY, createdAt, null, key);
    }

    private static NewJob withCallback(String id, Instant createdAt) {
        return new NewJob(id, "f", "life-f", 3, request(id), POLICY, createdAt, "http://127.0.0.1:9/hook", null);
    }

    private Job enqueue(NewJob job) {
        return jobs.enqueue(job, DAY);
    }

    private Job job(String id) {
        return jobs.find(id).orElseThrow();
    }

    private Job claimOne(String owner, Instant now) {
        List<Job> claimed = jobs.claim(owner, now, LEASE, 1);
        assertThat(claimed).hasSize(1);
        return claimed.getFirst();
    }

    private static JobOutcome success(Instant at) {
        return JobOutcome.succeeded(null, new JobResult(201, Map.of("x-out", List.of("v")),
                "done".getBytes(StandardCharsets.UTF_8)), "printed\n", new JobReport(12, 300, true, 4096L, "ok"), at);
    }

    private static JobOutcome failure(Instant at) {
        return JobOutcome.failed(null, new JobError("function_error", "boom"), "stack\n",
                new JobReport(5, 0, false, null, "error"), at);
    }

    // ---------------------------------------------------------------- enqueue and read back

    @Test
    void anEnqueuedJobIsQueuedDueAtOnceAndReadBackWhole() {
        NewJob n = new NewJob("inv-1", "f", "life-f", 3, request("hello"), POLICY, T0, "https://h/cb", "k1");

        Job stored = enqueue(n);

        assertThat(stored.id()).isEqualTo("inv-1");
        assertThat(stored.functionName()).isEqualTo("f");
        assertThat(stored.functionId()).isEqualTo("life-f");
        assertThat(stored.version()).isEqualTo(3);
        assertThat(stored.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(stored.attempts()).isZero();
        assertThat(stored.policy()).isEqualTo(POLICY);
        assertThat(stored.createdAt()).isEqualTo(T0);
        assertThat(stored.ageFrom()).isEqualTo(T0);
        assertThat(stored.nextAttemptAt()).isEqualTo(T0);
        assertThat(stored.expiresAt()).isEqualTo(T0.plus(Duration.ofHours(6)));
        assertThat(stored.startedAt()).isNull();
        assertThat(stored.finishedAt()).isNull();
        assertThat(stored.leaseOwner()).isNull();
        assertThat(stored.leaseUntil()).isNull();
        assertThat(stored.request().method()).isEqualTo("POST");
        assertThat(stored.request().path()).isEqualTo("/a/b");
        assertThat(stored.request().query()).isEqualTo("q=1&t=a&t=b");
        assertThat(stored.request().headers()).isEqualTo(n.request().headers());
        assertThat(stored.request().body()).isEqualTo("hello".getBytes(StandardCharsets.UTF_8));
        assertThat(stored.result()).isNull();
        assertThat(stored.error()).isNull();
        assertThat(stored.report()).isNull();
        assertThat(stored.callback()).isEqualTo(new JobCallback("https://h/cb", 0, null, false));
        assertThat(stored.idempotencyKey()).isEqualTo("k1");
        assertThat(job("inv-1")).usingRecursiveComparison().isEqualTo(stored);
        assertThat(jobs.find("nope")).isEmpty();
    }

    @Test
    void anEmptyAndABinaryBodyAreKeptExactly() {
        byte[] binary = {0, (byte) 0xff, (byte) 0xc3, 0x28, 10};
        enqueue(new NewJob("bin", "f", "life-f", null, new JobRequest("PUT", "/", "", Map.of(), binary), POLICY, T0,
                null, null));
        enqueue(new NewJob("empty", "f", "life-f", null, new JobRequest("GET", "/", "", Map.of(), new byte[0]),
                POLICY, T0, null, null));

        assertThat(job("bin").request().body()).isEqualTo(binary);
        assertThat(job("empty").request().body()).isEmpty();
        assertThat(job("empty").request().headers()).isEmpty();
    }

    @Test
    void theSameIdTwiceIsAMetadataException() {
        enqueue(newJob("a", "f", T0));

        assertThatThrownBy(() -> enqueue(newJob("a", "f", T0))).isInstanceOf(MetadataException.class);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    void anIdempotencyKeyReturnsTheFirstJobOfTheSameFunctionWithinTheWindow() {
        Job first = enqueue(keyed("a", "f", "k", T0));

        Job again = enqueue(keyed("b", "f", "k", T0.plus(Duration.ofHours(23))));
        Job otherFunction = enqueue(keyed("c", "g", "k", T0.plusSeconds(1)));
        Job otherKey = enqueue(keyed("d", "f", "k2", T0.plusSeconds(1)));
        Job afterWindow = enqueue(keyed("e", "f", "k", T0.plus(DAY)));

        assertThat(again.id()).isEqualTo("a");
        assertThat(again).usingRecursiveComparison().isEqualTo(first);
        assertThat(otherFunction.id()).isEqualTo("c");
        assertThat(otherKey.id()).isEqualTo("d");
        assertThat(afterWindow.id()).as("24 h later the key is free again").isEqualTo("e");
        assertThat(jobs.find("b")).isEmpty();
        assertThat(jobs.list(null, null, 100)).extracting(Job::id).containsExactlyInAnyOrder("a", "c", "d", "e");
    }

    @Test
    void anIdempotencyKeyDoesNotOutliveItsFunctionAFunctionDeployedAgainUnderTheNameIsAnother() {
        enqueue(keyed("a", "f", "k", T0));

        Job nextLife = enqueue(new NewJob("b", "f", "life-2-f", null, request("b"), POLICY, T0.plusSeconds(60), null,
                "k"));

        assertThat(nextLife.id()).isEqualTo("b");
        assertThat(jobs.list("f", null, 100)).extracting(Job::id).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void fiftyConcurrentEnqueuesWithOneKeyMakeOneJob() throws Exception {
        Set<String> returned = ConcurrentHashMap.newKeySet();

        Concurrently.run(50, 1, (thread, call) ->
                returned.add(enqueue(keyed("inv-" + thread, "f", "same", T0.plusMillis(thread))).id()));

        assertThat(returned).hasSize(1);
        assertThat(jobs.list("f", null, 100)).extracting(Job::id).containsExactlyElementsOf(returned);
    }

    /** Concurrent enqueues share transactions (group commit): keys are still checked one job at a time within one. */
    @Test
    void concurrentEnqueuesWithSeveralKeysMakeOneJobPerKeyAndEachCallerGetsItsKeysJob() throws Exception {
        Map<Integer, Job> returned = new ConcurrentHashMap<>();

        Concurrently.run(60, 1, (thread, call) -> returned.put(thread, enqueue(thread < 50
                ? keyed("inv-" + thread, "f", "k" + thread % 5, T0.plusMillis(thread))
                : newJob("plain-" + thread, "f", T0.plusMillis(thread)))));

        for (int thread = 0; thread < 60; thread++) {
            Job job = returned.get(thread);
            if (thread < 50) {
                assertThat(job.idempotencyKey()).as("thread %d", thread).isEqualTo("k" + thread % 5);
            } else {
                assertThat(job.id()).as("an unkeyed job is always its own").isEqualTo("plain-" + thread);
                assertThat(job.idempotencyKey()).isNull();
            }
            assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        }
        assertThat(returned.values().stream().filter(j -> j.idempotencyKey() != null).map(Job::id).distinct())
                .hasSize(5);
        assertThat(jobs.list("f", null, 1000)).hasSize(15);
        assertThat(jobs.list("f", null, 1000)).extracting(Job::id)
                .containsExactlyInAnyOrderElementsOf(returned.values().stream().map(Job::id).distinct().toList());
    }

    @Test
    void aDuplicateIdAmongConcurrentEnqueuesFailsOnlyItsOwnCaller() throws Exception {
        Map<Integer, Object> outcomes = new ConcurrentHashMap<>();

        Concurrently.run(21, 1, (thread, call) -> {
            String id = thread == 20 ? "j00" : String.format("j%02d", thread);
            try {
                outcomes.put(thread, enqueue(newJob(id, "f", T0.plusMillis(thread))));
            } catch (MetadataException e) {
                outcomes.put(thread, e);
            }
        });

        assertThat(outcomes.values()).filteredOn(o -> o instanceof MetadataException).singleElement()
                .satisfies(e -> assertThat(((MetadataException) e).getMessage()).contains("queue jobs"));
        for (int thread = 1; thread < 20; thread++) {
            assertThat(outcomes.get(thread)).isInstanceOf(Job.class);
            assertThat(((Job) outcomes.get(thread)).id()).isEqualTo(String.format("j%02d", thread));
        }
        assertThat(jobs.list("f", null, 100)).hasSize(20);
        Object winner = outcomes.get(0) instanceof Job ? outcomes.get(0) : outcomes.get(20);
        assertThat(job("j00")).usingRecursiveComparison().isEqualTo(winner);
    }

    // ---------------------------------------------------------------- claim

    @Test
    void claimTakesDueJobsLongestDueFirstWithALeaseAndOneMoreAttempt() {
        enqueue(newJob("late", "f", T0.plusSeconds(2)));
        enqueue(newJob("early", "f", T0));
        enqueue(newJob("mid", "g", T0.plusSeconds(1)));
        enqueue(newJob("future", "f", T0.plusSeconds(60)));
        Instant now = T0.plusSeconds(10);

        List<Job> claimed = jobs.claim("node-a", now, LEASE, 2);

        assertThat(claimed).extracting(Job::id).containsExactly("early", "mid");
        for (Job j : claimed) {
            assertThat(j.status()).isEqualTo(JobStatus.RUNNING);
            assertThat(j.attempts()).isEqualTo(1);
            assertThat(j.leaseOwner()).isEqualTo("node-a");
            assertThat(j.leaseUntil()).isEqualTo(now.plus(LEASE));
            assertThat(j.startedAt()).isEqualTo(now);
            assertThat(job(j.id())).usingRecursiveComparison().isEqualTo(j);
        }
        assertThat(jobs.claim("node-b", now, LEASE, 10)).extracting(Job::id).containsExactly("late");
        assertThat(jobs.claim("node-b", now, LEASE, 10)).as("the future job is not due").isEmpty();
        assertThat(jobs.claim("node-b", T0.plusSeconds(60), LEASE, 10)).extracting(Job::id)
                .containsExactly("future");
        assertThat(jobs.claim("node-b", T0.plusSeconds(60), LEASE, 0)).isEmpty();
    }

    @Test
    void twoClaimersInParallelNeverShareAJobAndEveryJobIsClaimedOnce() throws Exception {
        int count = 400;
        for (int i = 0; i < count; i++) {
            enqueue(newJob(String.format("j%04d", i), "f", T0.plusMillis(i)));
        }
        Map<String, List<String>> claimsByJob = new ConcurrentHashMap<>();
        AtomicInteger empty = new AtomicInteger();

        Concurrently.run(2, 1, (thread, call) -> {
            String owner = "node-" + thread;
            while (empty.get() < 4) {
                List<Job> got = jobs.claim(owner, T0.plusSeconds(5), LEASE, 3);
                if (got.isEmpty()) {
                    empty.incrementAndGet();
                }
                for (Job j : got) {
                    claimsByJob.computeIfAbsent(j.id(), k -> Collections.synchronizedList(new ArrayList<>()))
                            .add(owner);
                    assertThat(jobs.complete(j.id(), owner, success(T0.plusSeconds(6)))).isTrue();
                }
            }
        });

        assertThat(claimsByJob).hasSize(count);
        assertThat(claimsByJob.values()).allSatisfy(owners -> assertThat(owners).hasSize(1));
        assertThat(claimsByJob.values().stream().map(List::getFirst).distinct()).as("both claimers took jobs")
                .hasSize(2);
        assertThat(jobs.list("f", JobStatus.SUCCEEDED, 1000)).hasSize(count)
                .allSatisfy(j -> assertThat(j.attempts()).isEqualTo(1));
    }

    /** Two connections on one file, as two server processes would have: SQLite's write lock is what decides. */
    @Test
    void twoDatabasesOnOneFileNeverClaimTheSameJobNorStoreOneKeyTwice() throws Exception {
        int count = 200;
        for (int i = 0; i < count; i++) {
            enqueue(newJob(String.format("j%04d", i), "f", T0.plusMillis(i)));
        }
        try (SqliteDatabase second = SqliteDatabase.open(dbFile)) {
            List<JobRepository> repositories = List.of(jobs, new SqliteJobRepository(second));
            Map<String, List<String>> claimsByJob = new ConcurrentHashMap<>();
            Set<String> keyed = ConcurrentHashMap.newKeySet();

            Concurrently.run(2, 1, (thread, call) -> {
                JobRepository mine = repositories.get(thread);
                String owner = "process-" + thread;
                for (int i = 0; i < 25; i++) {
                    keyed.add(mine.enqueue(keyed("k-" + thread + "-" + i, "g", "one", T0), DAY).id());
                }
                List<Job> got;
                while (!(got = mine.claim(owner, T0.plusSeconds(5), LEASE, 4)).isEmpty()) {
                    for (Job j : got) {
                        claimsByJob.computeIfAbsent(j.id(), k -> Collections.synchronizedList(new ArrayList<>()))
                                .add(owner);
                    }
                }
            });

            assertThat(keyed).hasSize(1);
            assertThat(claimsByJob).hasSize(count + 1);
            assertThat(claimsByJob.values()).allSatisfy(owners -> assertThat(owners).hasSize(1));
        }
    }

    /** A claim reads the first rows of the backlog in index order; sorting a backlog of thousands per claim was slow. */
    @Test
    void aClaimReadsTheBacklogInIndexOrderWithoutSortingIt() {
        String plan = db.withConnection("explain", c -> {
            try (var st = c.createStatement();
                 var rs = st.executeQuery("EXPLAIN QUERY PLAN SELECT id FROM jobs WHERE status = 'queued'"
                         + " AND next_attempt_at <= 5 AND age_from + max_age_ms > 5"
                         + " ORDER BY next_attempt_at, created_at, id LIMIT 8")) {
                StringBuilder text = new StringBuilder();
                while (rs.next()) {
                    text.append(rs.getString("detail")).append('\n');
                }
                return text.toString();
            }
        });
        assertThat(plan).contains("USING INDEX jobs_due").doesNotContain("TEMP B-TREE");
    }

    // ---------------------------------------------------------------- leases

    @Test
    void renewExtendsOnlyTheOwnersLease() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);

        assertThat(jobs.renew("a", "node-b", T0.plus(Duration.ofHours(1)))).isFalse();
        assertThat(jobs.renew("a", "node-a", T0.plus(Duration.ofHours(1)))).isTrue();
        assertThat(job("a").leaseUntil()).isEqualTo(T0.plus(Duration.ofHours(1)));
        assertThat(jobs.renew("ghost", "node-a", T0)).isFalse();
    }

    @Test
    void aLeaseThatRanOutIsRecoveredAndClaimedAgainAsTheNextAttempt() {
        enqueue(newJob("a", "f", T0));
        enqueue(newJob("b", "f", T0));
        claimOne("dead-node", T0);
        Job b = claimOne("live-node", T0);
        jobs.renew(b.id(), "live-node", T0.plus(Duration.ofHours(1)));
        Instant later = T0.plus(LEASE);

        assertThat(jobs.recoverExpiredLeases(later.minusMillis(1))).isZero();
        assertThat(jobs.recoverExpiredLeases(later)).isEqualTo(1);

        Job recovered = job("a");
        assertThat(recovered.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(recovered.attempts()).as("kept").isEqualTo(1);
        assertThat(recovered.leaseOwner()).isNull();
        assertThat(recovered.nextAttemptAt()).isEqualTo(later);
        assertThat(job("b").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.complete("a", "dead-node", success(later))).as("the old owner lost it").isFalse();

        Job again = claimOne("live-node", later);
        assertThat(again.id()).isEqualTo("a");
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void theJobsOfThisNodesDeadProcessAreRecoveredAtOnceAndNoOneElses() {
        enqueue(newJob("mine", "f", T0));
        enqueue(newJob("other", "f", T0.plusMillis(1)));
        claimOne("node-a/process-1", T0.plusMillis(1));
        claimOne("node-b/process-9", T0.plusMillis(1));

        assertThat(jobs.recoverLeasesOf("node-a/", T0.plusSeconds(1))).isEqualTo(1);

        assertThat(job("mine").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job("mine").attempts()).as("kept: the next claim is attempt 2").isEqualTo(1);
        assertThat(job("other").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.recoverLeasesOf("node-%", T0.plusSeconds(1))).as("no pattern matching").isZero();
        assertThat(claimOne("node-a/process-2", T0.plusSeconds(1)).attempts()).isEqualTo(2);
    }

    @Test
    void aRunningJobWhoseFunctionWasDeletedIsCancelledOnlyByItsOwner() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);
        JobError deleted = new JobError("function_deleted", "function 'f' was deleted");

        assertThat(jobs.cancelRunning("a", "node-b", T0.plusSeconds(1), deleted)).isFalse();
        assertThat(jobs.cancelRunning("a", "node-a", T0.plusSeconds(1), deleted)).isTrue();

        Job cancelled = job("a");
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.error()).isEqualTo(deleted);
        assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(cancelled.leaseOwner()).isNull();
        assertThat(cancelled.attempts()).as("the attempt that never ran is given back").isZero();
        assertThat(jobs.cancelRunning("a", "node-a", T0.plusSeconds(2), deleted)).as("once").isFalse();
    }

    @Test
    void completeRecordsTheVersionTheAttemptRanOnAndRetryForgetsIt() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);
        jobs.complete("a", "node-a", JobOutcome.failed(3, new JobError("handler_threw", "boom"), "", null,
                T0.plusSeconds(1)));

        assertThat(job("a").ranVersion()).isEqualTo(3);
        assertThat(job("a").version()).as("still: the active one when it runs").isNull();
        jobs.retry("a", T0.plusSeconds(2), null);
        assertThat(job("a").ranVersion()).isNull();
    }

    @Test
    void requeueAfterAnAttemptRecordsItsVersionAndAnAttemptThatNeverRanKeepsIt() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);
        jobs.requeue("a", "node-a", T0.plusSeconds(1), true, 2, new JobError("handler_threw", "boom"), "", null);
        assertThat(job("a").ranVersion()).isEqualTo(2);

        claimOne("node-a", T0.plusSeconds(1));
        jobs.requeue("a", "node-a", T0.plusSeconds(2), false, null, null, null, null);
        assertThat(job("a").ranVersion()).as("kept").isEqualTo(2);

        claimOne("node-a", T0.plusSeconds(2));
        jobs.expire("a", "node-a", T0.plusSeconds(3), new JobError("expired", "too old"));
        assertThat(job("a").ranVersion()).as("kept when it ends unrun").isEqualTo(2);
    }

    // ---------------------------------------------------------------- complete, requeue, expire

    @Test
    void completeStoresTheOutcomeOnlyForTheLeaseOwner() {
        enqueue(newJob("ok", "f", T0));
        enqueue(newJob("bad", "f", T0.plusMillis(1)));
        claimOne("node-a", T0.plusSeconds(1));
        claimOne("node-a", T0.plusSeconds(1));
        Instant end = T0.plusSeconds(2);

        assertThat(jobs.complete("ok", "node-b", success(end))).isFalse();
        assertThat(job("ok").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.complete("ok", "node-a", success(end))).isTrue();
        assertThat(jobs.complete("ok", "node-a", success(end))).as("once only").isFalse();
        assertThat(jobs.complete("bad", "node-a", failure(end))).isTrue();

        Job ok = job("ok");
        assertThat(ok.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(ok.finishedAt()).isEqualTo(end);
        assertThat(ok.leaseOwner()).isNull();
        assertThat(ok.leaseUntil()).isNull();
        assertThat(ok.result().statusCode()).isEqualTo(201);
        assertThat(ok.result().headers()).isEqualTo(Map.of("x-out", List.of("v")));
        assertThat(new String(ok.result().body(), StandardCharsets.UTF_8)).isEqualTo("done");
        assertThat(ok.error()).isNull();
        assertThat(ok.logs()).isEqualTo("printed\n");
        assertThat(ok.report()).isEqualTo(new JobReport(12, 300, true, 4096L, "ok"));
        assertThat(ok.callback()).isNull();

        Job bad = job("bad");
        assertThat(bad.status()).isEqualTo(JobStatus.FAILED);
        assertThat(bad.result()).isNull();
        assertThat(bad.error()).isEqualTo(new JobError("function_error", "boom"));
        assertThat(bad.report()).isEqualTo(new JobReport(5, 0, false, null, "error"));
        assertThat(jobs.complete("ghost", "node-a", success(end))).isFalse();
    }

    @Test
    void anOutcomeIsSucceededOrFailed() {
        assertThatThrownBy(() -> new JobOutcome(JobStatus.EXPIRED, null, null, null, null, null, T0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requeueAfterAFailureSpendsTheAttemptAndKeepsTheError() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);
        Instant retryAt = T0.plusSeconds(60);
        JobError crash = new JobError("function_error", "crashed");

        assertThat(jobs.requeue("a", "node-b", retryAt, true, 1, crash, null, null)).isFalse();
        assertThat(jobs.requeue("a", "node-a", retryAt, true, 1, crash, null, null)).isTrue();

        Job waiting = job("a");
        assertThat(waiting.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(waiting.attempts()).isEqualTo(1);
        assertThat(waiting.nextAttemptAt()).isEqualTo(retryAt);
        assertThat(waiting.error()).isEqualTo(crash);
        assertThat(waiting.leaseOwner()).isNull();
        assertThat(jobs.claim("node-a", retryAt.minusMillis(1), LEASE, 5)).isEmpty();
        assertThat(claimOne("node-a", retryAt).attempts()).isEqualTo(2);
    }

    @Test
    void requeueForWantOfCapacityDoesNotSpendTheAttempt() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);

        assertThat(jobs.requeue("a", "node-a", T0.plusMillis(100), false, null, null, null, null)).isTrue();

        Job waiting = job("a");
        assertThat(waiting.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(waiting.attempts()).isZero();
        assertThat(waiting.error()).isNull();
        assertThat(claimOne("node-a", T0.plusMillis(100)).attempts()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- waiting for capacity in the engine

    @Test
    void aJobWaitingForCapacityIsQueuedWithItsAttemptGivenBackYetNoClaimTakesIt() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);

        assertThat(jobs.waitForCapacity("a", "node-b")).as("not its lease").isFalse();
        assertThat(jobs.waitForCapacity("a", "node-a")).isTrue();

        Job waiting = job("a");
        assertThat(waiting.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(waiting.attempts()).isZero();
        assertThat(waiting.startedAt()).as("never started").isNull();
        assertThat(waiting.leaseOwner()).isEqualTo("node-a");
        assertThat(jobs.counts("f").queued()).isEqualTo(1);
        assertThat(jobs.queuedCount()).isEqualTo(1);
        assertThat(jobs.list("f", JobStatus.QUEUED, 10)).extracting(Job::id).containsExactly("a");
        assertThat(jobs.claim("node-b", T0.plusSeconds(1), LEASE, 5)).as("held by node-a's engine").isEmpty();
        assertThat(jobs.renew("a", "node-a", T0.plus(LEASE).plusSeconds(1))).isTrue();

        Instant admittedAt = T0.plusSeconds(2);
        assertThat(jobs.startWaiting("a", "node-b", admittedAt)).isFalse();
        assertThat(jobs.startWaiting("a", "node-a", admittedAt)).isTrue();
        Job started = job("a");
        assertThat(started.status()).isEqualTo(JobStatus.RUNNING);
        assertThat(started.attempts()).isEqualTo(1);
        assertThat(started.startedAt()).isEqualTo(admittedAt);
        assertThat(jobs.complete("a", "node-a", success(admittedAt.plusMillis(5)))).isTrue();
    }

    @Test
    void aWaitingJobCancelledMeanwhileNeverStarts() {
        enqueue(newJob("a", "f", T0));
        enqueue(newJob("b", "f", T0.plusMillis(1)));
        jobs.claim("node-a", T0.plusMillis(1), LEASE, 2);
        jobs.waitForCapacity("a", "node-a");
        jobs.waitForCapacity("b", "node-a");

        assertThat(jobs.cancel("a", T0.plusSeconds(1), BY_USER)).isTrue();
        assertThat(jobs.cancelAllQueued("f", T0.plusSeconds(1), BY_USER)).isEqualTo(1);

        for (String id : List.of("a", "b")) {
            assertThat(job(id).status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(job(id).leaseOwner()).isNull();
            assertThat(jobs.startWaiting(id, "node-a", T0.plusSeconds(2))).isFalse();
            assertThat(jobs.requeue(id, "node-a", T0.plusSeconds(2), false, null, null, null, null)).isFalse();
            assertThat(job(id).status()).isEqualTo(JobStatus.CANCELLED);
        }
    }

    @Test
    void aWaitingJobTurnedAwayIsLetGoWithoutSpendingAnAttempt() {
        enqueue(newJob("a", "f", T0));
        claimOne("node-a", T0);
        jobs.waitForCapacity("a", "node-a");

        assertThat(jobs.requeue("a", "node-a", T0.plusSeconds(1), false, null, null, null, null)).isTrue();

        Job queued = job("a");
        assertThat(queued.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(queued.attempts()).isZero();
        assertThat(queued.leaseOwner()).isNull();
        assertThat(claimOne("node-b", T0.plusSeconds(1)).attempts()).isEqualTo(1);
    }

    @Test
    void aWaitingJobWhoseLeaseRanOutOrWhoseProcessDiedIsLetGo() {
        enqueue(newJob("a", "f", T0));
        enqueue(newJob("b", "f", T0));
        jobs.claim("node-a/1", T0, LEASE, 2);
        jobs.waitForCapacity("a", "node-a/1");
        jobs.waitForCapacity("b", "node-a/1");
        jobs.renew("b", "node-a/1", T0.plus(LEASE).plus(LEASE));

        assertThat(jobs.recoverExpiredLeases(T0.plus(LEASE))).isEqualTo(1);
        assertThat(job("a").leaseOwner()).isNull();
        assertThat(job("a").attempts()).isZero();
        assertThat(jobs.recoverLeasesOf("node-a/", T0.plus(LEASE))).isEqualTo(1);
        assertThat(job("b").leaseOwner()).isNull();
        assertThat(jobs.claim("node-a/2", T0.plus(LEASE), LEASE, 5)).extracting(Job::id).containsExactly("a", "b");
    }

    @Test
    void expireEndsARunningJobOfTheOwnerAndMakesItsCallbackDue() {
        enqueue(withCallback("a", T0));
        claimOne("node-a", T0);
        Instant now = T0.plus(Duration.ofHours(7));
        JobError tooOld = new JobError("expired", "older than 21600 s");

        assertThat(jobs.expire("a", "node-b", now, tooOld)).isFalse();
        assertThat(jobs.expire("a", "node-a", now, tooOld)).isTrue();

        Job expired = job("a");
        assertThat(expired.status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(expired.finishedAt()).isEqualTo(now);
        assertThat(expired.error()).isEqualTo(tooOld);
        assertThat(expired.leaseOwner()).isNull();
        assertThat(expired.callback().nextAt()).isEqualTo(now);
    }

    @Test
    void expireOverdueEndsOnlyQueuedJobsPastTheirAge() {
        enqueue(newJob("old", "f", T0));
        enqueue(newJob("young", "f", T0.plus(Duration.ofHours(1))));
        enqueue(newJob("running", "f", T0.minusSeconds(1)));
        claimOne("node-a", T0);  // takes "running", due first
        Instant now = T0.plus(POLICY.maxAge());
        JobError tooOld = new JobError("expired", "too old");

        assertThat(jobs.expireOverdue(now.minusMillis(1), tooOld)).isEmpty();
        assertThat(jobs.expireOverdue(now, tooOld)).containsExactly("old");

        assertThat(job("old").status()).isEqualTo(JobStatus.EXPIRED);
        assertThat(job("old").finishedAt()).isEqualTo(now);
        assertThat(job("old").error()).isEqualTo(tooOld);
        assertThat(job("young").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job("running").status()).isEqualTo(JobStatus.RUNNING);
    }

    // ---------------------------------------------------------------- cancel and retry

    @Test
    void cancelOnlyAQueuedJob() {
        enqueue(newJob("queued", "f", T0));
        enqueue(newJob("running", "f", T0.minusSeconds(1)));
        claimOne("node-a", T0);

        assertThat(jobs.cancel("running", T0.plusSeconds(1), BY_USER)).isFalse();
        assertThat(jobs.cancel("ghost", T0.plusSeconds(1), BY_USER)).isFalse();
        assertThat(jobs.cancel("queued", T0.plusSeconds(1), BY_USER)).isTrue();
        assertThat(jobs.cancel("queued", T0.plusSeconds(2), BY_USER)).as("already cancelled").isFalse();

        Job cancelled = job("queued");
        assertThat(cancelled.status()).isEqualTo(JobStatus.CANCELLED);
        assertThat(cancelled.finishedAt()).isEqualTo(T0.plusSeconds(1));
        assertThat(job("running").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(jobs.claim("node-a", T0.plusSeconds(5), LEASE, 5)).isEmpty();
    }

    @Test
    void cancelAllQueuedCancelsTheFunctionsQueuedJobsWithTheReasonAndLeavesRunningOnes() {
        enqueue(newJob("f1", "f", T0));
        enqueue(newJob("f2", "f", T0.plusSeconds(1)));
        enqueue(newJob("g1", "g", T0.plusSeconds(2)));
        enqueue(newJob("f0", "f", T0.minusSeconds(1)));
        claimOne("node-a", T0);  // f0

        assertThat(jobs.cancelAllQueued("f", T0.plusSeconds(3), DELETED)).isEqualTo(2);

        assertThat(List.of(job("f1"), job("f2"))).allSatisfy(j -> {
            assertThat(j.status()).isEqualTo(JobStatus.CANCELLED);
            assertThat(j.error()).isEqualTo(DELETED);
            assertThat(j.finishedAt()).isEqualTo(T0.plusSeconds(3));
        });
        assertThat(job("f0").status()).isEqualTo(JobStatus.RUNNING);
        assertThat(job("g1").status()).isEqualTo(JobStatus.QUEUED);
        assertThat(jobs.cancelAllQueued("nobody", T0, DELETED)).isZero();
    }

    @Test
    void retryOnlyFromFailedExpiredOrCancelledWithFreshAttemptsAndAge() {
        enqueue(withCallback("failed", T0));
        enqueue(newJob("expired", "f", T0.plusMillis(1)));
        enqueue(newJob("succeeded", "f", T0.plusMillis(2)));
        enqueue(newJob("running", "f", T0.plusMillis(3)));
        enqueue(newJob("cancelled", "f", T0.plusMillis(4)));
        enqueue(newJob("queued", "f", T0.plusMillis(5)));
        Instant t1 = T0.plusSeconds(1);
        jobs.claim("node-a", t1, LEASE, 4);
        jobs.complete("failed", "node-a", failure(t1));
        jobs.callbackAttempted("failed", null);
        jobs.expire("expired", "node-a", t1, new JobError("expired", "too old"));
        jobs.complete("succeeded", "node-a", success(t1));
        jobs.cancel("cancelled", t1, BY_USER);
        Instant now = T0.plus(Duration.ofHours(10));

        assertThat(jobs.retry("succeeded", now, null)).isFalse();
        assertThat(jobs.retry("running", now, null)).isFalse();
        assertThat(jobs.retry("queued", now, null)).isFalse();
        assertThat(jobs.retry("ghost", now, null)).isFalse();
        for (String id : List.of("failed", "expired", "cancelled")) {
            assertThat(jobs.retry(id, now, null)).as(id).isTrue();
            Job again = job(id);
            assertThat(again.status()).isEqualTo(JobStatus.QUEUED);
            assertThat(again.attempts()).isZero();
            assertThat(again.ageFrom()).isEqualTo(now);
            assertThat(again.expiresAt()).isEqualTo(now.plus(POLICY.maxAge()));
            assertThat(again.nextAttemptAt()).isEqualTo(now);
            assertThat(again.createdAt()).isBefore(now);
            assertThat(again.finishedAt()).isNull();
            assertThat(again.error()).isNull();
            assertThat(again.result()).isNull();
            assertThat(again.report()).isNull();
            assertThat(again.logs()).isNull();
        }
        assertThat(job("failed").callback()).isEqualTo(new JobCallback("http://127.0.0.1:9/hook", 0, null, false));
        assertThat(jobs.retry("failed", now, null)).as("queued now").isFalse();
        assertThat(jobs.claim("node-a", now, LEASE, 10)).extracting(Job::id)
                .as("the retried ones; \"queued\" is past its age, left to expire")
                .containsExactlyInAnyOrder("failed", "expired", "cancelled");
    }

    // ---------------------------------------------------------------- listing, counts, retention

    @Test
    void listIsNewestFirstFilteredByFunctionAndStatusAndLimited() {
        enqueue(newJob("f1", "f", T0));
        enqueue(newJob("g1", "g", T0.plusSeconds(1)));
        enqueue(newJob("f2", "f", T0.plusSeconds(2)));
        enqueue(newJob("f3", "f", T0.plusSeconds(3)));
        jobs.cancel("f2", T0.plusSeconds(4), BY_USER);

        assertThat(jobs.list(null, null, 10)).extracting(Job::id).containsExactly("f3", "f2", "g1", "f1");
        assertThat(jobs.list("f", null, 10)).extracting(Job::id).containsExactly("f3", "f2", "f1");
        assertThat(jobs.list("f", null, 2)).extracting(Job::id).containsExactly("f3", "f2");
        assertThat(jobs.list("f", JobStatus.QUEUED, 10)).extracting(Job::id).containsExactly("f3", "f1");
        assertThat(jobs.list(null, JobStatus.CANCELLED, 10)).extracting(Job::id).containsExactly("f2");
        assertThat(jobs.list("ghost", null, 10)).isEmpty();
        assertThat(jobs.list(null, null, 0)).isEmpty();
    }

    @Test
    void countsAreTheFunctionsQueuedAndFailedJobs() {
        enqueue(newJob("a", "f", T0));
        enqueue(newJob("b", "f", T0.plusMillis(1)));
        enqueue(newJob("c", "f", T0.plusMillis(2)));
        enqueue(newJob("d", "g", T0.plusMillis(3)));
        Job a = claimOne("node-a", T0.plusSeconds(1));
        jobs.complete(a.id(), "node-a", failure(T0.plusSeconds(2)));
        claimOne("node-a", T0.plusSeconds(1));  // b: running, counted in neither

        assertThat(jobs.counts("f")).isEqualTo(new JobCounts(1, 1));
        assertThat(jobs.counts("g")).isEqualTo(new JobCounts(1, 0));
        assertThat(jobs.counts("ghost")).isEqualTo(new JobCounts(0, 0));
        assertThat(jobs.countsByFunction()).as("the same, for every function at once")
                .isEqualTo(Map.of("f", new JobCounts(1, 1), "g", new JobCounts(1, 0)));
        assertThat(jobs.queuedCount()).as("the queued ones of every function").isEqualTo(2);
    }

    @Test
    void deleteFinishedBeforeDeletesOnlyJobsThatEndedBeforeTheTime() {
        enqueue(newJob("old-ok", "f", T0));
        enqueue(newJob("old-failed", "f", T0.plusMillis(1)));
        enqueue(newJob("new-ok", "f", T0.plusMillis(2)));
        enqueue(newJob("running", "f", T0.plusMillis(3)));
        enqueue(newJob("old-cancelled", "f", T0.plusMillis(4)));
        enqueue(newJob("queued", "f", T0.minus(Duration.ofDays(30))));
        jobs.cancel("queued", T0, BY_USER);  // then retried: no longer finished, though it ended once
        jobs.retry("queued", T0.plus(Duration.ofDays(9)), null);
        jobs.claim("node-a", T0.plusSeconds(1), LEASE, 4);
        jobs.complete("old-ok", "node-a", success(T0.plusSeconds(2)));
        jobs.complete("old-failed", "node-a", failure(T0.plusSeconds(2)));
        jobs.complete("new-ok", "node-a", success(T0.plus(Duration.ofDays(8))));
        jobs.cancel("old-cancelled", T0.plusSeconds(3), BY_USER);

        assertThat(jobs.deleteFinishedBefore(T0.plus(Duration.ofDays(7)))).isEqualTo(3);

        assertThat(jobs.list(null, null, 100)).extracting(Job::id)
                .containsExactlyInAnyOrder("new-ok", "running", "queued");
        assertThat(jobs.deleteFinishedBefore(T0.plus(Duration.ofDays(7)))).isZero();
    }

    @Test
    void deleteFinishedBeforeDeletesMoreThanOneChunk() {
        int count = SqliteJobRepository.DELETE_CHUNK * 2 + 7;
        for (int i = 0; i < count; i++) {
            String id = String.format("j%05d", i);
            enqueue(newJob(id, "f", T0));
            jobs.cancel(id, T0.plusSeconds(1), BY_USER);
        }
        enqueue(newJob("kept", "f", T0));

        assertThat(jobs.deleteFinishedBefore(T0.plusSeconds(2))).isEqualTo(count);

        assertThat(jobs.list(null, null, 10)).extracting(Job::id).containsExactly("kept");
    }

    // ---------------------------------------------------------------- callbacks

    @Test
    void aCallbackIsDueWhenTheJobEndsAndIsBookedUntilDone() {
        enqueue(withCallback("cb", T0));
        enqueue(withCallback("cancelled", T0.plusMillis(1)));
        enqueue(newJob("plain", "f", T0.plusMillis(2)));
        Instant t1 = T0.plusSeconds(1);
        assertThat(jobs.dueCallbacks(T0.plus(DAY), 10)).as("nothing ended yet").isEmpty();
        claimOne("node-a", t1);
        jobs.cancel("cancelled", t1, BY_USER);
        Job plain = claimOne("node-a", t1);
        jobs.complete(plain.id(), "node-a", success(t1));
        Instant end = T0.plusSeconds(2);
        jobs.complete("cb", "node-a", success(end));

        assertThat(jobs.dueCallbacks(end.minusMillis(1), 10)).isEmpty();
        assertThat(jobs.dueCallbacks(end, 10)).extracting(Job::id).containsExactly("cb");
        assertThat(jobs.dueCallbacks(end, 0)).isEmpty();

        assertThat(jobs.callbackAttempted("cb", end.plusSeconds(1))).isTrue();
        assertThat(job("cb").callback()).isEqualTo(new JobCallback("http://127.0.0.1:9/hook", 1,
                end.plusSeconds(1), false));
        assertThat(jobs.dueCallbacks(end.plusMillis(999), 10)).isEmpty();
        assertThat(jobs.dueCallbacks(end.plusSeconds(1), 10)).extracting(Job::id).containsExactly("cb");

        assertThat(jobs.callbackAttempted("cb", null)).isTrue();
        assertThat(job("cb").callback()).isEqualTo(new JobCallback("http://127.0.0.1:9/hook", 2, null, true));
        assertThat(jobs.dueCallbacks(end.plus(DAY), 10)).isEmpty();
        assertThat(jobs.callbackAttempted("cb", null)).as("done already").isFalse();
        assertThat(jobs.callbackAttempted("plain", null)).as("no callback").isFalse();
        assertThat(job("cb").status()).as("untouched by its callback").isEqualTo(JobStatus.SUCCEEDED);
    }

    // ---------------------------------------------------------------- durability and migration

    @Test
    void closingAndReopeningKeepsEveryJobAsItWas() {
        enqueue(new NewJob("queued", "f", "life-f", 2, request("q"), POLICY, T0, "https://h/cb", "key"));
        enqueue(newJob("running", "f", T0.minusSeconds(1)));
        enqueue(newJob("done", "f", T0.minusSeconds(2)));
        jobs.claim("node-a", T0, LEASE, 2);
        jobs.complete("done", "node-a", success(T0.plusSeconds(1)));
        Map<String, Job> before = new HashMap<>();
        jobs.list(null, null, 10).forEach(j -> before.put(j.id(), j));

        reopen();

        Map<String, Job> after = new HashMap<>();
        jobs.list(null, null, 10).forEach(j -> after.put(j.id(), j));
        assertThat(after).usingRecursiveComparison().isEqualTo(before);
        assertThat(jobs.enqueue(new NewJob("dup", "f", "life-f", null, request("x"), POLICY, T0.plusSeconds(5),
                null, "key"), DAY).id()).as("idempotency survives too").isEqualTo("queued");
        assertThat(jobs.recoverExpiredLeases(T0.plus(LEASE))).as("the dead server's job").isEqualTo(1);
        assertThat(claimOne("node-b", T0.plus(LEASE))).extracting(Job::id, Job::attempts)
                .containsExactly("queued", 1);
        assertThat(claimOne("node-b", T0.plus(LEASE))).extracting(Job::id, Job::attempts)
                .containsExactly("running", 2);
    }

    /**
     * A file at schema 2 is what this code writes, less the {@code jobs} table and its indexes (dropping the table
     * drops them), with {@code user_version} 2: migration 2 → 3 only adds them.
     */
    @Test
    void aSchemaTwoDatabaseIsMigratedKeepingItsFunctionsAndKeys() throws Exception {
        Path old = dir.resolve("old.db");
        try (SqliteDatabase two = SqliteDatabase.open(old)) {
            new SqliteFunctionRepository(two).insert(FunctionRecord.newlyDeployed("f", "life-f", T0),
                    new VersionRecord("f", 1, "dep-1", T0, "abc", "", 10, 1, "{}"));
            new SqliteKeyRepository(two).insert(new InvokeKeyRecord("k1", "f", "life-f", "hash", T0, null));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
             Statement st = c.createStatement()) {
            st.execute("DROP TABLE jobs");
            st.execute("DROP TABLE schedule_state"); // added by later migrations
            st.execute("DROP TABLE invocation_logs");
            st.execute("PRAGMA user_version = 2");
        }

        try (SqliteDatabase three = SqliteDatabase.open(old)) {
            assertThat(SqliteDatabase.SCHEMA_VERSION).isGreaterThanOrEqualTo(3);
            assertThat(new SqliteFunctionRepository(three).find("f")).isPresent();
            assertThat(new SqliteKeyRepository(three).findByFunction("f")).extracting(InvokeKeyRecord::keyId)
                    .containsExactly("k1");
            SqliteJobRepository migrated = new SqliteJobRepository(three);
            migrated.enqueue(newJob("a", "f", T0), DAY);
            assertThat(migrated.claim("node-a", T0, LEASE, 5)).extracting(Job::id).containsExactly("a");
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + old);
             Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT name FROM sqlite_schema WHERE tbl_name = 'jobs' ORDER BY name")) {
            List<String> names = new ArrayList<>();
            while (rs.next()) {
                names.add(rs.getString(1));
            }
            assertThat(names).contains("jobs", "jobs_due", "jobs_by_function", "jobs_by_status", "jobs_by_time",
                    "jobs_by_idempotency_key", "jobs_by_finish", "jobs_callbacks_due");
        }
    }
}
