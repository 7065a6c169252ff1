package io.glambdar.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every setting of {@code glambdar serve} (README "Configuration"): a bad value, from its variable or its flag, stops
 * the start with one line naming what the user set, the value and what is allowed.
 */
class ServeSettingsTest {

    /**
     * One bad value of a setting.
     *
     * @param flag null: the setting has no flag, or its flag's value is picocli's (a boolean)
     */
    record Bad(String variable, String flag, String value, String allowed) {
        @Override
        public String toString() {
            return variable + "=" + value;
        }
    }

    /** Every variable of README's Configuration table that the server reads, with one bad value each. */
    static final List<Bad> BAD = List.of(
            new Bad("GLAMBDAR_DIR", "--dir", "/dev/null/x", "it must be a directory, or a path where one can be made"),
            new Bad("GLAMBDAR_HOST", "--host", "no-such-host.invalid", "use an address such as 127.0.0.1"),
            new Bad("GLAMBDAR_PORT", "--port", "abc", "it must be a whole number from 0 to 65535"),
            new Bad("GLAMBDAR_ADMIN_KEY", "--admin-key", "has spaces in it", "printable ASCII without spaces"),
            new Bad("GLAMBDAR_AUTH", "--auth", "nobody", "must be unset, or 'none'"),
            new Bad("GLAMBDAR_IMAGE", "--image", "Not An Image",
                    "it must be an image reference such as node:22-slim or registry:5000/team/node:22"),
            new Bad("GLAMBDAR_NETWORK", "--network", "bad network",
                    "it must be a Docker network name or mode such as none, bridge or container:NAME"),
            new Bad("GLAMBDAR_CONTAINER_UID", "--container-uid", "0",
                    "it must be a whole number from 1 to 2147483647"),
            new Bad("GLAMBDAR_MAX_UPLOAD_MB", "--max-upload-mb", "0", "it must be a whole number from 1 to 1048576"),
            new Bad("GLAMBDAR_MAX_BODY_MB", "--max-body-mb", "-1", "it must be a whole number from 1 to 2047"),
            new Bad("GLAMBDAR_MAX_RESPONSE_MB", "--max-response-mb", "600", "it must be a whole number from 1 to 511"),
            new Bad("GLAMBDAR_SHUTDOWN_GRACE", "--shutdown-grace", "1.5", "it must be a whole number from 0 to 3600"),
            new Bad("GLAMBDAR_KEEP_VERSIONS", "--keep-versions", "0", "it must be a whole number from 1 to 10000"),
            new Bad("GLAMBDAR_POOL", null, "yes", "it must be true or false"),
            new Bad("GLAMBDAR_POOL_MAX", "--pool-max", "-2", "it must be a whole number from 1 to 10000"),
            new Bad("GLAMBDAR_POOL_MAX_TOTAL", "--pool-max-total", "many", "it must be a whole number from 1 to 100000"),
            new Bad("GLAMBDAR_POOL_IDLE_SECONDS", "--pool-idle-seconds", "0",
                    "it must be a whole number from 1 to 31536000"),
            new Bad("GLAMBDAR_REUSE", null, "on", "it must be true or false"),
            new Bad("GLAMBDAR_REUSE_MAX_CONTAINERS", "--reuse-max-containers", "0",
                    "it must be a whole number from 1 to 10000"),
            new Bad("GLAMBDAR_REUSE_MAX_USES", "--reuse-max-uses", "99999999999",
                    "it must be a whole number from 1 to 2147483647"),
            new Bad("GLAMBDAR_REUSE_IDLE_SECONDS", "--reuse-idle-seconds", "2m",
                    "it must be a whole number from 1 to 31536000"),
            new Bad("GLAMBDAR_MAX_MEMORY_MB", "--max-memory-mb", "32", "it must be a whole number from 64 to 16777216"),
            new Bad("GLAMBDAR_QUEUE_SIZE", "--queue-size", "-1", "it must be a whole number from 0 to 1000000"),
            new Bad("GLAMBDAR_QUEUE_TIMEOUT_SECONDS", "--queue-timeout-seconds", "forever",
                    "it must be a whole number from 0 to 3600"),
            new Bad("GLAMBDAR_ASYNC_CONCURRENCY", "--async-concurrency", "0",
                    "it must be a whole number from 1 to 10000"),
            new Bad("GLAMBDAR_ASYNC_RETENTION_HOURS", "--async-retention-hours", "NaN",
                    "it must be a number greater than 0 and at most 87600 (fractions allowed)"),
            new Bad("GLAMBDAR_CALLBACK_TIMEOUT_SECONDS", "--callback-timeout-seconds", "0",
                    "it must be a number greater than 0 and at most 3600 (fractions allowed)"),
            new Bad("GLAMBDAR_METRICS", null, "maybe", "it must be true or false"),
            new Bad("GLAMBDAR_HOST_NODE", null, "/no/such/node", "it must be the path of an executable node"),
            new Bad("GLAMBDAR_LOG_LEVEL", null, "LOUD", "it must be one of TRACE, DEBUG, INFO, WARN, ERROR, OFF"));

