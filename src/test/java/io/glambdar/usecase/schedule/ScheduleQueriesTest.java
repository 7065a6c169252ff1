package io.glambdar.usecase.schedule;

import io.glambdar.store.jobs.Job;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code GET /schedules}: what is deployed now, with where each schedule stands. */
class ScheduleQueriesTest {

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

    @Test
    void noSchedulesNoEntries() {
        f.store.deploy("plain", "exports.handler = async () => ({body: 1});");

        assertThat(f.queries().list()).isEmpty();
    }

    @Test
    void aScheduleNotYetSeenByTheSchedulerIsListedWithItsFirstFiring() {
        f.deploy("g", "[{\"cron\": \"0 3 * * *\", \"timezone\": \"Europe/Berlin\"}]");
        f.deploy("f", "[{\"cron\": \"@every 10s\"}, {\"cron\": \"@weekly\"}]");

        assertThat(f.queries().list()).containsExactly(
                new ScheduleInfo("f", 0, "@every 10s", "UTC", Instant.parse("2026-05-01T12:00:10Z"), null, null,
                        null, 0),
                new ScheduleInfo("f", 1, "@weekly", "UTC", Instant.parse("2026-05-03T00:00:00Z"), null, null,
                        null, 0),
                new ScheduleInfo("g", 0, "0 3 * * *", "Europe/Berlin", Instant.parse("2026-05-02T01:00:00Z"), null,
                        null, null, 0));
    }

    /** EST is an IANA name Java's table leaves out: 03:00 EST is 08:00 UTC all year. */
    @Test
    void aScheduleInEstFiresAtItsLocalTime() {
        f.deploy("e", "[{\"cron\": \"0 3 * * *\", \"timezone\": \"EST\"}]");

        assertThat(f.queries().list()).containsExactly(new ScheduleInfo("e", 0, "0 3 * * *", "EST",
                Instant.parse("2026-05-02T08:00:00Z"), null, null, null, 0));
    }

    @Test
    void afterFiringItShowsTheLastRunItsInvocationAndItsStatus() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10.004Z");
        scheduler.fireDue();
        Job job = f.jobs().getFirst();

        assertThat(f.queries().list()).containsExactly(new ScheduleInfo("f", 0, "@every 10s", "UTC",
                Instant.parse("2026-05-01T12:00:20Z"), Instant.parse("2026-05-01T12:00:10Z"), job.id(), "queued", 0));

        f.at("2026-05-01T12:00:20Z");
        f.jobs.claim("worker", f.clock.instant(), Duration.ofMinutes(5), 1);
        scheduler.fireDue();
        assertThat(f.queries().list().getFirst()).extracting(ScheduleInfo::lastStatus, ScheduleInfo::skipped)
                .containsExactly("running", 1L);
    }

    @Test
    void aNewVersionIsListedAfreshAndADeletedFunctionNotAtAll() {
        f.deploy("f", "[{\"cron\": \"@every 10s\"}]");
        f.deploy("g", "[{\"cron\": \"@every 10s\"}]");
        FireSchedules scheduler = f.scheduler();
        scheduler.fireDue();
        f.at("2026-05-01T12:00:10Z");
        scheduler.fireDue();

        f.at("2026-05-01T12:00:12Z");
        f.deploy("f", "[{\"cron\": \"@hourly\", \"timezone\": \"Asia/Kolkata\"}]");
        f.store.catalog.remove("g");

        assertThat(f.queries().list()).containsExactly(new ScheduleInfo("f", 0, "@hourly", "Asia/Kolkata",
                Instant.parse("2026-05-01T12:30:00Z"), null, null, null, 0));
    }
}
