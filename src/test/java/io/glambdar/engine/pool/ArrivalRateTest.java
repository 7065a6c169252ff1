package io.glambdar.engine.pool;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class ArrivalRateTest {

    @Test
    void aBurstRaisesTheRateAtOnceAndItDecaysGradually() {
        ArrivalRate rate = new ArrivalRate();
        for (int i = 0; i < 20; i++) {
            rate.record();
        }
        rate.tick(1.0);
        assertThat(rate.perSecond()).isEqualTo(20.0);
        rate.tick(1.0);
        assertThat(rate.perSecond()).isCloseTo(12.0, within(1e-9));
        rate.tick(1.0);
        assertThat(rate.perSecond()).isCloseTo(7.2, within(1e-9));
        for (int i = 0; i < 30; i++) {
            rate.tick(1.0);
        }
        assertThat(rate.perSecond()).isLessThan(0.01);
    }

    @Test
    void ticksOverLongerPeriodsAverageOverThem() {
        ArrivalRate rate = new ArrivalRate();
        for (int i = 0; i < 10; i++) {
            rate.record();
        }
        rate.tick(5.0);
        assertThat(rate.perSecond()).isEqualTo(2.0);
        rate.tick(0); // ignored
        assertThat(rate.perSecond()).isEqualTo(2.0);
    }

    @Test
    void warmTargetCoversArrivalsDuringAStartWithinBounds() {
        assertThat(ArrivalRate.warmTarget(0, 0.5, 4)).isEqualTo(1);      // in use: keep one
        assertThat(ArrivalRate.warmTarget(0.5, 0.5, 4)).isEqualTo(1);
        assertThat(ArrivalRate.warmTarget(2, 0.5, 4)).isEqualTo(2);
        assertThat(ArrivalRate.warmTarget(3, 0.5, 4)).isEqualTo(3);
        assertThat(ArrivalRate.warmTarget(100, 0.5, 4)).isEqualTo(4);    // bounded per function
    }
}
