package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ScheduleLatenessTest {

    private static ScheduleLateness.Firing firing(long createdAt, Long start) {
        return new ScheduleLateness.Firing(createdAt, start);
    }

    @Test
    void firstDueIsTheNextWholePeriodWhenTheDeployEndsBeforeIt() {
        assertThat(ScheduleLateness.firstDue(10_050, 10_400, 1000)).hasValue(11_000);
        assertThat(ScheduleLateness.firstDue(10_000, 10_999, 1000)).hasValue(11_000);
    }

    @Test
    void aDeploySpanningAWholePeriodLeavesTheFirstDueOpen() {
        assertThat(ScheduleLateness.firstDue(10_900, 11_000, 1000)).isEmpty();
        assertThat(ScheduleLateness.firstDue(10_900, 11_200, 1000)).isEmpty();
        assertThat(ScheduleLateness.firstDueFromFiring(11_003, 1000)).isEqualTo(11_000);
    }

    @Test
    void eachFiringIsMatchedWithItsDueTime() {
        List<ScheduleLateness.Firing> firings = List.of( // newest first, as the server lists them
                firing(13_020, 13_025L), firing(12_004, 12_010L), firing(11_010, 11_300L));

        ScheduleLateness.Result result = ScheduleLateness.of(firings, 11_000, 13_000, 1000);

        assertThat(result.expected()).isEqualTo(3);
        assertThat(result.missing()).isEmpty();
        assertThat(result.extra()).isZero();
        assertThat(result.created().sorted()).containsExactly(4, 10, 20);
        assertThat(result.created().p50()).isEqualTo(10);
        assertThat(result.created().percentile(100)).isEqualTo(20);
        assertThat(result.started().sorted()).containsExactly(10, 25, 300);
    }

    @Test
    void aFirstDueTimeWithoutAFiringIsMissingAndTheOthersOnTime() {
        List<ScheduleLateness.Firing> firings = List.of(firing(12_001, 12_003L), firing(13_002, 13_004L));

        ScheduleLateness.Result result = ScheduleLateness.of(firings, 11_000, 13_000, 1000);

        assertThat(result.missing()).containsExactly(0);
        assertThat(result.matched()).isEqualTo(2);
        assertThat(result.created().sorted()).containsExactly(1, 2);
    }

    @Test
    void aFiringMoreThanAPeriodLateLeavesItsDueTimeMissing() {
        List<ScheduleLateness.Firing> firings = List.of(firing(12_300, null), firing(13_300, null));

        ScheduleLateness.Result result = ScheduleLateness.of(firings, 11_000, 13_000, 1000);

        assertThat(result.missing()).containsExactly(0);
        assertThat(result.created().sorted()).containsExactly(300, 300);
        assertThat(result.started().count()).isZero();
    }

    @Test
    void aFiringBeforeTheFirstDueTimeOrTwiceInAPeriodIsExtra() {
        List<ScheduleLateness.Firing> firings = List.of(firing(10_990, null), firing(11_010, null),
                firing(11_020, null), firing(12_005, null));

        ScheduleLateness.Result result = ScheduleLateness.of(firings, 11_000, 12_000, 1000);

        assertThat(result.extra()).isEqualTo(2);
        assertThat(result.created().sorted()).containsExactly(5, 10);
        assertThat(result.missing()).isEmpty();
    }

    @Test
    void firingsAfterTheLastObservedDueTimeAreLeftOut() {
        List<ScheduleLateness.Firing> firings = List.of(firing(11_001, 11_002L), firing(12_001, 12_002L));

        ScheduleLateness.Result one = ScheduleLateness.of(firings, 11_000, 11_000, 1000);
        assertThat(one.created().count()).isEqualTo(1);
        assertThat(one.missing()).isEmpty();
        ScheduleLateness.Result four = ScheduleLateness.of(firings, 11_000, 14_000, 1000);
        assertThat(four.expected()).isEqualTo(4);
        assertThat(four.missing()).containsExactly(2, 3);
    }
}
