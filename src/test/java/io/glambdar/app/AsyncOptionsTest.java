package io.glambdar.app;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AsyncOptionsTest {

    @Test
    void byDefaultAsyncWorkTakesHalfTheContainerCapacity() {
        // 18,432 MB for containers of 128 MB: 144 containers, 72 of them for asynchronous invocations
        assertThat(AsyncOptions.DEFAULTS.concurrencyFor(18_432, 128)).isEqualTo(72);
        assertThat(AsyncOptions.DEFAULTS.concurrencyFor(128, 128)).as("at least one").isEqualTo(1);
        assertThat(new AsyncOptions(5, Duration.ofHours(1), Duration.ofSeconds(1)).concurrencyFor(18_432, 128))
                .as("GLAMBDAR_ASYNC_CONCURRENCY as set").isEqualTo(5);
    }

    @Test
    void retentionHoursTakeFractionsAndRefuseNothingOrLess() {
        assertThat(AsyncOptions.hours(0.5)).isEqualTo(Duration.ofMinutes(30));
        assertThat(AsyncOptions.hours(168)).isEqualTo(Duration.ofDays(7));
        assertThatThrownBy(() -> AsyncOptions.hours(0)).hasMessageContaining("GLAMBDAR_ASYNC_RETENTION_HOURS");
        assertThatThrownBy(() -> AsyncOptions.hours(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AsyncOptions(0, Duration.ofHours(1), Duration.ofSeconds(1)))
                .hasMessageContaining("GLAMBDAR_ASYNC_CONCURRENCY");
    }
}
