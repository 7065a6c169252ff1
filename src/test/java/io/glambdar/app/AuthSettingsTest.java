package io.glambdar.app;

import io.glambdar.http.auth.AccessMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthSettingsTest {

    private static final String KEY = "0123456789abcdef0123456789abcdef";

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"})
    void openModeOnALoopbackAddressAnswersLoopbackHostsOnly(String host) {
        AuthSettings.Checked checked = AuthSettings.OPEN.check(host, 8000);

        assertThat(checked.mode()).isEqualTo(AccessMode.open(true));
        assertThat(checked.warnings()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "::", "[::]", "10.1.2.3", "192.168.1.20", ""})
    void withoutAKeyTheServerRefusesToListenOnANonLoopbackAddressAndSaysWhatToSet(String host) {
        assertThatThrownBy(() -> AuthSettings.OPEN.check(host, 8000))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("refusing to listen on")
                .hasMessageContaining("without an admin key")
                .hasMessageContaining("GLAMBDAR_ADMIN_KEY")
                .hasMessageContaining("GLAMBDAR_HOST=127.0.0.1")
                .hasMessageContaining("GLAMBDAR_AUTH=none");
        assertThatThrownBy(() -> AuthSettings.OPEN.check(null, 8000)).hasMessageContaining("every interface");
    }

    @Test
    void authNoneIsTheExplicitOptOutAndIsWarnedAbout() {
        AuthSettings.Checked checked = new AuthSettings(null, "none").check("0.0.0.0", 8000);

        assertThat(checked.mode()).isEqualTo(AccessMode.open(false));
        assertThat(checked.warnings()).singleElement().asString().contains("authentication is off")
                .contains("0.0.0.0 port 8000").contains("proxy");
        assertThat(new AuthSettings(null, " NONE ").check("10.1.2.3", 8000).mode().keyed()).isFalse();
        assertThat(new AuthSettings(null, "none").check("127.0.0.1", 8000))
                .satisfies(loopback -> {
                    assertThat(loopback.mode()).isEqualTo(AccessMode.open(true));
                    assertThat(loopback.warnings()).singleElement().asString().contains("changes nothing");
                });
    }

    @Test
    void anAdminKeyMeansKeyedModeOnAnyAddress() {
        for (String host : new String[]{"0.0.0.0", "127.0.0.1", "::"}) {
            AuthSettings.Checked checked = AuthSettings.keyed(KEY).check(host, 8000);
            assertThat(checked.mode().keyed()).isTrue();
            assertThat(checked.mode().adminKey().matches(KEY)).isTrue();
            assertThat(checked.mode().loopbackHostsOnly()).isFalse();
            assertThat(checked.warnings()).isEmpty();
        }
    }

    @Test
    void aShortAdminKeyIsWarnedAboutNotRefused() {
        AuthSettings.Checked checked = AuthSettings.keyed("short").check("0.0.0.0", 8000);

        assertThat(checked.mode().keyed()).isTrue();
        assertThat(checked.warnings()).singleElement().asString().contains("only 5 characters")
                .contains("openssl rand").doesNotContain("short\"");
        assertThat(AuthSettings.keyed("a".repeat(16)).check("0.0.0.0", 8000).warnings()).isEmpty();
    }

    @Test
    void anEmptyAdminKeyIsNoKey() {
        AuthSettings.Checked checked = new AuthSettings("", null).check("127.0.0.1", 8000);

        assertThat(checked.mode().keyed()).isFalse();
        assertThat(checked.warnings()).singleElement().asString().contains("empty");
        assertThatThrownBy(() -> new AuthSettings("", null).check("0.0.0.0", 8000))
                .hasMessageContaining("without an admin key");
    }

    @Test
    void contradictoryOrUnknownSettingsAreRefused() {
        assertThatThrownBy(() -> new AuthSettings(KEY, "none").check("0.0.0.0", 8000))
                .hasMessageContaining("unset one of them");
        assertThatThrownBy(() -> new AuthSettings(null, "off").check("127.0.0.1", 8000))
                .hasMessageContaining("GLAMBDAR_AUTH must be unset, or 'none'").hasMessageContaining("'off'");
        assertThatThrownBy(() -> AuthSettings.keyed("has space").check("127.0.0.1", 8000))
                .hasMessageContaining("printable ASCII without spaces").hasMessageNotContaining("has space");
        assertThatThrownBy(() -> AuthSettings.keyed("ünïcode-key-0123456789").check("127.0.0.1", 8000))
                .hasMessageContaining("printable ASCII");
    }

    @Test
    void anUnresolvableHostSaysSo() {
        assertThatThrownBy(() -> AuthSettings.OPEN.check("no-such-host.invalid", 8000))
                .hasMessageContaining("cannot resolve GLAMBDAR_HOST 'no-such-host.invalid'");
    }

    @Test
    void theSettingsNeverShowTheKey() {
        assertThat(AuthSettings.keyed(KEY).toString()).doesNotContain(KEY);
    }

    @Test
    void theCommandLineTakesTheKeyAndTheOptOutAsFlags() {
        ServerConfig keyed = parse("--host", "0.0.0.0", "--admin-key", KEY);
        assertThat(keyed.auth()).isEqualTo(new AuthSettings(KEY, null));
        assertThat(keyed.auth().check(keyed.host(), keyed.port()).mode().keyed()).isTrue();

        ServerConfig optedOut = parse("--host", "0.0.0.0", "--auth", "none");
        assertThat(optedOut.auth().check(optedOut.host(), optedOut.port()).mode()).isEqualTo(AccessMode.open(false));

        ServerConfig exposed = parse("--host", "0.0.0.0");
        assertThatThrownBy(() -> exposed.auth().check(exposed.host(), exposed.port()))
                .hasMessageContaining("refusing to listen on 0.0.0.0 port 8000 without an admin key");
    }

    /** The configuration {@code glambdar serve ARGS} would start with (environment variables as they are). */
    private static ServerConfig parse(String... args) {
        ServeCommand command = new ServeCommand();
        new CommandLine(command).parseArgs(args);
        return command.config();
    }
}
