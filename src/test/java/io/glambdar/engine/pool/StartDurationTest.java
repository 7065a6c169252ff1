package io.glambdar.engine.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StartDurationTest {

    @Test
    void aSlowStartRaisesTheEstimateAtOnceAndFastOnesLowerItGradually() {
        StartDuration start = new StartDuration(0.5);
        start.record(1.5);
        assertThat(start.seconds()).isEqualTo(1.5);
        start.record(0.5);
        assertThat(start.seconds()).isCloseTo(1.3, within(1e-9));
        start.record(0.5);
        assertThat(start.seconds()).isCloseTo(1.14, within(1e-9));
        for (int i = 0; i < 40; i++) {
            start.record(0.3);
        }
        assertThat(start.seconds()).isCloseTo(0.3, within(0.01));
    }

    @Test
    void aSlowStartWidensTheWarmTarget() {
        StartDuration start = new StartDuration(0.3);
        assertThat(ArrivalRate.warmTarget(2, start.seconds(), 4)).isEqualTo(2);
        start.record(0.9); // the machine got busy: at 2 calls a second, 2 spares would run dry
        assertThat(ArrivalRate.warmTarget(2, start.seconds(), 4)).isEqualTo(4);
    }
}
