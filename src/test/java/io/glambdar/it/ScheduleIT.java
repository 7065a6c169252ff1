package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.zone.ZoneOffsetTransition;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** Schedules end to end: firing, what the function gets, redeploy and delete, skips, bad schedules; real Docker. */
@ExtendWith(DockerRequired.class)
class ScheduleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Says what it was sent; sleeps first when its body asks. */
    private static final String ECHO = """
            exports.handler = async (req) => {
              const body = await req.json();
              if (body && body.sleepMs) { await new Promise(r => setTimeout(r, body.sleepMs)); }
              return { body: { schedule: req.headers['x-glambdar-schedule'], contentType: req.headers['content-type'],
                               method: req.method, path: req.path, body } };
            };
            """;

    private static Harness glambdar;

    @BeforeAll
    static void start() {
        glambdar = Harness.start();
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    private static byte[] withSchedules(String schedulesJson, String... moreSettings) {
        return Zips.of(Map.of("index.js", ECHO, "glambdar.json",
                "{\"schedules\": " + schedulesJson + String.join("", moreSettings) + "}"));
    }

    /** The entries of {@code GET /schedules} for one function. */
    private static List<JsonNode> schedulesOf(String function) {
        ApiClient.Response response = glambdar.get("/schedules");
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> entries = new ArrayList<>();
        response.json().get("schedules").forEach(entry -> {
            if (entry.get("function").asText().equals(function)) {
                entries.add(entry);
            }
        });
        return entries;
    }

    /** The function's asynchronous invocations, oldest first. */
    private static List<JsonNode> jobsOf(String function) {
        ApiClient.Response response = glambdar.get("/invocations?function=" + function + "&limit=1000");
        assertThat(response.status()).isEqualTo(200);
        List<JsonNode> jobs = new ArrayList<>();
        response.json().get("invocations").forEach(jobs::add);
        jobs.sort(Comparator.comparing(job -> Instant.parse(job.get("createdAt").asText())));
        return jobs;
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void everySecondFiresOnTimeAndTheFunctionGetsTheHeaderAndTheBody() {
        assertThat(glambdar.update("tick", withSchedules(
                "[{\"cron\": \"@every 1s\", \"body\": {\"hello\": \"world\"}}]")).status()).isEqualTo(201);

        // One reading of the entry: with a firing every second, a second reading may name a newer, running one.
        AtomicReference<JsonNode> succeeded = new AtomicReference<>();
        Eventually.holds("a firing of tick succeeded", Duration.ofSeconds(60), () -> {
            JsonNode read = schedulesOf("tick").getFirst();
            succeeded.set(read);
            return "succeeded".equals(read.path("lastStatus").asText(null));
        });

        JsonNode entry = succeeded.get();
        assertThat(entry.get("index").asInt()).isZero();
        assertThat(entry.get("cron").asText()).isEqualTo("@every 1s");
        assertThat(entry.get("timezone").asText()).isEqualTo("UTC");
        assertThat(Instant.parse(entry.get("nextRunAt").asText())).isAfter(Instant.parse(entry.get("lastRunAt")
                .asText()));
        JsonNode job = glambdar.get("/invocations/" + entry.get("lastInvocationId").asText()).json();
        assertThat(job.get("function").asText()).isEqualTo("tick");
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        JsonNode got = parse(job.get("result").get("body").asText());
        assertThat(got.get("schedule").asText()).isEqualTo("@every 1s");
        assertThat(got.get("contentType").asText()).isEqualTo("application/json");
        assertThat(got.get("method").asText()).isEqualTo("POST");
        assertThat(got.get("path").asText()).isEqualTo("/");
        assertThat(got.get("body")).isEqualTo(parse("{\"hello\": \"world\"}"));

        // Each firing is queued within a second of its time (whole seconds, for @every 1s).
        for (JsonNode fired : jobsOf("tick")) {
            Instant created = Instant.parse(fired.get("createdAt").asText());
            Duration late = Duration.between(created.truncatedTo(ChronoUnit.SECONDS), created);
            assertThat(late).as("lateness of %s", fired.get("invocationId")).isLessThan(Duration.ofMillis(500));
        }
        assertThat(glambdar.delete("/del/tick").status()).isEqualTo(204);
    }

    @Test
    void aNewVersionsSchedulesReplaceTheOldAndDeleteRemovesThem() throws Exception {
        assertThat(glambdar.update("nightly", withSchedules("[{\"cron\": \"@every 1s\", \"body\": \"v1\"},"
                + " {\"cron\": \"*/5 * * * *\"}]")).status()).isEqualTo(201);
        assertThat(schedulesOf("nightly")).extracting(entry -> entry.get("cron").asText())
                .containsExactly("@every 1s", "*/5 * * * *");
        Eventually.holds("nightly's first firing", Duration.ofSeconds(30), () -> !jobsOf("nightly").isEmpty());

        assertThat(glambdar.update("nightly", withSchedules(
                "[{\"cron\": \"30 2 * * *\", \"timezone\": \"Europe/Berlin\", \"body\": \"v2\"}]")).status())
                .isEqualTo(201);

        List<JsonNode> replaced = schedulesOf("nightly");
        assertThat(replaced).hasSize(1);
        assertThat(replaced.getFirst().get("cron").asText()).isEqualTo("30 2 * * *");
        assertThat(replaced.getFirst().get("timezone").asText()).isEqualTo("Europe/Berlin");
        assertThat(replaced.getFirst().get("lastRunAt").isNull()).isTrue();
        assertThat(replaced.getFirst().get("lastInvocationId").isNull()).isTrue();
        assertThat(replaced.getFirst().get("skipped").asLong()).isZero();
        assertThat(replaced.getFirst().get("nextRunAt").asText()).matches(".*T00:30:00Z|.*T01:30:00Z");
        // v1's @every 1s no longer fires (a pass begun before the deploy may still have fired it once)
        Thread.sleep(1_500);
        int fired = jobsOf("nightly").size();
        Thread.sleep(2_500);
        assertThat(jobsOf("nightly")).hasSize(fired);

        assertThat(glambdar.delete("/del/nightly").status()).isEqualTo(204);
        assertThat(schedulesOf("nightly")).isEmpty();
    }

    @Test
    void aFunctionSlowerThanItsPeriodHasItsFiringsSkippedAndCountedNeverPiledUp() {
        assertThat(glambdar.update("slow", withSchedules("[{\"cron\": \"@every 1s\", \"body\": {\"sleepMs\": 2500}}]",
                ", \"reuse\": true")).status()).isEqualTo(201);

        Eventually.holds("two runs of slow finished and two firings skipped", Duration.ofSeconds(60), () -> {
            List<JsonNode> jobs = jobsOf("slow");
            assertThat(jobs.stream().filter(job -> job.get("status").asText().matches("queued|running")).count())
                    .as("runs queued or running at once").isLessThanOrEqualTo(1);
            return jobs.stream().filter(job -> job.get("status").asText().equals("succeeded")).count() >= 2
                    && schedulesOf("slow").getFirst().get("skipped").asLong() >= 2;
        });
        JsonNode entry = schedulesOf("slow").getFirst();
        assertThat(entry.get("lastStatus").asText()).isIn("queued", "running", "succeeded");
        assertThat(glambdar.delete("/del/slow").status()).isEqualTo(204);

        List<JsonNode> jobs = jobsOf("slow");
        for (int i = 1; i < jobs.size(); i++) {
            JsonNode before = jobs.get(i - 1);
            assertThat(before.get("status").asText()).isEqualTo("succeeded");
            assertThat(Instant.parse(jobs.get(i).get("createdAt").asText()))
                    .as("run %d was queued after run %d finished", i + 1, i)
                    .isAfterOrEqualTo(Instant.parse(before.get("finishedAt").asText()));
        }
        assertThat(jobs).allSatisfy(job -> assertThat(job.get("attempts").asInt()).isLessThanOrEqualTo(1));
    }

    /**
     * Every form SPEC names, read back as {@code nextRunAt} (each checked against java.time as an independent oracle),
     * and the daylight-saving rules shown through the server: 02:30 on the next spring-forward day in Berlin does not
     * exist, so it fires a year later; 02:30 on the next fall-back day happens twice, and fires at the first.
     */
    @Test
    void everyFormAndTimeZoneGivesTheNextRunJavaTimeExpectsAcrossDaylightSavingChanges() {
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        ZoneId kolkata = ZoneId.of("Asia/Kolkata");
        LocalDate gapDay = nextTransition(berlin, true);
        LocalDate overlapDay = nextTransition(berlin, false);
        String atHalfPastTwo = "30 2 %d %d *";
        Instant before = Instant.now();
        assertThat(glambdar.update("forms", withSchedules("[{\"cron\": \"@hourly\"},"
                + " {\"cron\": \"@daily\", \"timezone\": \"Asia/Kolkata\"}, {\"cron\": \"@weekly\"},"
                + " {\"cron\": \"@monthly\"}, {\"cron\": \"@every 5m\"}, {\"cron\": \"@every 2h\"},"
                + " {\"cron\": \"*/15 * * * *\"},"
                + " {\"cron\": \"" + atHalfPastTwo.formatted(gapDay.getDayOfMonth(), gapDay.getMonthValue())
                + "\", \"timezone\": \"Europe/Berlin\"},"
                + " {\"cron\": \"" + atHalfPastTwo.formatted(overlapDay.getDayOfMonth(), overlapDay.getMonthValue())
                + "\", \"timezone\": \"Europe/Berlin\"},"
                // EST is an IANA zone (the tz database's fixed -05:00), though Java knows it only as an alias
                + " {\"cron\": \"@daily\", \"timezone\": \"EST\"}]")).status()).isEqualTo(201);
        List<JsonNode> entries = schedulesOf("forms");
        Instant after = Instant.now();

        List<java.util.function.Function<Instant, Instant>> expected = List.of(
                t -> t.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1)),
                t -> t.atZone(kolkata).toLocalDate().plusDays(1).atStartOfDay(kolkata).toInstant(),
                t -> t.atZone(ZoneOffset.UTC).toLocalDate().with(TemporalAdjusters.next(DayOfWeek.SUNDAY))
                        .atStartOfDay(ZoneOffset.UTC).toInstant(),
                t -> t.atZone(ZoneOffset.UTC).toLocalDate().with(TemporalAdjusters.firstDayOfNextMonth())
                        .atStartOfDay(ZoneOffset.UTC).toInstant(),
                t -> nextMultiple(t, Duration.ofMinutes(5)),
                t -> nextMultiple(t, Duration.ofHours(2)),
                t -> nextMultiple(t, Duration.ofMinutes(15)),
                t -> firstExisting(gapDay.atTime(2, 30), berlin),
                t -> ZonedDateTime.ofLocal(overlapDay.atTime(2, 30), berlin, null).toInstant(),
                t -> t.atOffset(ZoneOffset.ofHours(-5)).toLocalDate().plusDays(1).atStartOfDay(ZoneOffset.ofHours(-5))
                        .toInstant());
        assertThat(entries).hasSize(expected.size());
        for (int i = 0; i < entries.size(); i++) {
            Instant next = Instant.parse(entries.get(i).get("nextRunAt").asText());
            assertThat(next).as("%s", entries.get(i))
                    .isIn(expected.get(i).apply(before), expected.get(i).apply(after));
        }
        // the two Berlin entries, spelled out: skipped on the gap day, the earlier of the two 02:30s on the overlap day
        assertThat(Instant.parse(entries.get(7).get("nextRunAt").asText()).atZone(berlin).toLocalDate())
                .isEqualTo(gapDay.plusYears(1));
        Instant overlapRun = Instant.parse(entries.get(8).get("nextRunAt").asText());
        assertThat(overlapRun.atZone(berlin).getOffset()).as("summer time: the first 02:30")
                .isEqualTo(berlin.getRules().getValidOffsets(overlapDay.atTime(2, 30)).getFirst());
        assertThat(glambdar.delete("/del/forms").status()).isEqualTo(204);
    }

    @Test
    void aScheduleWithoutABodySendsAnEmptyObjectAndAnyStatusCodeIsASuccess() {
        assertThat(glambdar.update("bare", Zips.of(Map.of("index.js", """
                exports.handler = async (req) => ({ statusCode: 500, body: { got: req.body } });
                """, "glambdar.json", "{\"reuse\": true, \"schedules\": [{\"cron\": \"@every 1s\"}]}")))
                .status()).isEqualTo(201);

        Eventually.holds("a firing of bare ended", Duration.ofSeconds(60), () -> jobsOf("bare").stream()
                .anyMatch(job -> job.get("status").asText().equals("succeeded")));

        JsonNode job = jobsOf("bare").stream().filter(j -> j.get("status").asText().equals("succeeded")).findFirst()
                .orElseThrow();
        assertThat(job.get("result").get("statusCode").asInt()).isEqualTo(500);
        assertThat(parse(job.get("result").get("body").asText()).get("got").asText()).isEqualTo("{}");
        assertThat(glambdar.delete("/del/bare").status()).isEqualTo(204);
    }

    /** The date of the zone's next daylight-saving change after now: a gap (spring forward) or an overlap. */
    private static LocalDate nextTransition(ZoneId zone, boolean gap) {
        Instant from = Instant.now();
        while (true) {
            ZoneOffsetTransition transition = zone.getRules().nextTransition(from);
            if (transition.isGap() == gap) {
                return transition.getDateTimeBefore().toLocalDate();
            }
            from = transition.getInstant();
        }
    }

    /** The first year's {@code local} (same day and time) that exists in the zone: a gap's is skipped. */
    private static Instant firstExisting(LocalDateTime local, ZoneId zone) {
        LocalDateTime candidate = local;
        while (zone.getRules().getValidOffsets(candidate).isEmpty()) {
            candidate = candidate.plusYears(1);
        }
        return ZonedDateTime.ofLocal(candidate, zone, null).toInstant();
    }

    private static Instant nextMultiple(Instant t, Duration period) {
        long millis = period.toMillis();
        return Instant.ofEpochMilli((t.toEpochMilli() / millis + 1) * millis);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"cron\": \"61 * * * *\"}                           | \"schedules\"[0].cron \"61 * * * *\" is not valid",
            "{\"cron\": \"@every 0s\"}                            | \"schedules\"[0].cron \"@every 0s\" is not valid",
            "{\"cron\": \"0 0 12 ? * MON\"}                       | six-field (seconds) and Quartz expressions are not supported",
            "{\"cron\": \"@daily\", \"timezone\": \"Mars/Base\"}  | \"schedules\"[0].timezone must be an IANA time zone"})
    void aBadScheduleFailsTheDeployWithA400NamingIt(String schedule, String message) {
        ApiClient.Response response = glambdar.update("bad", withSchedules("[" + schedule + "]"));

        assertThat(response.status()).isEqualTo(400);
        assertThat(response.json().get("error").asText()).contains(message);
        assertThat(glambdar.get("/info/bad").status()).isEqualTo(404);
    }
}
