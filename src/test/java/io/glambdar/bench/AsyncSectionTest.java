package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AsyncSectionTest {

    private static Latencies ms(Double... values) {
        return Latencies.of("ms", List.of(values));
    }

    private static AsyncSection.Accepting accepting(double seconds, long ok, long rejected, long errors, long ran) {
        return new AsyncSection.Accepting(new Throughput("POST /async", 32, seconds, ok, rejected, errors), ms(1.0),
                ok, ran, 48);
    }

    @Test
    void acceptingNeedsAThousandPerSecondNoFailureAndEveryAcceptedJobRun() {
        assertThat(accepting(5, 5000, 0, 0, 5000).met()).isTrue();
        assertThat(accepting(5, 4995, 0, 0, 4995).met()).isFalse(); // 999/s
        assertThat(accepting(5, 9000, 1, 0, 9000).met()).isFalse();
        assertThat(accepting(5, 9000, 0, 1, 9000).met()).isFalse();
        assertThat(accepting(5, 9000, 0, 0, 8999).met()).isFalse();
        assertThat(accepting(5, 9000, 0, 0, -1).met()).isFalse(); // not known to have run
    }

    @Test
    void idleQueueTargetIsOnTheMedian() {
        assertThat(new AsyncSection.IdleQueue(ms(5.0, 20.0, 90.0), ms(1.0)).met()).isTrue();
        assertThat(new AsyncSection.IdleQueue(ms(5.0, 21.0, 22.0), ms(1.0)).met()).isFalse();
        assertThat(new AsyncSection.IdleQueue(ms(), ms()).met()).isFalse();
    }

    private static AsyncSection.Drain drain(int jobs, double seconds, long failed, double reference) {
        return drain(jobs, seconds, failed, reference, 0);
    }

    private static AsyncSection.Drain drain(int jobs, double seconds, long failed, double reference,
                                            long warmUpFailed) {
        DrainRate rate = new DrainRate(jobs, 200, seconds);
        return new AsyncSection.Drain(32, jobs + 200, rate, rate, rate, failed, 0, reference, true, reference / 2, 5,
                300, 200, new DrainRate(jobs, 0, 2 * seconds), warmUpFailed);
    }

    @Test
    void aDrainIsNotMetWhenItsWarmUpLostJobs() {
        assertThat(drain(4800, 2, 0, 3000, 1).met()).isFalse();
    }

    @Test
    void drainComparesWithTheSynchronousThroughput() {
        assertThat(drain(4800, 2, 0, 3000).ratio()).isEqualTo(0.8);
        assertThat(drain(4800, 2, 0, 3000).met()).isTrue();
        assertThat(drain(4200, 2, 0, 3000).met()).isTrue(); // exactly 70 %
        assertThat(drain(4000, 2, 0, 3000).met()).isFalse();
        assertThat(drain(4800, 2, 1, 3000).met()).isFalse();
        assertThat(drain(0, 0, 0, 3000).met()).isFalse(); // NaN
    }

    private static AsyncSection.Schedules schedules(List<ScheduleLateness.Firing> firings, long skipped) {
        return new AsyncSection.Schedules("@every 1s", ScheduleLateness.of(firings, 1000, 3000, 1000), skipped, true);
    }

    @Test
    void everyFiringMustBeWithinASecondAndNoneMissingOrSkipped() {
        List<ScheduleLateness.Firing> punctual = List.of(new ScheduleLateness.Firing(1005, 1010L),
                new ScheduleLateness.Firing(2005, 2010L), new ScheduleLateness.Firing(3005, 3999L));
        assertThat(schedules(punctual, 0).met()).isTrue();
        assertThat(schedules(punctual, 1).met()).isFalse();
        assertThat(schedules(punctual.subList(0, 2), 0).met()).isFalse(); // one missing
        List<ScheduleLateness.Firing> lateStart = List.of(new ScheduleLateness.Firing(1005, 1010L),
                new ScheduleLateness.Firing(2005, 2010L), new ScheduleLateness.Firing(3005, 4000L));
        assertThat(schedules(lateStart, 0).met()).isFalse();
        List<ScheduleLateness.Firing> neverRan = List.of(new ScheduleLateness.Firing(1005, 1010L),
                new ScheduleLateness.Firing(2005, 2010L), new ScheduleLateness.Firing(3005, null));
        assertThat(schedules(neverRan, 0).met()).isFalse();
        assertThat(schedules(punctual, -1).met()).isTrue(); // the count is not shown: not held against it
    }

    @Test
    void rendersItsSectionAndTargetRows() {
        List<ScheduleLateness.Firing> firings = List.of(new ScheduleLateness.Firing(1005, 1010L),
                new ScheduleLateness.Firing(2005, 2010L), new ScheduleLateness.Firing(3005, 3020L));
        for (boolean fromReuseRun : new boolean[]{true, false}) {
            AsyncSection section = new AsyncSection(accepting(5, 6000, 0, 0, 6000),
                    new AsyncSection.IdleQueue(ms(-1.0, 2.0, 3.0), ms(1.0, 1.0)),
                    new AsyncSection.Drain(32, 5000, new DrainRate(5000, 0, 4), new DrainRate(4800, 200, 4),
                            new DrainRate(2500, 2500, 2), 0, 0, 1500, fromReuseRun, 1400, 5, 300, 200,
                            new DrainRate(5000, 0, 8), 0),
                    schedules(firings, 0));
            StringBuilder md = new StringBuilder();

            section.appendTo(md);
            section.appendTargets(md);

            assertThat(md).contains("1250 jobs/s vs 1500/s (83 %").contains("1250 jobs/s**")
                    .contains("5000 jobs in 8.00 s, 625 jobs/s (0 did not succeed)")
                    .contains("created max 5 ms late, function started max 20 ms late; none missing, 0 skipped | yes")
                    .contains("p50 2 ms, p99 3 ms (3 calls) | yes");
            assertThat(md.toString().contains("89 %")).isEqualTo(fromReuseRun); // against the adjacent 1400/s
        }
    }

    @Test
    void namesTheDueTimesMissing() {
        List<ScheduleLateness.Firing> lateStart = List.of(new ScheduleLateness.Firing(2005, 2010L),
                new ScheduleLateness.Firing(3005, 3010L));

        AsyncSection.Schedules schedules = schedules(lateStart, 0);

        assertThat(schedules.met()).isFalse();
        assertThat(schedules.missingText())
                .isEqualTo("1 missing (#1; #1 is the first whole second after the deploy's 201)");
        assertThat(schedules(List.of(new ScheduleLateness.Firing(1005, 1010L),
                new ScheduleLateness.Firing(2005, 2010L), new ScheduleLateness.Firing(3005, 3010L)), 0)
                .missingText()).isEqualTo("none missing");
    }
}
