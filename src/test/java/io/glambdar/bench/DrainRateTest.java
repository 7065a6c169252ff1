package io.glambdar.bench;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DrainRateTest {

    private static final List<DrainRate.Span> SPANS = List.of(
            new DrainRate.Span(1_500, 1_600), new DrainRate.Span(1_000, 1_400), // the first to start: a cold start
            new DrainRate.Span(1_600, 2_500), new DrainRate.Span(1_700, 2_000));

    @Test
    void fromTheFirstStartToTheLastEnd() {
        DrainRate all = DrainRate.of(SPANS, 0);

        assertThat(all.jobs()).isEqualTo(4);
        assertThat(all.seconds()).isEqualTo(1.5);
        assertThat(all.perSecond()).isCloseTo(4 / 1.5, within(1e-9));
    }

    @Test
    void theFirstToStartCanBeLeftOut() {
        DrainRate steady = DrainRate.of(SPANS, 1);

        assertThat(steady.jobs()).isEqualTo(3);
        assertThat(steady.excluded()).isEqualTo(1);
        assertThat(steady.seconds()).isEqualTo(1.0);
        assertThat(steady.perSecond()).isEqualTo(3.0);
    }

    @Test
    void nothingCountedHasNoRate() {
        assertThat(DrainRate.of(SPANS, 4).perSecond()).isNaN();
        assertThat(DrainRate.of(List.of(), 0).perSecond()).isNaN();
    }
}
