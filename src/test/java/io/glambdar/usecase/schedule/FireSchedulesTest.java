package io.glambdar.usecase.schedule;

import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobError;
import io.glambdar.store.jobs.JobOutcome;
import io.glambdar.store.jobs.JobResult;
import io.glambdar.store.jobs.JobStatus;
import io.glambdar.store.schedules.ScheduleState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/** The scheduler's pass, on a clock the test moves: firing, skipping, missed firings, and following deploys. */
class FireSchedulesTest {

    private static final JobError CANCELLED = new JobError("cancelled", "cancelled by the test");

    @TempDir
    Path dir;

    private ScheduleFixture f;

    @BeforeEach
    void open() {
        f = new ScheduleFixture(dir, Instant.parse("2026-05-01T12:00:00.250Z"));
    }

    @AfterEach
    void close() {
        f.close();
    }

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    @Test
    void theFirstPassStartsTheScheduleAndFiresNothing() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");

        assertThat(f.scheduler().fireDue()).isEqualTo(at("2026-05-01T12:00:10Z"));

        assertThat(f.jobs()).isEmpty();
        assertThat(f.states()).extracting(ScheduleState::functionName, ScheduleState::index,
                        ScheduleState::nextRunAt, ScheduleState::lastRunAt)
                .containsExactly(tuple("f", 0, at("2026-05-01T12:00:10Z"), null));
    }

    @Test
    void aDueScheduleFiresOnceAsAnAsynchronousPostWithItsBodyAndHeader() {
        f.deploy("f", "[{\"cron\": \"@every 10s\", \"body\": {\"n\": 1}}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();

        f.at("2026-05-01T12:00:10.003Z");
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-05-01T12:00:20Z"));
        assertThat(scheduler.fireDue()).as("a second pass at the same time").isEqualTo(at("2026-05-01T12:00:20Z"));

        assertThat(f.jobs()).hasSize(1);
        Job job = f.jobs().getFirst();
        assertThat(job.functionName()).isEqualTo("f");
        assertThat(job.version()).as("the version active when it runs").isNull();
        assertThat(job.status()).isEqualTo(JobStatus.QUEUED);
        assertThat(job.createdAt()).isEqualTo(at("2026-05-01T12:00:10.003Z"));
        assertThat(job.request().method()).isEqualTo("POST");
        assertThat(job.request().path()).isEqualTo("/");
        assertThat(job.request().query()).isEmpty();
        assertThat(job.request().headers()).isEqualTo(Map.of("content-type", List.of("application/json"),
                "x-glambdar-schedule", List.of("@every 10s")));
        assertThat(new String(job.request().body(), StandardCharsets.UTF_8)).isEqualTo("{\"n\":1}");
        assertThat(job.callback()).isNull();
        assertThat(f.states()).containsExactly(new ScheduleState("f", 0, f.store.catalog.find("f").active()
                .deploymentId(), at("2026-05-01T12:00:20Z"), at("2026-05-01T12:00:10Z"), job.id(), 0));
    }

    @Test
    void aFiringWhosePreviousRunIsQueuedOrRunningIsSkippedAndCounted() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();
        String first = f.jobs().getFirst().id();

        f.at("2026-05-01T12:00:20Z"); // still queued
        scheduler.fireDue();
        f.at("2026-05-01T12:00:30Z"); // running
        assertThat(f.jobs.claim("worker", f.clock.instant(), Duration.ofMinutes(5), 1)).hasSize(1);
        scheduler.fireDue();

        assertThat(f.jobs()).extracting(Job::id).containsExactly(first);
        assertThat(f.states().getFirst().skipped()).isEqualTo(2);
        assertThat(f.states().getFirst().lastRunAt()).isEqualTo(at("2026-05-01T12:00:10Z"));

        f.at("2026-05-01T12:00:35Z"); // it ends
        assertThat(f.jobs.complete(first, "worker", JobOutcome.succeeded(1, new JobResult(200, Map.of(),
                new byte[0]), null, null, f.clock.instant()))).isTrue();
        f.at("2026-05-01T12:00:40Z");
        scheduler.fireDue();

        assertThat(f.jobs()).hasSize(2);
        assertThat(f.states().getFirst()).extracting(ScheduleState::lastRunAt, ScheduleState::lastInvocationId,
                ScheduleState::skipped).containsExactly(at("2026-05-01T12:00:40Z"), f.jobs().get(1).id(), 2L);
    }

    @Test
    void aPreviousRunThatFailedOrWasCancelledDoesNotHoldTheNextOneBack() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();
        assertThat(f.jobs.cancel(f.jobs().getFirst().id(), f.clock.instant(), CANCELLED)).isTrue();

        f.at("2026-05-01T12:00:20Z");
        scheduler.fireDue();

        assertThat(f.jobs()).hasSize(2);
        assertThat(f.states().getFirst().skipped()).isZero();
    }

    @Test
    void aLatePassFiresOnceAndGoesOnFromNow() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();

        f.at("2026-05-01T12:00:45Z"); // due at :10, :20, :30 and :40
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-05-01T12:00:50Z"));

        assertThat(f.jobs()).hasSize(1);
        assertThat(f.states().getFirst().lastRunAt()).isEqualTo(at("2026-05-01T12:00:10Z"));
    }

    @Test
    void firingsMissedWhileTheServerWasDownAreNotMadeUp() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        f.scheduler().fireDue(); // due at 12:00:10, then the server stops

        f.at("2026-05-01T12:05:03Z"); // started again
        FireSchedules restarted = f.scheduler();
        assertThat(restarted.fireDue()).isEqualTo(at("2026-05-01T12:05:10Z"));
        assertThat(f.jobs()).isEmpty();
        assertThat(f.states().getFirst()).extracting(ScheduleState::lastRunAt, ScheduleState::skipped)
                .containsExactly(null, 0L);

        f.at("2026-05-01T12:05:10Z");
        restarted.fireDue();
        assertThat(f.jobs()).hasSize(1);
    }

    @Test
    void aFiringDueJustBeforeTheStartIsStillOnTime() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        f.scheduler().fireDue();

        f.at("2026-05-01T12:00:10.900Z"); // a node starting 900 ms after the firing was due
        f.scheduler().fireDue();

        assertThat(f.jobs()).hasSize(1);
    }

    @Test
    void ofTwoSchedulersOnOneStoreOnlyOneFires() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules one = f.scheduler();
        FireSchedules two = f.scheduler();
        one.fireDue();
        two.fireDue();

        f.at("2026-05-01T12:00:10Z");
        one.fireDue();
        two.fireDue();
        f.at("2026-05-01T12:00:20Z");
        two.fireDue();
        one.fireDue();

        assertThat(f.jobs()).hasSize(1); // the second firing is skipped: the first is still queued
        assertThat(f.states().getFirst().skipped()).isEqualTo(1);
    }

    @Test
    void eachScheduleOfAFunctionFiresOnItsOwn() {
        f.deploy("f", "[{\"cron\": \"@every 10s\", \"body\": \"ten\"}, {\"cron\": \"@every 15s\", \"body\": \"fifteen\"}]");
        f.deploy("g", "[{\"cron\": \"* * * * *\"}]");
        FireSchedules scheduler = f.scheduler();
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-05-01T12:00:10Z"));

        for (String t : List.of("12:00:10", "12:00:15", "12:00:20", "12:00:30", "12:01:00")) {
            f.at("2026-05-01T" + t + "Z");
            f.jobs().forEach(job -> f.jobs.cancel(job.id(), f.clock.instant(), CANCELLED)); // none holds the next back
            scheduler.fireDue();
        }

        assertThat(f.jobs()).extracting(job -> job.functionName() + " " + new String(job.request().body(),
                StandardCharsets.UTF_8) + " " + job.createdAt()).containsExactlyInAnyOrder(
                "f \"ten\" 2026-05-01T12:00:10Z",
                "f \"fifteen\" 2026-05-01T12:00:15Z",
                "f \"ten\" 2026-05-01T12:00:20Z",
                "f \"ten\" 2026-05-01T12:00:30Z",
                "f \"fifteen\" 2026-05-01T12:00:30Z",
                "f \"ten\" 2026-05-01T12:01:00Z",
                "f \"fifteen\" 2026-05-01T12:01:00Z",
                "g {} 2026-05-01T12:01:00Z");
    }

    @Test
    void aNewVersionsSchedulesReplaceTheOld() {
        f.deploy("f", "[{\"cron\": \"@every 10s\", \"body\": \"v1\"}, {\"cron\": \"@every 1m\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();
        f.at("2026-05-01T12:00:20Z");
        scheduler.fireDue(); // skipped: v1's first run is queued

        f.at("2026-05-01T12:00:25Z");
        f.deploy("f", "[{\"cron\": \"@every 7s\", \"body\": \"v2\"}]");
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-05-01T12:00:26Z")); // a multiple of 7 s
        assertThat(f.states()).containsExactly(new ScheduleState("f", 0,
                f.store.catalog.find("f").active().deploymentId(), at("2026-05-01T12:00:26Z"), null, null, 0));

        f.at("2026-05-01T12:00:30Z"); // v1 would have fired now
        scheduler.fireDue();
        f.at("2026-05-01T12:00:33Z");
        scheduler.fireDue();
        assertThat(f.jobs()).extracting(job -> new String(job.request().body(), StandardCharsets.UTF_8))
                .containsExactly("\"v1\"", "\"v2\"");
    }

    @Test
    void aRollbackStartsTheOlderVersionsSchedulesAfresh() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();
        f.deploy("f", "[]");
        scheduler.fireDue();
        assertThat(f.states()).isEmpty();

        f.store.catalog.rollback("f", 1);
        f.at("2026-05-01T12:00:12Z");
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-05-01T12:00:20Z"));
        assertThat(f.states()).extracting(ScheduleState::lastRunAt, ScheduleState::lastInvocationId)
                .containsExactly(tuple(null, null));
    }

    @Test
    void deletingTheFunctionForgetsItsSchedules() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        f.deploy("g", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();

        f.store.catalog.remove("f");
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();

        assertThat(f.states()).extracting(ScheduleState::functionName).containsExactly("g");
        assertThat(f.jobs()).extracting(Job::functionName).containsExactly("g");
    }

    @Test
    void aFunctionWithoutSchedulesHasNoState() {
        f.deploy("f", "[]");
        f.store.deploy("plain", "exports.handler = async () => ({body: 1});");

        assertThat(f.scheduler().fireDue()).isNull();
        assertThat(f.states()).isEmpty();
    }

    @Test
    void cronExpressionsFireAtLocalTimesOfTheirZone() {
        f.at("2026-03-28T00:00:00Z");
        f.deploy("f", "[{\"cron\": \"30 2 * * *\", \"timezone\": \"Europe/Berlin\"}]");
        FireSchedules scheduler = f.scheduler();
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-03-28T01:30:00Z")); // 02:30 CET

        f.at("2026-03-28T01:30:00Z");
        // 2026-03-29 has no 02:30 in Berlin: the next firing is a day later, 02:30 CEST
        assertThat(scheduler.fireDue()).isEqualTo(at("2026-03-30T00:30:00Z"));
        assertThat(f.jobs()).extracting(job -> job.request().headers().get("x-glambdar-schedule"))
                .containsExactly(List.of("30 2 * * *"));
    }
}
