package io.glambdar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** logs: the recent invocations, one invocation, and the live NDJSON stream as human-readable lines. */
class LogsCommandTest {

    private static final String LOG = "{\"type\":\"log\",\"ts\":\"2025-01-31T12:00:00.123Z\",\"invocationId\":\"inv-1\","
            + "\"stream\":\"stdout\",\"line\":\"hello world\"}";
    private static final String ERR = "{\"type\":\"log\",\"ts\":\"2025-01-31T12:00:00.200Z\",\"invocationId\":\"inv-1\","
            + "\"stream\":\"stderr\",\"line\":\"warn \\u001b[31mred\"}";
    private static final String REPORT = "{\"type\":\"report\",\"invocationId\":\"inv-1\",\"outcome\":\"ok\","
            + "\"statusCode\":200,\"durationMs\":12,\"initDurationMs\":340,\"coldStart\":true,"
            + "\"maxMemoryBytes\":44040192}";

    @RegisterExtension
    final FakeServer server = new FakeServer();

    private void stream(String... lines) {
        server.on("GET", "/logs/hello?follow=true", new FakeServer.Answer(200,
                Map.of("Content-Type", "application/x-ndjson"),
                (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void followPrintsLogAndReportLinesAndExitsZeroWhenTheFunctionIsDeleted() {
        stream(LOG, ERR, REPORT, "{\"type\":\"end\",\"reason\":\"deleted\"}");

        Cli.Run run = server.cli("logs", "hello", "-f");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("""
                [2025-01-31T12:00:00.123Z] inv-1 stdout| hello world
                [2025-01-31T12:00:00.200Z] inv-1 stderr| warn ?[31mred
                REPORT inv-1  Outcome: ok  Status: 200  Duration: 12 ms  Init Duration: 340 ms  Cold Start: yes  \
                Max Memory Used: 42.0 MB
                """);
        assertThat(run.err()).isEqualTo("function hello was deleted: no more logs\n");
        assertThat(server.only().uri()).isEqualTo("/logs/hello?follow=true");
    }

    @Test
    void aFollowerTheServerDroppedExitsOneWithAMessage() {
        stream(LOG, "{\"type\":\"end\",\"reason\":\"too_slow\"}");

        Cli.Run run = server.cli("logs", "hello", "-f");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("[2025-01-31T12:00:00.123Z] inv-1 stdout| hello world\n");
        assertThat(run.err()).isEqualTo("error: the server dropped this follower: it did not read the logs as fast as"
                + " they came (too_slow); follow again\n");
    }

    @Test
    void aStreamThatStopsWithoutAnEndLineWhileTheServerRunsExitsOne() {
        stream(LOG);
        server.on("GET", "/health", 200, "{\"status\":\"ok\"}");

        Cli.Run run = server.cli("logs", "hello", "-f");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: the server closed the log stream without saying why\n");
    }

    @Test
    void aStreamThatStopsBecauseTheServerIsStoppingSaysSoAndExitsZero() {
        stream(LOG);
        server.on("GET", "/health", 503, "{\"error\":\"shutting down\"}");

        Cli.Run run = server.cli("logs", "hello", "-f");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("[2025-01-31T12:00:00.123Z] inv-1 stdout| hello world\n");
        assertThat(run.err()).isEqualTo("the server stopped: no more logs\n");
    }

    @Test
    void aServerNoLongerListeningHasStoppedAndOneThatAnswersHasNot() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        server.on("GET", "/health", 200, "{\"status\":\"ok\"}");

        assertThat(new GlambdarClient("http://127.0.0.1:" + closedPort, null).serverStopped()).isTrue();
        assertThat(new GlambdarClient(server.url(), null).serverStopped()).isFalse();
    }

    @Test
    void followWithJsonPrintsTheLinesAsSentAndSkipsUnknownTypes() {
        String future = "{\"type\":\"something-new\"}";
        stream(LOG, future, "{\"type\":\"end\",\"reason\":\"deleted\"}");

        Cli.Run json = server.cli("logs", "hello", "-f", "--json");
        Cli.Run text = server.cli("logs", "hello", "-f");

        assertThat(json.out()).isEqualTo(LOG + "\n" + future + "\n{\"type\":\"end\",\"reason\":\"deleted\"}\n");
        assertThat(text.out()).isEqualTo("[2025-01-31T12:00:00.123Z] inv-1 stdout| hello world\n");
    }

    @Test
    void followingAnUnknownFunctionIsTheServersError() {
        server.on("GET", "/logs/nope?follow=true", 404, "{\"error\":\"function 'nope' not found\"}");

        Cli.Run run = server.cli("logs", "nope", "-f");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: function 'nope' not found (404)\n");
    }

    @Test
    void withoutFollowARecentInvocationsTable() {
        server.on("GET", "/logs/hello", 200, """
                {"function": "hello", "invocations": [
                 {"invocationId": "inv-2", "startedAt": "2025-01-31T12:00:01Z", "durationMs": 3, "status": "error",
                  "outcome": "error", "statusCode": null, "code": "handler_threw", "coldStart": false, "logs": ""},
                 {"invocationId": "inv-1", "startedAt": "2025-01-31T12:00:00Z", "durationMs": 350, "status": "ok",
                  "statusCode": 200, "code": null, "coldStart": true, "logs": "hello world\\n"}]}""");

        Cli.Run run = server.cli("logs", "hello");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("""
                ID     STARTED (UTC)        DURATION  OUTCOME  STATUS  CODE           COLD START
                inv-2  2025-01-31 12:00:01  3 ms      error    -       handler_threw  no
                inv-1  2025-01-31 12:00:00  350 ms    ok       200     -              yes
                """);
    }

    @Test
    void idPrintsTheRecordThenWhatTheFunctionPrinted() {
        server.on("GET", "/logs/hello/inv-1", 200, """
                {"invocationId": "inv-1", "durationMs": 350, "coldStart": true, "logs": "hello world\\nbye"}""");

        Cli.Run run = server.cli("logs", "hello", "--id", "inv-1");

        assertThat(run.out()).isEqualTo("""
                invocationId:  inv-1
                durationMs:    350
                coldStart:     true
                result:        -
                --- logs
                hello world
                bye
                """);
    }
}
