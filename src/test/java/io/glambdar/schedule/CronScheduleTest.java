package io.glambdar.schedule;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CronScheduleTest {

    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");

    /** The next {@code count} firings after {@code after} (an offset date-time, as a local time reads). */
    private static List<Instant> firings(String cron, ZoneId zone, String after, int count) {
        CronSchedule schedule = CronSchedule.parse(cron);
        List<Instant> firings = new ArrayList<>();
        Instant t = at(after);
        for (int i = 0; i < count; i++) {
            t = schedule.nextAfter(t, zone).orElseThrow();
            firings.add(t);
        }
        return firings;
    }

    private static Instant at(String offsetDateTime) {
        return OffsetDateTime.parse(offsetDateTime).toInstant();
    }

    private static List<Instant> all(String... offsetDateTimes) {
        return List.of(offsetDateTimes).stream().map(CronScheduleTest::at).toList();
    }

    /** Europe/Berlin, 2026-03-29: at 02:00 CET the clocks go to 03:00 CEST; 02:xx does not exist that day. */
    @Nested
    class SpringForward {

        @Test
        void aSkippedLocalTimeDoesNotFireThatDay() {
            assertThat(firings("30 2 * * *", BERLIN, "2026-03-27T12:00+01:00", 3)).isEqualTo(all(
                    "2026-03-28T02:30+01:00", "2026-03-30T02:30+02:00", "2026-03-31T02:30+02:00"));
        }

        @Test
        void hourlyGoesFromOneToThree() {
            assertThat(firings("0 * * * *", BERLIN, "2026-03-29T00:30+01:00", 3)).isEqualTo(all(
                    "2026-03-29T01:00+01:00", "2026-03-29T03:00+02:00", "2026-03-29T04:00+02:00"));
        }

        @Test
        void everyQuarterHourLeavesTheGapOut() {
            assertThat(firings("*/15 * * * *", BERLIN, "2026-03-29T01:20+01:00", 4)).isEqualTo(all(
                    "2026-03-29T01:30+01:00", "2026-03-29T01:45+01:00", "2026-03-29T03:00+02:00",
                    "2026-03-29T03:15+02:00"));
        }

        @Test
        void newYorkSkipsItsOwnGap() {
            // 2026-03-08: 02:00 EST → 03:00 EDT
            assertThat(firings("30 2 * * *", NEW_YORK, "2026-03-07T12:00-05:00", 2)).isEqualTo(all(
                    "2026-03-09T02:30-04:00", "2026-03-10T02:30-04:00"));
            assertThat(firings("0 * * * *", NEW_YORK, "2026-03-08T00:30-05:00", 3)).isEqualTo(all(
                    "2026-03-08T01:00-05:00", "2026-03-08T03:00-04:00", "2026-03-08T04:00-04:00"));
        }

        @Test
        void aGapOfAWholeDayIsSkippedInOneStep() {
            // Samoa moved across the date line: 2011-12-30 did not exist there.
            assertThat(firings("0 12 * * *", ZoneId.of("Pacific/Apia"), "2011-12-29T13:00-10:00", 1))
                    .isEqualTo(all("2011-12-31T12:00+14:00"));
            assertThat(firings("* * * * *", ZoneId.of("Pacific/Apia"), "2011-12-29T23:58:30-10:00", 3))
                    .isEqualTo(all("2011-12-29T23:59-10:00", "2011-12-31T00:00+14:00", "2011-12-31T00:01+14:00"));
        }
    }

    /** Europe/Berlin, 2026-10-25: at 03:00 CEST the clocks go back to 02:00 CET; 02:xx happens twice. */
    @Nested
    class FallBack {

        @Test
        void aRepeatedLocalTimeFiresOnceAtItsFirstOccurrence() {
            assertThat(firings("30 2 * * *", BERLIN, "2026-10-24T12:00+02:00", 3)).isEqualTo(all(
                    "2026-10-25T02:30+02:00", "2026-10-26T02:30+01:00",
                    "2026-10-27T02:30+01:00"));
        }

        @Test
        void hourlyFiresTwoOClockOnce() {
            assertThat(firings("0 * * * *", BERLIN, "2026-10-25T00:30+02:00", 4)).isEqualTo(all(
                    "2026-10-25T01:00+02:00", "2026-10-25T02:00+02:00", "2026-10-25T03:00+01:00",
                    "2026-10-25T04:00+01:00"));
        }

        @Test
        void everyQuarterHourFiresTheRepeatedHourOnce() {
            assertThat(firings("*/15 * * * *", BERLIN, "2026-10-25T01:50+02:00", 6)).isEqualTo(all(
                    "2026-10-25T02:00+02:00", "2026-10-25T02:15+02:00", "2026-10-25T02:30+02:00",
                    "2026-10-25T02:45+02:00", "2026-10-25T03:00+01:00", "2026-10-25T03:15+01:00"));
        }

        @Test
        void fromInsideTheRepeatNothingFiresAgainUntilItEnds() {
            // 02:05 CET, the second time 02:05 is read that night
            assertThat(firings("*/15 * * * *", BERLIN, "2026-10-25T02:05+01:00", 1))
                    .isEqualTo(all("2026-10-25T03:00+01:00"));
            assertThat(firings("30 2 * * *", BERLIN, "2026-10-25T02:10+01:00", 1))
                    .isEqualTo(all("2026-10-26T02:30+01:00"));
            // the last moment of the first pass: the repeat is still to come, and does not fire
            assertThat(firings("*/15 * * * *", BERLIN, "2026-10-25T02:59:59.999+02:00", 1))
                    .isEqualTo(all("2026-10-25T03:00+01:00"));
        }

        @Test
        void fromBeforeTheRepeatItsFirstOccurrenceFires() {
            assertThat(firings("30 2 * * *", BERLIN, "2026-10-25T02:10+02:00", 1))
                    .isEqualTo(all("2026-10-25T02:30+02:00"));
        }

        @Test
        void newYorkFiresOneThirtyOnce() {
            // 2026-11-01: 02:00 EDT → 01:00 EST
            assertThat(firings("30 1 * * *", NEW_YORK, "2026-10-31T12:00-04:00", 2)).isEqualTo(all(
                    "2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00"));
            assertThat(firings("0 * * * *", NEW_YORK, "2026-11-01T00:30-04:00", 3)).isEqualTo(all(
                    "2026-11-01T01:00-04:00", "2026-11-01T02:00-05:00", "2026-11-01T03:00-05:00"));
        }
    }

    @Nested
    class Fields {

        @Test
        void nextIsStrictlyAfter() {
            assertThat(firings("0 3 * * *", ZoneOffset.UTC, "2026-05-01T03:00Z", 1))
                    .isEqualTo(all("2026-05-02T03:00Z"));
            assertThat(firings("0 3 * * *", ZoneOffset.UTC, "2026-05-01T02:59:59.999Z", 1))
                    .isEqualTo(all("2026-05-01T03:00Z"));
        }

        @Test
        void dayOfMonthAndDayOfWeekBothRestrictedMeanEither() {
            // the 13th, or a Friday (Unix cron); 2026-01-13 is a Tuesday
            assertThat(firings("0 0 13 * 5", ZoneOffset.UTC, "2026-01-01T00:00Z", 4)).isEqualTo(all(
                    "2026-01-02T00:00Z", "2026-01-09T00:00Z", "2026-01-13T00:00Z", "2026-01-16T00:00Z"));
            assertThat(firings("0 0 13 * *", ZoneOffset.UTC, "2026-01-01T00:00Z", 2)).isEqualTo(all(
                    "2026-01-13T00:00Z", "2026-02-13T00:00Z"));
            assertThat(firings("0 0 * * 5", ZoneOffset.UTC, "2026-01-01T00:00Z", 2)).isEqualTo(all(
                    "2026-01-02T00:00Z", "2026-01-09T00:00Z"));
        }

        @Test
        void sundayIsZeroOrSevenOrSun() {
            for (String sunday : List.of("0", "7", "SUN")) {
                assertThat(firings("0 0 * * " + sunday, ZoneOffset.UTC, "2026-01-01T00:00Z", 1))
                        .isEqualTo(all("2026-01-04T00:00Z"));
            }
        }

        @Test
        void rangesListsAndSteps() {
            assertThat(firings("5,35 9-10 * * 1-5", ZoneOffset.UTC, "2026-01-02T09:40Z", 3)).isEqualTo(all(
                    "2026-01-02T10:05Z", "2026-01-02T10:35Z", "2026-01-05T09:05Z"));
        }

        @Test
        void localTimesOfTheZone() {
            assertThat(firings("0 3 * * *", BERLIN, "2026-01-10T00:00Z", 1)).isEqualTo(all("2026-01-10T02:00Z"));
            assertThat(firings("0 3 * * *", BERLIN, "2026-07-10T00:00Z", 1)).isEqualTo(all("2026-07-10T01:00Z"));
            assertThat(firings("0 3 * * *", ZoneId.of("Asia/Kolkata"), "2026-07-10T00:00Z", 1))
                    .isEqualTo(all("2026-07-10T21:30Z"));
        }

        @Test
        void leapDayFiresInLeapYears() {
            assertThat(firings("0 0 29 2 *", ZoneOffset.UTC, "2026-01-01T00:00Z", 2)).isEqualTo(all(
                    "2028-02-29T00:00Z", "2032-02-29T00:00Z"));
        }
    }

    @Nested
    class Macros {

        @Test
        void weeklyIsSundayMidnight() {
            // 2026-01-01 is a Thursday
            assertThat(firings("@weekly", ZoneOffset.UTC, "2026-01-01T00:00Z", 2)).isEqualTo(all(
                    "2026-01-04T00:00Z", "2026-01-11T00:00Z"));
            assertThat(firings("@weekly", BERLIN, "2026-01-01T00:00Z", 1)).isEqualTo(all("2026-01-04T00:00+01:00"));
        }

        @Test
        void hourlyDailyMonthly() {
            assertThat(firings("@hourly", ZoneOffset.UTC, "2026-01-01T10:59Z", 2)).isEqualTo(all(
                    "2026-01-01T11:00Z", "2026-01-01T12:00Z"));
            assertThat(firings("@daily", BERLIN, "2026-01-01T10:00Z", 1)).isEqualTo(all("2026-01-02T00:00+01:00"));
            assertThat(firings("@monthly", ZoneOffset.UTC, "2026-01-15T00:00Z", 2)).isEqualTo(all(
                    "2026-02-01T00:00Z", "2026-03-01T00:00Z"));
            assertThat(firings("@DAILY", ZoneOffset.UTC, "2026-01-01T10:00Z", 1)).isEqualTo(all("2026-01-02T00:00Z"));
        }

        @Test
        void everySecondFiresOnWholeSeconds() {
            assertThat(firings("@every 1s", ZoneOffset.UTC, "2026-01-01T10:00:00.250Z", 3)).isEqualTo(all(
                    "2026-01-01T10:00:01Z", "2026-01-01T10:00:02Z", "2026-01-01T10:00:03Z"));
            assertThat(firings("@every 1s", ZoneOffset.UTC, "2026-01-01T10:00:00Z", 1))
                    .isEqualTo(all("2026-01-01T10:00:01Z"));
        }

        @Test
        void everyCountsFromTheEpochWhateverTheZone() {
            // 2026-01-01T10:00:00Z is 1767261600 s after the epoch: a multiple of 7 s plus 6 s
            assertThat(firings("@every 7s", BERLIN, "2026-01-01T10:00:00Z", 2)).isEqualTo(all(
                    "2026-01-01T10:00:01Z", "2026-01-01T10:00:08Z"));
            assertThat(firings("@every 7s", ZoneOffset.UTC, "2026-01-01T10:00:00Z", 1))
                    .isEqualTo(all("2026-01-01T10:00:01Z"));
            assertThat(firings("@every 1h", ZoneId.of("Asia/Kolkata"), "2026-01-01T10:20Z", 1))
                    .isEqualTo(all("2026-01-01T11:00Z"));
            assertThat(firings("@every 5m", BERLIN, "2026-01-01T10:20:01Z", 1))
                    .isEqualTo(all("2026-01-01T10:25Z"));
            // daylight saving does not matter: an hour apart through the change
            assertThat(firings("@every 1h", BERLIN, "2026-10-25T00:30+02:00", 3)).isEqualTo(all(
                    "2026-10-24T23:00Z", "2026-10-25T00:00Z", "2026-10-25T01:00Z"));
        }

        @Test
        void everyBeforeTheEpoch() {
            assertThat(firings("@every 1m", ZoneOffset.UTC, "1969-12-31T23:58:30Z", 1))
                    .isEqualTo(all("1969-12-31T23:59Z"));
        }
    }

    @Nested
    class Refused {

        @ParameterizedTest
        @ValueSource(strings = {"0 0 12 ? * MON", "0 0 12 * * ?", "0 0 12 * * MON 2026"})
        void sixFieldAndQuartz(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("5 fields").hasMessageContaining("Quartz");
        }

        @ParameterizedTest
        @ValueSource(strings = {"@every 0s", "@every 0m", "@every 00h"})
        void everyZero(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("at least 1s");
        }

        @ParameterizedTest
        @ValueSource(strings = {"@every 99999999999h", "@every 1000000000h", "@every 3599999996401s"})
        void everyTooLargeSaysTheLargestAllowed(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("the period of @every is too large; the largest allowed is 999999999h"
                            + " (59999999940m, 3599999996400s)");
        }

        @Test
        void theLargestEveryIsAllowedInAnyUnit() {
            Instant t = Instant.parse("2026-01-01T00:00:00Z");
            assertThat(CronSchedule.parse("@every 999999999h").nextAfter(t, ZoneOffset.UTC))
                    .contains(Instant.ofEpochSecond(3_599_999_996_400L));
            assertThat(CronSchedule.parse("@every 3599999996400s").nextAfter(t, ZoneOffset.UTC))
                    .contains(Instant.ofEpochSecond(3_599_999_996_400L));
            assertThat(CronSchedule.parse("@every 99999999999s").nextAfter(t, ZoneOffset.UTC))
                    .as("a large period in seconds, once refused as an unknown macro")
                    .contains(Instant.ofEpochSecond(99_999_999_999L));
        }

        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
                "*/0 * * * *    | a step must be at least 1, got \"*/0\" in the minute field",
                "0/00 * * * *   | a step must be at least 1, got \"0/00\" in the minute field",
                "0 1-5/0 * * *  | a step must be at least 1, got \"1-5/0\" in the hour field",
                "0 0 1,*/0 * *  | a step must be at least 1, got \"*/0\" in the day-of-month field",
                "*/60 * * * *   | a step in the minute field must be from 1 to 59, got \"*/60\"",
                "0 0 * * */8    | a step in the day-of-week field must be from 1 to 7, got \"*/8\""})
        void aStepOutOfRangeSaysWhatAStepMayBe(String cron, String message) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage(message);
        }

        @ParameterizedTest
        @ValueSource(strings = {"@yearly", "@every 5d", "@every -1s", "@every 1.5s", "@reboot"})
        void unknownMacros(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("@every <n>s|m|h");
        }

        @ParameterizedTest
        @ValueSource(strings = {"61 * * * *", "* 24 * * *", "* * 32 * *", "* * * 13 *", "a b c d e", "0 0 ? * *",
                "0 0 L * *", "0 0 * * 5#2"})
        void invalidFields(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class);
        }

        @ParameterizedTest
        @ValueSource(strings = {"0 0 30 2 *", "0 0 31 4,6 *"})
        void neverFiring(String cron) {
            assertThatThrownBy(() -> CronSchedule.parse(cron)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("never fires");
        }

        @Test
        void tooFewFields() {
            assertThatThrownBy(() -> CronSchedule.parse("0 3 * *")).hasMessageContaining("this one has 4");
        }
    }
}