    /** Read by others than the server (the client, docker-java), so not checked by it. */
    private static final Set<String> NOT_THE_SERVERS = Set.of("GLAMBDAR_URL", "GLAMBDAR_KEY");

    @ParameterizedTest
    @MethodSource("bad")
    void aBadValueOfTheVariableIsRefusedNamingTheVariableTheValueAndWhatIsAllowed(Bad bad) {
        assertThatThrownBy(() -> check(command(Map.of(bad.variable(), bad.value()))))
                .isInstanceOf(RuntimeException.class)
                .hasMessageContaining(bad.variable())
                .hasMessageContaining(bad.allowed())
                .hasMessageNotContaining("\n")
                .satisfies(e -> {
                    if (!bad.variable().equals("GLAMBDAR_ADMIN_KEY")) { // a secret: never repeated
                        assertThat(e.getMessage()).contains(bad.value());
                    }
                });
    }

    @ParameterizedTest
    @MethodSource("badWithTheirOwnFlags")
    void aBadValueOfTheFlagIsRefusedNamingTheFlag(Bad bad) {
        assertThatThrownBy(() -> check(command(Map.of(), bad.flag() + "=" + bad.value())))
                .isInstanceOf(SettingReader.BadSetting.class)
                .hasMessage(bad.flag() + " is '" + bad.value() + "': " + bad.allowed());
    }

    @Test
    void theFlagWinsOverTheVariableAndTheOldFlagNamesStillWork() {
        ServerConfig config = command(Map.of("GLAMBDAR_PORT", "abc", "GLAMBDAR_POOL_IDLE_SECONDS", "0"),
                "--port=9000", "--pool-idle=5", "--queue-timeout=7", "--reuse-idle=8", "--callback-timeout=0.5")
                .config();

        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.engine().poolIdleTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.engine().queueTimeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(config.engine().reuseIdleTimeout()).isEqualTo(Duration.ofSeconds(8));
        assertThat(config.async().callbackTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void goodValuesAtTheEdgesAndBlankVariablesAreTaken() {
        ServerConfig config = command(Map.of("GLAMBDAR_PORT", "65535", "GLAMBDAR_POOL", "FALSE",
                "GLAMBDAR_MAX_BODY_MB", "1", "GLAMBDAR_LOG_LEVEL", "debug", "GLAMBDAR_SHUTDOWN_GRACE", "0",
                "GLAMBDAR_KEEP_VERSIONS", " ", "GLAMBDAR_MAX_MEMORY_MB", "64")).config();

        assertThat(config.port()).isEqualTo(65535);
        assertThat(config.engine().pooling()).isFalse();
        assertThat(config.maxBodyBytes()).isEqualTo(1024 * 1024);
        assertThat(config.shutdownGrace()).isZero();
        assertThat(config.keepVersions()).isEqualTo(ServerConfig.DEFAULT_KEEP_VERSIONS);
        assertThat(config.engine().maxMemoryMb()).isEqualTo(64);
    }

    @Test
    void aBadBooleanFlagStopsTheStartInOneLineWithoutTheUsage() {
        StringWriter err = new StringWriter();
        CommandLine commandLine = Main.commandLine(io.glambdar.cli.Terminal.system(), "serve", "--pool=maybe");
        commandLine.setErr(new PrintWriter(err));

        int status = commandLine.execute("serve", "--pool=maybe");

        assertThat(status).isNotZero();
        assertThat(err.toString().strip()).doesNotContain("\n").startsWith("Cannot start: ").contains("--pool")
                .contains("maybe");
    }

    @Test
    void everyServerVariableOfTheReadmeTableIsChecked() throws IOException {
        String readme = Files.readString(Path.of("README.md"));
        String table = readme.substring(readme.indexOf("## Configuration"), readme.indexOf("Layout of `$GLAMBDAR_DIR`"));
        Set<String> documented = Pattern.compile("`(GLAMBDAR_[A-Z_]+)`").matcher(table).results()
                .map(match -> match.group(1)).filter(name -> !NOT_THE_SERVERS.contains(name))
                .collect(Collectors.toSet());

        assertThat(BAD).extracting(Bad::variable).containsExactlyInAnyOrderElementsOf(documented);
    }

    static List<Bad> bad() {
        return BAD;
    }

    static List<Bad> badWithTheirOwnFlags() {
        // The address and the keys are checked by AuthSettings, which names the variables; the rest have no flag of
        // their own (or a boolean one, which picocli reads).
        Set<String> checkedLater = Set.of("GLAMBDAR_HOST", "GLAMBDAR_ADMIN_KEY", "GLAMBDAR_AUTH");
        return BAD.stream().filter(bad -> bad.flag() != null && !checkedLater.contains(bad.variable())).toList();
    }

    private static ServeCommand command(Map<String, String> env, String... args) {
        ServeCommand command = new ServeCommand();
        command.env = env;
        new CommandLine(command).parseArgs(args);
        return command;
    }

    /** What the start checks before it touches Docker: the settings, then the address and keys. */
    private static void check(ServeCommand command) {
        ServerConfig config = command.config();
        config.auth().check(config.host(), config.port());
    }
}
