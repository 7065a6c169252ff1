package io.glambdar.app;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class DefaultBaseDirTest {

    @Test
    void theHomeVariableWinsOverTheHomeOfThePasswordDatabase() {
        assertThat(ServeCommand.defaultBaseDir("/tmp/x", "/root")).isEqualTo(Path.of("/tmp/x/.glambdar"));
    }

    @Test
    void withoutAUsableHomeVariableTheUsersHomeIsUsed() {
        assertThat(ServeCommand.defaultBaseDir(null, "/root")).isEqualTo(Path.of("/root/.glambdar"));
        assertThat(ServeCommand.defaultBaseDir(" ", "/root")).isEqualTo(Path.of("/root/.glambdar"));
        assertThat(ServeCommand.defaultBaseDir("relative/home", "/root")).isEqualTo(Path.of("/root/.glambdar"));
    }
}
