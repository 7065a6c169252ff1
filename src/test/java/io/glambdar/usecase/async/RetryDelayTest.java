package io.glambdar.usecase.async;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The delay before a retry: doubling per failed attempt, ±20 % jitter, doubling capped. */
class RetryDelayTest {

    private static final Duration MINUTE = Duration.ofSeconds(60);
    /** Just under 1: the random source is uniform in [0, 1). */
    private static final double ALMOST_ONE = Math.nextDown(1.0);

    @Test
    void withoutJitterTheDelayDoublesPerFailedAttempt() {
        RetryDelay middle = new RetryDelay(() -> 0.5);

        assertThat(middle.after(1, MINUTE)).isEqualTo(Duration.ofSeconds(60));
        assertThat(middle.after(2, MINUTE)).isEqualTo(Duration.ofSeconds(120));
        assertThat(middle.after(3, MINUTE)).isEqualTo(Duration.ofSeconds(240));
        assertThat(middle.after(4, MINUTE)).isEqualTo(Duration.ofSeconds(480));
        assertThat(middle.after(3, Duration.ofMillis(500))).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void theJitterStaysWithinTwentyPercentEitherSide() {
        RetryDelay lowest = new RetryDelay(() -> 0.0);
        RetryDelay highest = new RetryDelay(() -> ALMOST_ONE);

        assertThat(lowest.after(1, MINUTE)).isEqualTo(Duration.ofSeconds(48));
        assertThat(lowest.after(3, MINUTE)).isEqualTo(Duration.ofSeconds(192));
        assertThat(highest.after(1, MINUTE)).isBetween(Duration.ofMillis(71_999), Duration.ofSeconds(72));
        assertThat(highest.after(3, MINUTE)).isBetween(Duration.ofMillis(287_999), Duration.ofSeconds(288));
        for (double random = 0; random < 1; random += 0.01) {
            double r = random;
            Duration delay = new RetryDelay(() -> r).after(2, MINUTE);
            assertThat(delay).as("random %s", r).isBetween(Duration.ofSeconds(96), Duration.ofSeconds(144));
        }
    }

    @Test
    void theJitterIsDrawnAnewForEveryDelay() {
        double[] draws = {0.0, ALMOST_ONE, 0.5};
        int[] next = {0};
        RetryDelay delay = new RetryDelay(() -> draws[next[0]++]);

        assertThat(delay.after(1, MINUTE)).isEqualTo(Duration.ofSeconds(48));
        assertThat(delay.after(1, MINUTE)).isBetween(Duration.ofMillis(71_999), Duration.ofSeconds(72));
        assertThat(delay.after(1, MINUTE)).isEqualTo(MINUTE);
    }

    @Test
    void theDoublingStopsAtTwentyDoublingsSoTheDelayNeverOverflows() {
        RetryDelay middle = new RetryDelay(() -> 0.5);
        Duration capped = Duration.ofSeconds(1L << 20);

        assertThat(middle.after(21, Duration.ofSeconds(1))).isEqualTo(capped);
        assertThat(middle.after(22, Duration.ofSeconds(1))).isEqualTo(capped);
        assertThat(middle.after(Integer.MAX_VALUE, Duration.ofSeconds(1))).isEqualTo(capped);
        assertThat(middle.after(Integer.MAX_VALUE, Duration.ofDays(1))).isPositive();
    }

    @Test
    void noFailedAttemptYetOrNoDelayMeansNoDoubling() {
        RetryDelay middle = new RetryDelay(() -> 0.5);

        assertThat(middle.after(0, MINUTE)).isEqualTo(MINUTE);
        assertThat(middle.after(-3, MINUTE)).isEqualTo(MINUTE);
        assertThat(middle.after(5, Duration.ZERO)).isZero();
        assertThat(new RetryDelay(() -> ALMOST_ONE).after(5, Duration.ZERO)).isZero();
    }
}
