package io.glambdar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;

/** ls, info, rm, versions, rollback, keys, invocations and schedules: the request each makes, and what it prints. */
class ControlCommandsTest {

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @Test
    void lsPrintsATableOfFunctions() {
        server.on("GET", "/info", 200, """
                {"count": 2, "functions": [
                 {"name": "hello", "version": 3, "invokeCount": 12, "errorCount": 1, "lastStatus": "ok",
                  "lastInvokedAt": "2025-01-31T12:34:56.789Z", "createdAt": "2025-01-01T00:00:00Z"},
                 {"name": "never-called", "version": 1, "invokeCount": 0, "errorCount": 0, "lastStatus": null,
                  "lastInvokedAt": null}]}""");

        Cli.Run run = server.cli("ls");

        assertThat(run.status()).isZero();
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).isEqualTo("""
                NAME          VERSION  INVOCATIONS  ERRORS  LAST STATUS  LAST INVOKED (UTC)
                hello         3        12           1       ok           2025-01-31 12:34:56
                never-called  1        0            0       -            -
                """);
        FakeServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("GET");
        assertThat(request.uri()).isEqualTo("/info");
        assertThat(request.header("authorization")).isNull();
    }

    @Test
    void lsWithJsonPrintsTheServersBytes() {
        String json = "{\"count\":0,\"functions\":[]}";
        server.on("GET", "/info", 200, json);

        Cli.Run run = server.cli("ls", "--json");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(json + "\n");
    }

    @Test
    void theServerOptionsMayComeBeforeTheCommand() {
        String json = "{\"count\":0,\"functions\":[]}";
        server.on("GET", "/info", 200, json);

        for (String[] args : new String[][]{{"--url", server.url(), "--json", "ls"},
                {"--url=" + server.url(), "--key", "k-1", "ls", "--json"}}) {
            Cli.Run run = Cli.of(args);
            assertThat(run.status()).as(String.join(" ", args) + ": " + run.err()).isZero();
            assertThat(run.out()).isEqualTo(json + "\n");
        }
        assertThat(server.requests()).last().satisfies(request ->
                assertThat(request.header("authorization")).isEqualTo("Bearer k-1"));
    }

    @Test
    void anEmptyNameOrIdIsRefusedBeforeAnyRequest() {
        for (String[] args : new String[][]{{"info", ""}, {"rm", ""}, {"versions", ""}, {"logs", ""},
                {"logs", "hello", "--id", ""}, {"invocations", "get", ""}, {"keys", ""}, {"deploy", ""}}) {
            Cli.Run run = server.cli(args);
            assertThat(run.status()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(run.err()).as(String.join(" ", args)).contains("empty");
        }
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void lsWithNoFunctionsSaysHowToDeployOne() {
        server.on("GET", "/info", 200, "{\"count\":0,\"functions\":[]}");

        assertThat(server.cli("ls").out())
                .isEqualTo("No functions deployed. Deploy one with: ./glambdar deploy PATH\n");
    }

    @Test
    void theKeyGoesInTheAuthorizationHeader() {
        server.on("GET", "/info", 200, "{\"count\":0,\"functions\":[]}");

        assertThat(server.cli("ls", "--key", "s3cret").status()).isZero();

        assertThat(server.only().header("authorization")).isEqualTo("Bearer s3cret");
    }

    @Test
    void infoPrintsOneFieldALine() {
        server.on("GET", "/info/hello", 200, """
                {"name": "hello", "createdAt": "2025-01-01T00:00:00Z", "lastInvokedAt": null, "invokeCount": 2,
                 "version": 3, "settings": {"timeout": 30.0, "memory": 256, "env": ["A", "B"], "public": false},
                 "containers": {"warm": 1, "busy": 0}}""");

        Cli.Run run = server.cli("info", "hello");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("""
                name:           hello
                createdAt:      2025-01-01 00:00:00
                lastInvokedAt:  -
                invokeCount:    2
                version:        3
                settings:       timeout=30, memory=256, env=A, B, public=false
                containers:     warm=1, busy=0
                """);
    }

    @Test
    void infoOfAnUnknownFunctionPrintsTheServersErrorAndExitsOne() {
        server.on("GET", "/info/nope", 404, "{\"error\":\"function 'nope' not found\"}");

        Cli.Run run = server.cli("info", "nope");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: function 'nope' not found (404)\n");
    }

    @Test
    void aNameThatIsNoPathSegmentIsSentEscaped() {
        server.on("GET", "/info/..%2Fetc", 400, "{\"error\":\"bad function name\"}");

        Cli.Run run = server.cli("info", "../etc");

        assertThat(server.only().uri()).isEqualTo("/info/..%2Fetc");
        assertThat(run.err()).isEqualTo("error: bad function name (400)\n");
    }

    @Test
    void rmDeletesTheFunction() {
        server.on("DELETE", "/del/hello", FakeServer.Answer.empty(204));

        Cli.Run run = server.cli("rm", "hello");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("deleted hello\n");
        assertThat(server.only().method()).isEqualTo("DELETE");
    }

    @Test
    void versionsMarksTheActiveOne() {
        server.on("GET", "/versions/hello", 200, """
                {"function": "hello", "active": 2, "versions": [
                 {"version": 3, "deployedAt": "2025-02-01T10:00:00Z", "sha256": "0123456789abcdef0123", "codeSizeBytes": 2048, "fileCount": 2},
                 {"version": 2, "deployedAt": "2025-01-01T10:00:00Z", "sha256": "fedcba9876543210fedc", "codeSizeBytes": 100, "fileCount": 1}]}""");

        Cli.Run run = server.cli("versions", "hello");

        assertThat(run.out()).isEqualTo("""
                ACTIVE  VERSION  DEPLOYED (UTC)       SIZE    FILES  SHA256
                        3        2025-02-01 10:00:00  2.0 KB  2      0123456789ab
                *       2        2025-01-01 10:00:00  100 B   1      fedcba987654
                """);
    }

    @Test
    void rollbackWithoutToLetsTheServerChoose() {
        server.on("POST", "/rollback/hello", 200, "{\"function\":\"hello\",\"active\":2}");

        Cli.Run run = server.cli("rollback", "hello");

        assertThat(run.out()).isEqualTo("hello now runs version 2\n");
        assertThat(server.only().body()).isEmpty();
    }

    @Test
    void rollbackToSendsTheVersion() {
        server.on("POST", "/rollback/hello", 200, "{\"function\":\"hello\",\"active\":1}");

        Cli.Run run = server.cli("rollback", "hello", "--to", "1");

        assertThat(run.status()).isZero();
        assertThat(server.only().text()).isEqualTo("{\"version\":1}");
        assertThat(server.only().header("content-type")).isEqualTo("application/json");
    }

    @Test
    void keysCreatePrintsTheKeyAloneOnStdout() {
        server.on("POST", "/keys/hello", 201,
                "{\"function\":\"hello\",\"keyId\":\"k1\",\"key\":\"gk_secret\",\"createdAt\":\"2025-01-01T00:00:00Z\"}");

        Cli.Run run = server.cli("keys", "hello", "create");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("gk_secret\n");
        assertThat(run.err()).isEqualTo("created key k1 for hello: keep it now, it is not shown again\n");
    }

    @Test
    void keysListsByDefault() {
        server.on("GET", "/keys/hello", 200, """
                {"function": "hello", "keys": [{"keyId": "k1", "createdAt": "2025-01-01T00:00:00Z", "lastUsedAt": null}]}""");

        Cli.Run run = server.cli("keys", "hello");

        assertThat(run.out()).isEqualTo("""
                KEY ID  CREATED (UTC)        LAST USED (UTC)
                k1      2025-01-01 00:00:00  -
                """);
    }

    @Test
    void keysRevokeDeletesTheKey() {
        server.on("DELETE", "/keys/hello/k1", FakeServer.Answer.empty(204));

        Cli.Run run = server.cli("keys", "hello", "revoke", "k1");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("revoked key k1 of hello\n");
    }

    @Test
    void keysRevokeWithoutAnIdAndUnknownActionsFailBeforeAnyRequest() {
        Cli.Run noId = server.cli("keys", "hello", "revoke");
        Cli.Run unknown = server.cli("keys", "hello", "rotate");

        assertThat(noId.status()).isEqualTo(1);
        assertThat(noId.err()).startsWith("error: which key? ./glambdar keys hello revoke ID");
        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.err()).isEqualTo("error: unknown action 'rotate': use create, ls or revoke ID\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void invocationsListsWithItsFilters() {
        server.on("GET", "/invocations?function=hello&status=failed&limit=5", 200, """
                {"invocations": [{"invocationId": "i1", "function": "hello", "version": 1, "status": "failed",
                 "attempts": 3, "createdAt": "2025-01-01T00:00:00Z", "finishedAt": "2025-01-01T00:05:00Z",
                 "error": {"code": "handler_threw", "message": "boom"}}]}""");

        Cli.Run run = server.cli("invocations", "ls", "--function", "hello", "--status", "failed", "--limit", "5");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("""
                ID  FUNCTION  VERSION  STATUS  ATTEMPTS  CREATED (UTC)        FINISHED (UTC)       ERROR
                i1  hello     1        failed  3         2025-01-01 00:00:00  2025-01-01 00:05:00  handler_threw
                """);
    }

    @Test
    void invocationsWithoutAnActionLists() {
        server.on("GET", "/invocations", 200, "{\"invocations\":[]}");

        Cli.Run run = server.cli("invocations");

        assertThat(run.out()).isEqualTo("No asynchronous invocations.\n");
    }

    @Test
    void invocationsGetPrintsTheRecordTheBodyAndTheLogs() {
        server.on("GET", "/invocations/i1", 200, """
                {"invocationId": "i1", "function": "hello", "status": "succeeded", "attempts": 1,
                 "result": {"statusCode": 200, "headers": {}, "body": "{\\"ok\\":true}", "bodyEncoding": "utf8"},
                 "error": null, "logs": "line one\\nline two\\n"}""");

        Cli.Run run = server.cli("invocations", "get", "i1");

        assertThat(run.out()).isEqualTo("""
                invocationId:  i1
                function:      hello
                status:        succeeded
                attempts:      1
                error:         -
                result:        statusCode=200, headers=, bodyEncoding=utf8
                --- body
                {"ok":true}
                --- logs
                line one
                line two
                """);
    }

    @Test
    void invocationsRetryAndCancel() {
        server.on("POST", "/invocations/i1/retry", 202, "{\"invocationId\":\"i1\",\"status\":\"queued\"}");
        server.on("DELETE", "/invocations/i2", FakeServer.Answer.empty(204));

        Cli.Run retry = server.cli("invocations", "retry", "i1");
        Cli.Run cancel = server.cli("invocations", "cancel", "i2");

        assertThat(retry.out()).isEqualTo("queued i1 again\n");
        assertThat(cancel.out()).isEqualTo("cancelled i2\n");
        assertThat(server.requests()).extracting(FakeServer.Request::method).containsExactly("POST", "DELETE");
    }

    @Test
    void invocationsRetryOfARunningJobPrintsTheConflict() {
        server.on("POST", "/invocations/i1/retry", 409, "{\"error\":\"invocation 'i1' is running: only a failed,"
                + " expired or cancelled one can be retried\"}");

        Cli.Run run = server.cli("invocations", "retry", "i1");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: invocation 'i1' is running: only a failed, expired or cancelled one"
                + " can be retried (409)\n");
    }

    @Test
    void schedulesPrintsATable() {
        server.on("GET", "/schedules", 200, """
                {"schedules": [{"function": "nightly", "index": 0, "cron": "0 3 * * *", "timezone": "Europe/Berlin",
                 "nextRunAt": "2025-01-02T02:00:00Z", "lastRunAt": null, "lastInvocationId": null,
                 "lastStatus": null, "skipped": 0}]}""");

        Cli.Run run = server.cli("schedules");

        assertThat(run.out()).isEqualTo("""
                FUNCTION  INDEX  CRON       TIMEZONE       NEXT RUN (UTC)       LAST RUN (UTC)  LAST STATUS  SKIPPED  LAST INVOCATION
                nightly   0      0 3 * * *  Europe/Berlin  2025-01-02 02:00:00  -               -            0        -
                """);
    }

    @Test
    void controlCharactersFromTheServerNeverReachTheTerminal() {
        server.on("GET", "/info", 200, "{\"functions\":[{\"name\":\"evil\\u001b[2J\",\"version\":1}]}");
        server.on("GET", "/info/x", 500, "{\"error\":\"bad\\u001b]0;title\\u0007\\nthing\"}");

        assertThat(server.cli("ls").out()).contains("evil?[2J").doesNotContain("\u001b");
        assertThat(server.cli("info", "x").err()).isEqualTo("error: bad?]0;title? thing (500)\n");
    }
}
