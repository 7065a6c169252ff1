package io.glambdar.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How client commands fail: one line on stderr, exit status 1, never a stack trace. */
class ClientErrorsTest {

    /** A loopback port nothing listens on. */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void aServerThatIsDownIsOneClearLine() throws IOException {
        String url = "http://127.0.0.1:" + closedPort();

        for (String[] command : new String[][]{{"ls"}, {"info", "x"}, {"invoke", "x", "-d", "{}"},
                {"logs", "x", "-f"}, {"invoke", "x", "-X", "PATCH"}}) {
            Cli.Run run = Cli.of(Cli.withUrl(url, command));

            assertThat(run.status()).as(String.join(" ", command)).isEqualTo(1);
            assertThat(run.out()).isEmpty();
            assertThat(run.err()).as(String.join(" ", command)).isEqualTo("error: cannot reach Glambdar at " + url
                    + " (connection refused); is the server running? (./glambdar serve)\n");
        }
    }

    @Test
    void aWrongKeyPrintsTheServers401Message() throws IOException {
        try (FakeServer server = new FakeServer()) {
            server.on("GET", "/info", new FakeServer.Answer(401, Map.of("WWW-Authenticate", "Bearer realm=\"glambdar\"",
                    "Content-Type", "application/json"),
                    "{\"error\":\"missing or wrong key: send Authorization: Bearer <key>\"}".getBytes()));

            Cli.Run run = Cli.of("ls", "--url", server.url(), "--key", "wrong");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("error: missing or wrong key: send Authorization: Bearer <key> (401);"
                    + " give the key with --key <key> or GLAMBDAR_KEY\n");
        }
    }

    @Test
    void aFunctionsOwn401IsNotTakenForAMissingKey() throws IOException {
        try (FakeServer server = new FakeServer()) {
            server.on("POST", "/invoke/guarded", FakeServer.Answer.json(401, "{\"error\":\"bad token\"}"));

            Cli.Run run = Cli.of("invoke", "guarded", "-d", "{}", "--url", server.url());

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).contains("bad token").doesNotContain("GLAMBDAR_KEY");
        }
    }

    @Test
    void aServerThatTakesTheRequestButNeverAnswersIsAClearErrorNotAHang() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = Thread.ofVirtual().start(() -> {
                java.util.List<java.net.Socket> held = new java.util.ArrayList<>();
                try {
                    while (true) {
                        held.add(silent.accept()); // read nothing, answer nothing
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            String url = "http://127.0.0.1:" + silent.getLocalPort();
            GlambdarClient client = new GlambdarClient(url, null, Duration.ofSeconds(1), Duration.ofSeconds(1));

            for (Runnable request : List.<Runnable>of(() -> client.get("/info"),
                    () -> client.send("POST", "/invoke/x", Map.of(), "{}".getBytes()),
                    () -> client.send("PATCH", "/invoke/x", Map.of(), new byte[0]),
                    () -> client.upload("PUT", "/deploy/x", "application/zip", 3,
                            () -> new java.io.ByteArrayInputStream(new byte[3])))) {
                assertThatThrownBy(request::run).isInstanceOf(ClientException.class)
                        .hasMessage("Glambdar at " + url + " took the request but gave no answer within 1 s; is the"
                                + " server stuck, or is something else listening on that port?");
            }
            silent.close();
            acceptor.join();
        }
    }

    @Test
    void withJsonAFailureIsTheServersJsonErrorOnStderrAsItCame() throws IOException {
        try (FakeServer server = new FakeServer()) {
            String answer = "{\"error\":\"function 'gone' not found\"}";
            server.on("GET", "/info/gone", FakeServer.Answer.json(404, answer));
            server.on("DELETE", "/del/gone", FakeServer.Answer.json(404, answer + "\n"));

            for (String command : new String[]{"info", "rm"}) {
                Cli.Run run = Cli.of(command, "gone", "--json", "--url", server.url());

                assertThat(run.status()).as(command).isEqualTo(1);
                assertThat(run.out()).as(command).isEmpty();
                assertThat(run.err()).as(command).isEqualTo(answer + "\n");
            }
        }
    }

    @Test
    void withJsonAnAnswerThatIsNotAJsonErrorIsStillOneLine() throws IOException {
        try (FakeServer server = new FakeServer()) {
            server.on("GET", "/info", new FakeServer.Answer(502, Map.of(), "Bad Gateway\n<html>".getBytes()));

            Cli.Run run = Cli.of("ls", "--json", "--url", server.url());

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("error: Bad Gateway (502)\n");
        }
    }

    @Test
    void anAnswerThatIsNotJsonShowsItsFirstLine() throws IOException {
        try (FakeServer server = new FakeServer()) {
            server.on("GET", "/info", new FakeServer.Answer(502, Map.of(), "Bad Gateway\n<html>".getBytes()));

            Cli.Run run = Cli.of("ls", "--url", server.url());

            assertThat(run.err()).isEqualTo("error: Bad Gateway (502)\n");
        }
    }

    @Test
    void aBadUrlSaysWhatOneLooksLike() {
        Cli.Run run = Cli.of("ls", "--url", "localhost:8000");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: 'localhost:8000' is not a server URL: set GLAMBDAR_URL or --url to one"
                + " like http://127.0.0.1:8000\n");
    }

    @Test
    void theProgramsVersionIsStillTheTopLevelFlag() {
        Cli.Run run = Cli.of("--version");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("Glambdar 0.1.0\n");
    }

    @Test
    void helpListsTheClientCommands() {
        Cli.Run run = Cli.of("--help");

        assertThat(run.out()).contains("serve", "bench", "deploy", "invoke", "logs", "ls", "info", "rm", "versions",
                "rollback", "keys", "invocations", "schedules");
    }

    @Test
    void helpTextsBreakLinesBetweenWordsNotInsideNamesAndUrls() {
        // The JDK's line breaker, which picocli wraps with, would break ".glambdarignore" after its dot and the URL
        // after "127.": the texts are worded so that these stay whole.
        String top = Cli.of("--help").out();
        assertThat(top).contains(".glambdarignore", ".zip", ".gitignore").doesNotContainPattern("(?m)\\s\\.$");
        for (String command : new String[]{"deploy", "invoke", "logs", "ls", "info", "rm", "versions", "rollback",
                "keys", "invocations", "schedules"}) {
            String help = Cli.of(command, "--help").out();
            assertThat(help).as(command).contains("default " + ServerOptions.DEFAULT_URL)
                    .doesNotContainPattern("(?m)\\s\\.$");
        }
    }

    @Test
    void aClientCommandsHelpNeedsNoServer() {
        Cli.Run run = Cli.of("invoke", "--help");

        assertThat(run.status()).isZero();
        assertThat(run.out()).contains("--version=N", "-d, --data=DATA", "--url=URL", "--json");
    }

    @Test
    void aMissingArgumentIsAUsageError() {
        Cli.Run run = Cli.of("info");

        assertThat(run.status()).isEqualTo(2);
        assertThat(run.err()).startsWith("Missing required parameter: 'NAME'");
    }
}
