package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReplyLimitsTest {

    @Test
    void defaultsAreTheSpecsAndWorkerJss() {
        assertThat(ReplyLimits.DEFAULTS).isEqualTo(new ReplyLimits(6 * 1024 * 1024, 64 * 1024, 100, 64 * 1024));
    }

    @Test
    void withMaxBodyBytesKeepsTheOtherDefaults() {
        assertThat(ReplyLimits.withMaxBodyBytes(1000)).isEqualTo(new ReplyLimits(1000, 64 * 1024, 100, 64 * 1024));
    }

    @Test
    void theHelloFrameIsSmallerThanTheReplyFrameAndBothAreBounded() {
        ReplyLimits limits = ReplyLimits.DEFAULTS;

        assertThat(limits.maxHelloFrameBytes()).isLessThan(limits.maxReplyFrameBytes());
        assertThat(limits.maxReplyFrameBytes()).isBetween(6 * 6 * 1024 * 1024, 40 * 1024 * 1024);
        assertThat(limits.maxHelloFrameBytes()).isLessThan(3 * 1024 * 1024);
    }

    @Test
    void nonPositiveLimitsAreRefused() {
        assertThatThrownBy(() -> new ReplyLimits(0, 1024, 1, 1)).hasMessageContaining("maxBodyBytes must be positive");
        assertThatThrownBy(() -> new ReplyLimits(1, 1024, 0, 1)).hasMessageContaining("maxHeaderCount must be positive");
        assertThatThrownBy(() -> new ReplyLimits(1, 1024, 1, -1)).hasMessageContaining("maxHeaderBytes must be positive");
    }

    @Test
    void logsNeedRoomForTheTruncationMarker() {
        assertThatThrownBy(() -> new ReplyLimits(1, 63, 1, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxLogBytes must be at least 64");
    }

    @Test
    void aBodyLimitThatWouldMakeFramesOverAGibibyteIsRefused() {
        assertThatThrownBy(() -> ReplyLimits.withMaxBodyBytes(200 * 1024 * 1024))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("over the 1073741824 this protocol takes")
                .hasMessageContaining("lower maxBodyBytes");
    }
}
