package io.glambdar.schedule;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleZoneTest {

    private static final Instant WINTER = Instant.parse("2026-01-15T12:00:00Z");
    private static final Instant SUMMER = Instant.parse("2026-07-15T12:00:00Z");

    /** The three IANA names Java leaves to SHORT_IDS keep one offset all year, as in the tz database. */
    @ParameterizedTest
    @CsvSource({"EST, -05:00", "MST, -07:00", "HST, -10:00"})
    void theIanaNamesJavaLeavesOutHaveTheirFixedOffsets(String name, String offset) {
        assertThat(ScheduleZone.of(name).getRules().getOffset(WINTER)).isEqualTo(ZoneOffset.of(offset));
        assertThat(ScheduleZone.of(name).getRules().getOffset(SUMMER)).isEqualTo(ZoneOffset.of(offset));
    }

    @Test
    void theLegacyIanaNamesWithDaylightSavingKeepIt() {
        assertThat(ScheduleZone.of("EST5EDT").getRules().getOffset(WINTER)).isEqualTo(ZoneOffset.ofHours(-5));
        assertThat(ScheduleZone.of("EST5EDT").getRules().getOffset(SUMMER)).isEqualTo(ZoneOffset.ofHours(-4));
        assertThat(ScheduleZone.of("Etc/GMT+5").getRules().getOffset(SUMMER)).as("POSIX sign")
                .isEqualTo(ZoneOffset.ofHours(-5));
    }

    @Test
    void aCronExpressionFiresAtTheLocalTimeOfEst() {
        assertThat(CronSchedule.parse("0 3 * * *").nextAfter(SUMMER, ScheduleZone.of("EST")))
                .contains(Instant.parse("2026-07-16T08:00:00Z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"PST", "IST", "CST", "+05:00", "UTC+5", "Z", "est", "Mars/Base", ""})
    void whatIsNoIanaNameIsUnknown(String name) {
        assertThat(ScheduleZone.isKnown(name)).isFalse();
        assertThatThrownBy(() -> ScheduleZone.of(name)).isInstanceOf(DateTimeException.class)
                .hasMessageContaining("unknown time zone");
    }
}
