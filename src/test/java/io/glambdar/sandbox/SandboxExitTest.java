package io.glambdar.sandbox;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SandboxExitTest {

    @Test
    void anOutOfMemoryKillNamesTheLimitAndTheSettingToRaise() {
        assertThat(new SandboxExit(137, true).describe(256))
                .isEqualTo("was killed for using more than its 256 MB memory limit (raise \"memory\" in glambdar.json)");
    }

    @Test
    void theOutOfMemoryKillWinsOverAnUnknownExitCode() {
        assertThat(new SandboxExit(null, true).describe(64)).startsWith("was killed for using more than its 64 MB");
    }

    @Test
    void anExitCodeIsQuoted() {
        assertThat(new SandboxExit(3, false).describe(128)).isEqualTo("exited with code 3 before replying");
        assertThat(new SandboxExit(0, false).describe(128)).isEqualTo("exited with code 0 before replying");
    }

    @Test
    void anUnknownEndSaysTheConnectionClosed() {
        assertThat(SandboxExit.UNKNOWN.describe(128)).isEqualTo("closed its connection without replying");
        assertThat(SandboxExit.UNKNOWN).isEqualTo(new SandboxExit(null, false));
    }
}
