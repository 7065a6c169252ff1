package io.glambdar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** invoke: where the body comes from, the route, the headers, what is printed and the exit status. */
class InvokeCommandTest {

    private static final String HELLO = "{\"message\":\"Hello!\"}";

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @TempDir
    Path dir;

    private FakeServer answering(String uri) {
        return server.on("POST", uri, 200, HELLO);
    }

    @Test
    void dataIsTheBodyAndTheResponseBodyIsPrintedAsIs() {
        answering("/invoke/hello");

        Cli.Run run = server.cli("invoke", "hello", "-d", "{\"name\":\"x\"}");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(HELLO); // as curl: no newline added into a pipe
        assertThat(run.err()).isEmpty();
        FakeServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.text()).isEqualTo("{\"name\":\"x\"}");
        assertThat(request.header("content-type")).isEqualTo("application/json");
    }

    @Test
    void onATerminalTheBodyEndsWithANewline() {
        answering("/invoke/hello");

        assertThat(new Cli().onTerminal().run(server.args("invoke", "hello")).out()).isEqualTo(HELLO + "\n");
    }

    @Test
    void dataWithAnAtInsideIsLiteral() {
        answering("/invoke/hello");

        server.cli("invoke", "hello", "-d", "me@example.com");

        assertThat(server.only().text()).isEqualTo("me@example.com");
        assertThat(server.only().header("content-type")).isEqualTo("application/octet-stream");
    }

    @Test
    void atFileIsTheFilesContentsNotPicoclisArgumentExpansion() throws IOException {
        answering("/invoke/hello");
        Path file = dir.resolve("body.json");
        Files.writeString(file, "--version\n{\"from\": \"file\"}");

        Cli.Run run = server.cli("invoke", "hello", "-d", "@" + file);

        assertThat(run.status()).isZero();
        assertThat(server.only().text()).isEqualTo("--version\n{\"from\": \"file\"}");
    }

    @Test
    void anArgumentStartingWithAtIsNeverExpanded() throws IOException {
        Path options = dir.resolve("options");
        Files.writeString(options, "--version");

        Cli.Run run = Cli.of("@" + options);

        assertThat(run.out()).doesNotContain("Glambdar 0.1.0");
        assertThat(run.status()).isEqualTo(2);
    }

    @Test
    void dataRawStartingWithAtIsLiteral() {
        answering("/invoke/hello");

        server.cli("invoke", "hello", "--data-raw", "@not-a-file");

        assertThat(server.only().text()).isEqualTo("@not-a-file");
    }

    @Test
    void aMissingFileIsAClearErrorAndNoRequest() {
        Cli.Run run = server.cli("invoke", "hello", "-d", "@" + dir.resolve("missing.json"));

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: no such file: " + dir.resolve("missing.json") + " (from -d @"
                + dir.resolve("missing.json") + "; for a body starting with @, use --data-raw)\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void stdinIsTheBodyWhenItIsNotATerminal() {
        answering("/invoke/hello");

        Cli.Run run = new Cli().stdin("{\"piped\": true}").run(server.args("invoke", "hello"));

        assertThat(run.status()).isZero();
        assertThat(server.only().text()).isEqualTo("{\"piped\": true}");
    }

    @Test
    void dataWinsOverStdinAndAtDashReadsStdin() {
        answering("/invoke/hello");

        new Cli().stdin("from stdin").run(server.args("invoke", "hello", "-d", "given"));
        new Cli().stdin("from stdin").run(server.args("invoke", "hello", "-d", "@-"));

        assertThat(server.requests()).extracting(FakeServer.Request::text).containsExactly("given", "from stdin");
    }

    @Test
    void aTerminalStdinIsNotRead() {
        answering("/invoke/hello");

        server.cli("invoke", "hello");

        assertThat(server.only().body()).isEmpty();
    }

    @Test
    void versionSelectsTheVersionAndDoesNotPrintTheProgramsVersion() {
        answering("/invoke/hello@2");

        Cli.Run run = server.cli("invoke", "hello", "--version", "2");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo(HELLO);
        assertThat(server.only().uri()).isEqualTo("/invoke/hello@2");
    }

    @Test
    void subPathAndQueryFollowTheVersion() {
        server.on("GET", "/invoke/hello@2/a/b?q=1&t=x", 200, HELLO);

        Cli.Run run = server.cli("invoke", "hello/a/b?q=1&t=x", "--version", "2", "-X", "GET");

        assertThat(run.status()).isZero();
        assertThat(server.only().method()).isEqualTo("GET");
    }

    @Test
    void aSubPathAndQueryAreSentPercentEncodedWhereAUrlNeedsIt() {
        server.on("GET", "/invoke/echo/%C3%BC/a%20b?x=%C3%BC&y=a%20b&z=%25ZZ&k=1+2;v=%41%2F", 200, HELLO);

        Cli.Run run = server.cli("invoke", "echo/ü/a b?x=ü&y=a b&z=%ZZ&k=1+2;v=%41%2F", "-X", "GET");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(server.only().uri()).isEqualTo("/invoke/echo/%C3%BC/a%20b?x=%C3%BC&y=a%20b&z=%25ZZ&k=1+2;v=%41%2F");
    }

    @Test
    void aHashIsPartOfTheQueryNotAFragment() {
        server.on("GET", "/invoke/echo?tag=%23one", 200, HELLO);

        Cli.Run run = server.cli("invoke", "echo?tag=#one", "-X", "GET");

        assertThat(run.status()).as(run.err()).isZero();
        assertThat(server.only().uri()).isEqualTo("/invoke/echo?tag=%23one");
    }

    @Test
    void headersAndMethodAreSent() {
        server.on("PUT", "/invoke/hello", 200, HELLO);

        server.cli("invoke", "hello", "-X", "put", "-H", "X-One: 1", "-H", "X-Two:two words ", "-H", "X-One: again",
                "-H", "Content-Type: text/plain", "-d", "{}");

        FakeServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(request.headers().get("x-one")).containsExactly("1", "again");
        assertThat(request.header("x-two")).isEqualTo("two words");
        assertThat(request.header("content-type")).isEqualTo("text/plain");
    }

    @Test
    void methodsHttpUrlConnectionRefusesStillWork() {
        server.on("PATCH", "/invoke/hello", 200, HELLO);
        server.on("GET", "/invoke/hello?with=body", 200, HELLO);

        Cli.Run patch = server.cli("invoke", "hello", "-X", "PATCH", "-d", "{\"a\":1}", "-H", "X-Extra: yes",
                "--key", "k");
        Cli.Run getWithBody = server.cli("invoke", "hello?with=body", "-X", "GET", "-d", "body");

        assertThat(patch.status()).isZero();
        assertThat(patch.out()).isEqualTo(HELLO);
        assertThat(getWithBody.status()).isZero();
        assertThat(server.requests()).extracting(FakeServer.Request::method).containsExactly("PATCH", "GET");
        assertThat(server.requests()).extracting(FakeServer.Request::text).containsExactly("{\"a\":1}", "body");
        assertThat(server.requests().get(0).header("x-extra")).isEqualTo("yes");
        assertThat(server.requests().get(0).header("authorization")).isEqualTo("Bearer k");
    }

    @Test
    void aBadHeaderIsRefusedBeforeAnyRequest() {
        Cli.Run run = server.cli("invoke", "hello", "-H", "no colon here");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: bad header 'no colon here': use -H 'Name: value'\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aMethodThatIsNotAnHttpMethodIsRefusedBeforeAnyRequest() {
        for (String method : new String[]{"BAD METHOD", "", "GET\r\nX-Evil: 1", "PO(ST)"}) {
            Cli.Run run = server.cli("invoke", "hello", "-X", method, "-d", "{}");

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("error: bad method '" + Text.oneLine(method) + "': -X takes an HTTP"
                    + " method, a token of letters such as GET, POST or PUT\n");
        }
        Cli.Run connect = server.cli("invoke", "hello", "-X", "connect");

        assertThat(connect.err()).isEqualTo("error: -X CONNECT cannot invoke a function: use GET, POST, PUT or"
                + " another method\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aCallersAuthorizationHeaderGoesAsGivenAndTheKeyThenGoesAsXGlambdarKey() {
        answering("/invoke/hello");

        Cli.Run run = server.cli("invoke", "hello", "--key", "admin", "-H", "Authorization: Basic Zm9vOmJhcg==");

        assertThat(run.status()).isZero();
        assertThat(server.only().headers().get("authorization")).containsExactly("Basic Zm9vOmJhcg==");
        assertThat(server.only().headers().get("x-glambdar-key")).containsExactly("admin");
    }

    @Test
    void withoutACallersAuthorizationTheKeyIsABearerToken() {
        answering("/invoke/hello");

        server.cli("invoke", "hello", "--key", "admin");

        assertThat(server.only().headers().get("authorization")).containsExactly("Bearer admin");
        assertThat(server.only().headers()).doesNotContainKey("x-glambdar-key");
    }

    @Test
    void theResponseBodyIsWrittenByteForByte() {
        byte[] binary = {(byte) 0xff, 0, (byte) 0xc3, 0x28, '\n'};
        server.on("POST", "/invoke/bin", new FakeServer.Answer(200, Map.of("Content-Type", "application/octet-stream"),
                binary));

        assertThat(server.cli("invoke", "bin").outBytes()).isEqualTo(binary);
    }

    @Test
    void aFunctionFailureIsTheServersErrorOnStderrAndExitOne() {
        server.on("POST", "/invoke/hello", new FakeServer.Answer(502, Map.of("Content-Type", "application/json",
                "X-Glambdar-Invocation-Id", "inv-1"), ("{\"error\":\"function 'hello' failed: handler threw: boom\","
                + "\"code\":\"handler_threw\",\"invocationId\":\"inv-1\"}").getBytes(StandardCharsets.UTF_8)));

        Cli.Run run = server.cli("invoke", "hello");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo("error: function 'hello' failed: handler threw: boom (502); invocation inv-1\n");
    }

    @Test
    void withJsonAFunctionFailureIsTheServersJsonOnStderr() {
        String answer = "{\"error\":\"function 'hello' failed: handler threw: boom\",\"code\":\"handler_threw\","
                + "\"invocationId\":\"inv-1\"}";
        server.on("POST", "/invoke/hello", new FakeServer.Answer(502, Map.of("Content-Type", "application/json",
                "X-Glambdar-Invocation-Id", "inv-1"), answer.getBytes(StandardCharsets.UTF_8)));

        Cli.Run run = server.cli("invoke", "hello", "--json");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEmpty();
        assertThat(run.err()).isEqualTo(answer + "\n");
    }

    @Test
    void aFunctionsOwnErrorAnswerIsPrintedAndExitsOne() {
        server.on("POST", "/invoke/hello", new FakeServer.Answer(404, Map.of("Content-Type", "text/plain",
                "X-Glambdar-Invocation-Id", "inv-2"), "no such page".getBytes(StandardCharsets.UTF_8)));

        Cli.Run run = server.cli("invoke", "hello");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEqualTo("no such page");
        assertThat(run.err()).isEqualTo("error: the function answered HTTP 404; invocation inv-2\n");
    }

    @Test
    void aFunctionsOwnJsonErrorIsItsAnswerNotTheServersError() {
        String own = "{\"error\":\"not here\"}";
        server.on("POST", "/invoke/hello", new FakeServer.Answer(404, Map.of("Content-Type", "application/json",
                "X-Glambdar-Invocation-Id", "inv-3"), own.getBytes(StandardCharsets.UTF_8)));
        // The server's failure of another invocation, quoted by this one: still the function's own answer.
        String quoted = "{\"error\":\"upstream failed\",\"code\":\"handler_threw\",\"invocationId\":\"inv-0\"}";
        server.on("POST", "/invoke/proxy", new FakeServer.Answer(502, Map.of("Content-Type", "application/json",
                "X-Glambdar-Invocation-Id", "inv-4"), quoted.getBytes(StandardCharsets.UTF_8)));

        Cli.Run run = server.cli("invoke", "hello");
        Cli.Run proxy = server.cli("invoke", "proxy");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.out()).isEqualTo(own);
        assertThat(run.err()).isEqualTo("error: the function answered HTTP 404; invocation inv-3\n");
        assertThat(proxy.out()).isEqualTo(quoted);
        assertThat(proxy.err()).isEqualTo("error: the function answered HTTP 502; invocation inv-4\n");
    }

    @Test
    void theServersErrorsWithoutAnInvocationAreOneLineAndNothingOnStdout() {
        server.on("POST", "/invoke/nope", 404, "{\"error\":\"function 'nope' not found\"}");
        server.on("POST", "/invoke/big", 413, "{\"error\":\"request body too large\"}");

        Cli.Run unknown = server.cli("invoke", "nope");
        Cli.Run tooLarge = server.cli("invoke", "big", "-d", "x");

        assertThat(unknown.status()).isEqualTo(1);
        assertThat(unknown.out()).isEmpty();
        assertThat(unknown.err()).isEqualTo("error: function 'nope' not found (404)\n");
        assertThat(tooLarge.out()).isEmpty();
        assertThat(tooLarge.err()).isEqualTo("error: request body too large (413)\n");
    }

    @Test
    void asyncQueuesAndPrintsTheInvocationId() {
        server.on("POST", "/async/hello@3", 202, "{\"invocationId\":\"inv-9\",\"status\":\"queued\"}");

        Cli.Run run = server.cli("invoke", "hello", "--async", "--version", "3", "-d", "{}");
        Cli.Run json = server.cli("invoke", "hello", "--async", "--version", "3", "--json");

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("inv-9\n");
        assertThat(json.out()).isEqualTo("{\"invocationId\":\"inv-9\",\"status\":\"queued\"}\n");
        assertThat(server.requests().get(0).text()).isEqualTo("{}");
    }

    @Test
    void asyncOfAnUnknownFunctionIsTheServersError() {
        server.on("POST", "/async/nope", 404, "{\"error\":\"function 'nope' not found\"}");

        Cli.Run run = server.cli("invoke", "nope", "--async");

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: function 'nope' not found (404)\n");
    }
}
