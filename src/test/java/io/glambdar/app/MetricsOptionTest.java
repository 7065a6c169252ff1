package io.glambdar.app;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code glambdar serve --metrics / --no-metrics} (GLAMBDAR_METRICS): on unless turned off. */
class MetricsOptionTest {

    @Test
    void metricsAreOnByDefaultAndTheFlagTurnsThemOff() {
        assertThat(ServerConfig.defaults(java.nio.file.Path.of("/tmp/x")).metrics()).isTrue();
        if (System.getenv("GLAMBDAR_METRICS") == null) {
            assertThat(parse().metrics()).isTrue();
        }
        assertThat(parse("--no-metrics").metrics()).isFalse();
        assertThat(parse("--metrics").metrics()).isTrue();
        assertThat(parse("--metrics=false").metrics()).isFalse();
        assertThat(parse("--no-metrics").withMetrics(true).metrics()).isTrue();
    }

    private static ServerConfig parse(String... args) {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}
