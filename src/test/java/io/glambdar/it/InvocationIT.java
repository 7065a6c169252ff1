package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.model.Container;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What a function sees and returns, and every way it can fail, through HTTP against the real engine. */
@ExtendWith(DockerRequired.class)
class InvocationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static Harness glambdar;

    @BeforeAll
    static void start() {
        glambdar = Harness.start();
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void requestReachesTheFunctionAndItsResponseComesBack() {
        glambdar.deployOk("echo", Zips.of("""
                exports.handler = async (req) => ({
                  statusCode: 201,
                  headers: { 'x-custom': 'yes', 'set-cookie': ['a=1', 'b=2'], 'x-number': 7 },
                  body: { method: req.method, path: req.path, query: req.query, rawQuery: req.rawQuery,
                          headers: req.headers, body: req.body, parsed: await req.json() }
                });
                """));
        ApiClient.Response response = glambdar.invoke("echo?x=1&y=2", "{\"a\":[1,2]}",
                "Content-Type", "application/json", "X-Multi", "one", "X-Multi", "two", "X-Single", "only");
        assertThat(response.status()).isEqualTo(201);
        assertThat(response.header("x-custom")).isEqualTo("yes");
        assertThat(response.header("x-number")).isEqualTo("7");
        assertThat(response.headers().allValues("set-cookie")).containsExactly("a=1", "b=2");
        JsonNode seen = response.json();
        assertThat(seen.get("method").asText()).isEqualTo("POST");
        assertThat(seen.get("path").asText()).isEqualTo("/");
        assertThat(seen.get("query")).isEqualTo(json("{\"x\": \"1\", \"y\": \"2\"}"));
        assertThat(seen.get("rawQuery").asText()).isEqualTo("x=1&y=2");
        assertThat(seen.get("body").asText()).isEqualTo("{\"a\":[1,2]}");
        assertThat(seen.get("parsed").get("a").get(1).asInt()).isEqualTo(2);
        JsonNode headers = seen.get("headers");
        assertThat(headers.get("content-type").asText()).isEqualTo("application/json");
        assertThat(headers.get("x-single").asText()).isEqualTo("only");
        assertThat(headers.get("x-multi").isArray()).isTrue();
        assertThat(headers.get("x-multi").get(0).asText()).isEqualTo("one");
        assertThat(headers.get("x-multi").get(1).asText()).isEqualTo("two");
        headers.fieldNames().forEachRemaining(name -> assertThat(name).isLowerCase());
    }

    /** SPEC "Invocation, widened": any method, and sub-paths, with req.method, req.path, req.query, req.rawQuery. */
    @Test
    void everyMethodAndSubPathReachesTheFunction() {
        glambdar.deployOk("router", Zips.of("""
                exports.handler = async (req) => ({
                  body: { method: req.method, path: req.path, query: req.query, rawQuery: req.rawQuery, body: req.body }
                });
                """));
        record Call(String method, String target, String body, String path, String query, String rawQuery) {
        }
        List<Call> calls = List.of(
                new Call("GET", "/invoke/router/any/sub/path?q=1&t=a&t=b", "", "/any/sub/path",
                        "{\"q\": \"1\", \"t\": [\"a\", \"b\"]}", "q=1&t=a&t=b"),
                new Call("PUT", "/invoke/router/items/42", "{\"n\":1}", "/items/42", "{}", ""),
                new Call("DELETE", "/invoke/router/items/42?force=true", "", "/items/42", "{\"force\": \"true\"}",
                        "force=true"),
                new Call("PATCH", "/invoke/router/a%20b/%E2%82%AC?e=%E2%82%AC+%26&t=a%20b&t=c&t=%2F&empty=",
                        "patch", "/a%20b/%E2%82%AC",
                        "{\"e\": \"€ &\", \"t\": [\"a b\", \"c\", \"/\"], \"empty\": \"\"}",
                        "e=%E2%82%AC+%26&t=a%20b&t=c&t=%2F&empty="),
                new Call("POST", "/invoke/router", "posted", "/", "{}", ""),
                new Call("OPTIONS", "/invoke/router/", "", "/", "{}", ""),
                new Call("PROPFIND", "/invoke/router/dav?depth=1", "<propfind/>", "/dav", "{\"depth\": \"1\"}",
                        "depth=1"),
                new Call("PURGE", "/invoke/router", "", "/", "{}", ""));
        for (Call call : calls) {
            ApiClient.Response response = glambdar.send(HttpRequest.newBuilder(glambdar.uri(call.target()))
                    .method(call.method(), HttpRequest.BodyPublishers.ofString(call.body())));
            assertThat(response.status()).as("%s %s: %s", call.method(), call.target(), response.body())
                    .isEqualTo(200);
            JsonNode seen = response.json();
            assertThat(seen.get("method").asText()).as(call.target()).isEqualTo(call.method());
            assertThat(seen.get("path").asText()).as(call.target()).isEqualTo(call.path());
            assertThat(seen.get("query")).as(call.target()).isEqualTo(json(call.query()));
            assertThat(seen.get("rawQuery").asText()).as(call.target()).isEqualTo(call.rawQuery());
            assertThat(seen.get("body").asText()).as(call.target()).isEqualTo(call.body());
        }
    }

    @Test
    void headGetsTheHeadersAndNoBody() {
        glambdar.deployOk("headed", Zips.of("""
                exports.handler = async (req) => ({
                  headers: { 'x-method': req.method, 'content-type': 'text/plain' }, body: 'twelve bytes'
                });
                """));
        ApiClient.Response head = glambdar.send(HttpRequest.newBuilder(glambdar.uri("/invoke/headed/file.txt"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("x-method")).isEqualTo("HEAD");
        assertThat(head.header("content-type")).startsWith("text/plain");
        assertThat(head.header("content-length")).as("what a GET would send").isEqualTo("12");
        assertThat(head.header("X-Glambdar-Invocation-Id")).isNotBlank();
        assertThat(head.body()).isEmpty();
        // The connection is still in step: the next call gets its own response.
        ApiClient.Response get = glambdar.get("/invoke/headed/file.txt");
        assertThat(get.header("x-method")).isEqualTo("GET");
        assertThat(get.body()).isEqualTo("twelve bytes");
    }

    /** SPEC "Invocation, widened": a page a function returns is sandboxed unless it sets its own policy. */
    @Test
    void functionResponsesAreSandboxedUnlessTheFunctionSetsItsOwnPolicy() {
        String sandbox = "sandbox allow-scripts allow-forms allow-popups allow-downloads";
        glambdar.deployOk("page", Zips.of("""
                exports.handler = async (req) => {
                  if (req.path === '/throw') throw new Error('no page today');
                  const headers = { 'content-type': 'text/html' };
                  if (req.path === '/own') headers['CONTENT-SECURITY-POLICY'] = "default-src 'self'";
                  if (req.path === '/empty') headers['Content-Security-Policy'] = '';
                  return { headers, body: '<script>fetch("/info")</script>' };
                };
                """));
        ApiClient.Response page = glambdar.get("/invoke/page");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.headers().allValues("content-security-policy")).containsExactly(sandbox);

        ApiClient.Response own = glambdar.get("/invoke/page/own");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.headers().allValues("content-security-policy")).containsExactly("default-src 'self'");

        ApiClient.Response empty = glambdar.get("/invoke/page/empty");
        assertThat(empty.headers().allValues("content-security-policy")).as("an empty policy is none")
                .containsExactly(sandbox);

        ApiClient.Response failed = glambdar.get("/invoke/page/throw");
        assertThat(failed.status()).isEqualTo(502);
        assertThat(failed.headers().allValues("content-security-policy")).containsExactly(sandbox);
        assertThat(glambdar.get("/info/page").headers().allValues("content-security-policy")).isEmpty();
    }

    /** SPEC "Limits, per function": "tmp" is the size of /tmp, 64 MB by default. */
    @Test
    void tmpIsAsLargeAsTheFunctionAsks() {
        String probe = """
                const fs = require('fs');
                exports.handler = async () => {
                  const { bsize, blocks } = fs.statfsSync('/tmp');
                  let write = 'ok';
                  try { fs.writeFileSync('/tmp/big', Buffer.alloc(16 * 1024 * 1024, 1)); } catch (e) { write = e.code; }
                  try { fs.unlinkSync('/tmp/big'); } catch (e) { /* nothing written */ }
                  return { body: { tmpMb: bsize * blocks / (1024 * 1024), write } };
                };
                """;
        glambdar.deployOk("smalltmp", Zips.of(Map.of("index.js", probe, "glambdar.json", "{\"tmp\": 8}")));
        glambdar.deployOk("defaulttmp", Zips.of(probe));

        JsonNode small = glambdar.get("/invoke/smalltmp").json();
        assertThat(small.get("tmpMb").asDouble()).isEqualTo(8.0);
        assertThat(small.get("write").asText()).as("16 MB do not fit in 8").isEqualTo("ENOSPC");
        JsonNode byDefault = glambdar.get("/invoke/defaulttmp").json();
        assertThat(byDefault.get("tmpMb").asDouble()).isEqualTo(64.0);
        assertThat(byDefault.get("write").asText()).isEqualTo("ok");
        assertThat(glambdar.get("/info/smalltmp").json().get("settings").get("tmp").asInt()).isEqualTo(8);
    }

    @Test
    void badTmpAndPublicSettingsFailTheDeployNamingThem() {
        ApiClient.Response tooMuchTmp = glambdar.deploy("bigtmp.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"memory\": 128, \"tmp\": 256}")));
        assertThat(tooMuchTmp.status()).isEqualTo(400);
        assertThat(tooMuchTmp.json().get("error").asText()).contains("\"tmp\"", "\"memory\"", "256", "128");

        ApiClient.Response notBoolean = glambdar.deploy("yes.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"public\": \"yes\"}")));
        assertThat(notBoolean.status()).isEqualTo(400);
        assertThat(notBoolean.json().get("error").asText()).contains("\"public\"", "true", "false");

        assertThat(glambdar.get("/info/bigtmp").status()).isEqualTo(404);
        assertThat(glambdar.get("/info/yes").status()).isEqualTo(404);
        glambdar.deployOk("open", Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json", "{\"public\": true}")));
        assertThat(glambdar.get("/info/open").json().get("settings").get("public").asBoolean()).isTrue();
    }

    @Test
    void stringBodyWithItsOwnContentTypeIsSentAsIs() {
        glambdar.deployOk("plain", Zips.of("""
                exports.handler = async () => ({ headers: { 'Content-Type': 'text/plain' }, body: 'just text' });
                """));
        ApiClient.Response response = glambdar.invoke("plain", "");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("just text");
        assertThat(response.header("Content-Type")).startsWith("text/plain");
    }

    @Test
    void invalidJsonBodyMakesReqJsonRejectClearly() {
        glambdar.deployOk("strict", Zips.of("""
                exports.handler = async (req) => ({ body: await req.json() });
                """));
        ApiClient.Response response = glambdar.invoke("strict", "{not json");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("code").asText()).isEqualTo("handler_threw");
        assertThat(response.json().get("error").asText()).containsIgnoringCase("json");
    }

    @Test
    void eachFailureOfTheFunctionIsAClearError() {
        Map<String, String> functions = Map.of(
                "nohandler", "exports.other = async () => ({ body: 1 });",
                "notfunction", "exports.handler = 42;",
                "throws", "exports.handler = async () => { throw new Error('boom from the function'); };",
                "rejects", "exports.handler = () => Promise.reject(new Error('rejected on purpose'));",
                "returnsstring", "exports.handler = async () => 'not an object';",
                "exits", "exports.handler = async () => { process.exit(3); };",
                "informational", "exports.handler = async () => ({ statusCode: 101, body: 1 });",
                "syntaxerror", "exports.handler = async () => { return { body: 1 ;");
        Map<String, String> expectedCodes = Map.of(
                "nohandler", "handler_missing", "notfunction", "handler_missing", "throws", "handler_threw",
                "rejects", "handler_threw", "returnsstring", "bad_return", "exits", "process_exited",
                "informational", "bad_return", "syntaxerror", "load_failed");
        Map<String, String> expectedText = Map.of(
                "nohandler", "handler", "notfunction", "handler", "throws", "boom from the function",
                "rejects", "rejected on purpose", "returnsstring", "string", "exits", "exited with code 3",
                "informational", "200 to 599", "syntaxerror", "SyntaxError");
        functions.forEach((name, code) -> glambdar.deployOk(name, Zips.of(code)));
        for (String name : functions.keySet()) {
            ApiClient.Response response = glambdar.invoke(name, "{}");
            assertThat(response.status()).as(name).isEqualTo(502);
            JsonNode error = response.json();
            assertThat(error.get("code").asText()).as(name).isEqualTo(expectedCodes.get(name));
            assertThat(error.get("error").asText()).as(name).contains(name).contains(expectedText.get(name));
            assertThat(error.get("invocationId").asText()).as(name)
                    .isEqualTo(response.header("X-Glambdar-Invocation-Id"));
            JsonNode record = glambdar.get("/logs/" + name + "/" + error.get("invocationId").asText()).json();
            assertThat(record.get("outcome").asText()).as(name).isEqualTo("error");
            assertThat(record.get("statusCode").asInt()).as(name).isEqualTo(502);
        }
        // The server and other functions are unaffected.
        glambdar.deployOk("stillfine", Zips.of(Zips.HELLO));
        assertThat(glambdar.invoke("stillfine", "{\"name\":\"x\"}").status()).isEqualTo(200);
    }

    @Test
    void indexJsRemovedAfterDeployIsReportedAtInvocation() throws Exception {
        glambdar.deployOk("vanishing", Zips.of(Zips.HELLO));
        Files.delete(glambdar.dir.resolve("functions/vanishing/index.js"));
        ApiClient.Response response = glambdar.invoke("vanishing", "{}");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("code").asText()).isEqualTo("index_missing");
        assertThat(response.json().get("error").asText()).contains("index.js");
    }

    @Test
    void hangingHandlerTimesOutAndItsContainerIsRemoved() {
        glambdar.deployOk("hangs", Zips.of(Map.of(
                "index.js", "exports.handler = async () => { console.log('about to hang'); while (true) {} };",
                "glambdar.json", "{\"timeout\": 2}")));
        // The deploy warms the container the invocation will use; a replacement may start after it.
        Eventually.holds("the deploy warms a container", Duration.ofSeconds(60), () -> !containersOf("hangs").isEmpty());
        Set<String> beforeCall = containersOf("hangs");
        long start = System.nanoTime();
        ApiClient.Response response = glambdar.invoke("hangs", "{}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.status()).isEqualTo(504);
        assertThat(response.json().get("code").asText()).isEqualTo("timeout");
        assertThat(response.json().get("error").asText()).contains("2 s");
        assertThat(took).isLessThan(Duration.ofSeconds(2 + 8));
        Eventually.holds("the container that hung is removed", Duration.ofSeconds(30), () ->
                containersOf("hangs").stream().noneMatch(beforeCall::contains));
        JsonNode logs = glambdar.get("/logs/hangs/" + response.json().get("invocationId").asText()).json();
        assertThat(logs.get("status").asText()).isEqualTo("timeout");
        assertThat(logs.get("logs").asText()).contains("about to hang");
    }

    private static Set<String> containersOf(String function) {
        return glambdar.containers().stream()
                .filter(c -> function.equals(c.getLabels().get(DockerSandboxBackend.LABEL_FUNCTION)))
                .map(Container::getId)
                .collect(Collectors.toSet());
    }

    /** Review defect d: a container that exits before its worker connects used to hold its slot until the timeout. */
    @Test
    void aContainerThatExitsBeforeItsWorkerConnectsFailsAtOnceNotAtTheTimeout() {
        glambdar.deployOk("badoptions", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"timeout\": 60, \"env\": {\"NODE_OPTIONS\": \"--require /nope.js\"}}")));
        long start = System.nanoTime();
        ApiClient.Response response = glambdar.invoke("badoptions", "{}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("code").asText()).isEqualTo("process_exited");
        assertThat(response.json().get("error").asText()).contains("before its worker connected");
        assertThat(took).as("long before its 60 s timeout").isLessThan(Duration.ofSeconds(30));
        JsonNode record = glambdar.get("/logs/badoptions/" + response.json().get("invocationId").asText()).json();
        assertThat(record.get("logs").asText()).contains("/nope.js");
        Eventually.holds("nothing of it is left running", Duration.ofSeconds(30),
                () -> glambdar.get("/info/badoptions").json().get("containers").get("busy").asInt() == 0);
    }

    /**
     * Review defect c: the function runs in the worker's process and can write raw bytes to its socket. A frame
     * header announcing 30 MiB followed by a stall must cost the server only what arrived, and end at the deadline.
     */
    @Test
    void aFunctionThatWritesAHugeFrameHeaderAndStallsIsCutOffAtItsDeadline() {
        glambdar.deployOk("forger", Zips.of(Map.of("index.js", """
                const fs = require('fs');
                exports.handler = async () => {
                  const header = Buffer.alloc(4);
                  header.writeUInt32BE(30 * 1024 * 1024);
                  for (const fd of fs.readdirSync('/proc/self/fd')) {
                    try {
                      if (fs.readlinkSync('/proc/self/fd/' + fd).startsWith('socket:')) {
                        fs.writeSync(Number(fd), Buffer.concat([header, Buffer.from('{"type":"res')]));
                      }
                    } catch (e) { /* not ours to care */ }
                  }
                  await new Promise(() => {});
                };
                """, "glambdar.json", "{\"timeout\": 2}")));
        long start = System.nanoTime();
        ApiClient.Response response = glambdar.invoke("forger", "{}");
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(response.status()).isEqualTo(504);
        assertThat(response.json().get("code").asText()).isEqualTo("timeout");
        assertThat(took).isLessThan(Duration.ofSeconds(2 + 8));
    }

    /** Review defect f: the server sets its own invocation id; a function cannot overwrite it. */
    @Test
    void aFunctionCannotSetTheServersOwnHeaders() {
        glambdar.deployOk("impostor", Zips.of("""
                exports.handler = async () => ({
                  headers: { 'X-Glambdar-Invocation-Id': 'forged', 'x-glambdar-version': '999',
                    'X-Glambdar-Node': 'forged', 'x-fine': 'yes' },
                  body: 'hello'
                });
                """));
        ApiClient.Response response = glambdar.invoke("impostor", "{}");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.headers().allValues("X-Glambdar-Invocation-Id")).singleElement()
                .isNotEqualTo("forged");
        assertThat(response.headers().allValues("X-Glambdar-Version")).containsExactly("1");
        assertThat(response.headers().allValues("X-Glambdar-Node")).doesNotContain("forged");
        assertThat(response.header("x-fine")).isEqualTo("yes");
    }

    /**
     * What a function prints goes to the server's log a line per line printed, behind its function and invocation,
     * with terminal escapes, C1 controls and bidi overrides escaped: a function cannot drive the terminal of whoever
     * reads the server log, nor start a line of its own. Its invocation record keeps the text as printed.
     */
    @Test
    void aFunctionsOutputCannotDriveTheTerminalOfWhoeverReadsTheServerLog() {
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory
                .getLogger("io.glambdar.function");
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            glambdar.deployOk("painter", Zips.of("""
                    exports.handler = async () => {
                      console.log('\\u001b]0;pwned\\u0007\\u001b[2Jred \\u001b[31mtext\\u001b[0m');
                      console.error('right-to-left \\u202egnp.exe \\u0085next');
                      process.stdout.write('fake\\rINFO server - all is well\\n');
                      return { body: 'ok' };
                    };
                    """));
            ApiClient.Response response = glambdar.invoke("painter", "{}");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            String id = response.header("X-Glambdar-Invocation-Id");
            Eventually.holds("the output reached the server log", Duration.ofSeconds(10),
                    () -> logged.list.stream().anyMatch(e -> e.getFormattedMessage().contains("all is well")));

            List<String> lines = logged.list.stream().map(e -> e.getFormattedMessage())
                    .filter(line -> line.contains(id)).toList();
            assertThat(lines).isNotEmpty().allSatisfy(line -> {
                assertThat(line).startsWith("painter " + id + " | ");
                assertThat(line.chars().filter(c -> c < 0x20 || (c >= 0x7F && c < 0xA0) || c == 0x202E))
                        .as("no control character in %s", line).isEmpty();
            });
            assertThat(lines).anySatisfy(line -> assertThat(line)
                    .contains("\\u001b]0;pwned\\u0007\\u001b[2Jred \\u001b[31mtext"));
            assertThat(lines).anySatisfy(line -> assertThat(line).contains("right-to-left \\u202egnp.exe"));
            assertThat(lines).as("a carriage return starts no line of the function's own")
                    .anySatisfy(line -> assertThat(line).isEqualTo("painter " + id + " | INFO server - all is well"));

            String logs = glambdar.get("/logs/painter/" + id).json().get("logs").asText();
            assertThat(logs).contains("\u001b[31mtext").contains("\u202egnp.exe");
        } finally {
            logger.detachAppender(logged);
        }
    }

    /** SPEC "Invocation, widened": header names and values are validated by the server; an invalid one is a 502. */
    @Test
    void anInvalidResponseHeaderIsA502NamingIt() {
        glambdar.deployOk("badheaders", Zips.of("""
                exports.handler = async (req) => req.body === 'name'
                  ? { headers: { 'bad name': 'x' }, body: 'never sent' }
                  : req.body === 'emoji' ? { headers: { 'x-emoji': 'a\\u{1F600}b' }, body: 'never sent' }
                  : { headers: { 'x-split': 'a\\r\\nSet-Cookie: stolen=1' }, body: 'never sent' };
                """));
        ApiClient.Response badName = glambdar.invoke("badheaders", "name");
        assertThat(badName.status()).isEqualTo(502);
        assertThat(badName.json().get("code").asText()).isEqualTo("invalid_header");
        assertThat(badName.json().get("error").asText()).contains("bad name");
        assertThat(badName.body()).doesNotContain("never sent");

        // Past Latin-1: no byte on the wire carries it, so it would arrive mangled.
        ApiClient.Response emoji = glambdar.invoke("badheaders", "emoji");
        assertThat(emoji.status()).isEqualTo(502);
        assertThat(emoji.json().get("code").asText()).isEqualTo("invalid_header");
        assertThat(emoji.json().get("error").asText()).contains("x-emoji");

        ApiClient.Response split = glambdar.invoke("badheaders", "value");
        assertThat(split.status()).isEqualTo(502);
        assertThat(split.json().get("code").asText()).isEqualTo("invalid_header");
        assertThat(split.json().get("error").asText()).contains("x-split");
        assertThat(split.headers().allValues("set-cookie")).isEmpty();
        // A function failure is an invocation response too: it carries both of the server's own headers.
        assertThat(split.header("X-Glambdar-Invocation-Id")).isEqualTo(split.json().get("invocationId").asText());
        assertThat(split.header("X-Glambdar-Version")).isEqualTo("1");
    }

    /** SPEC "Invocation, widened": a response over GLAMBDAR_MAX_RESPONSE_MB (6 by default) is a 502. */
    @Test
    void aResponseOverTheLimitIsA502ResponseTooLarge() {
        glambdar.deployOk("huge", Zips.of("""
                exports.handler = async (req) => ({ headers: { 'content-type': 'text/plain' },
                  body: 'x'.repeat(Number(req.body)) });
                """));
        ApiClient.Response tooLarge = glambdar.invoke("huge", Integer.toString(7 * 1024 * 1024));
        assertThat(tooLarge.status()).isEqualTo(502);
        assertThat(tooLarge.json().get("code").asText()).isEqualTo("response_too_large");
        assertThat(tooLarge.json().get("error").asText()).contains("GLAMBDAR_MAX_RESPONSE_MB");
        ApiClient.Response atTheLimit = glambdar.invoke("huge", Integer.toString(6 * 1024 * 1024));
        assertThat(atTheLimit.status()).isEqualTo(200);
        assertThat(atTheLimit.body()).hasSize(6 * 1024 * 1024);
    }

    @Test
    void oneMebibyteBodyGoesThroughIntact() {
        glambdar.deployOk("bigecho", Zips.of("""
                exports.handler = async (req) => ({ headers: { 'content-type': 'text/plain' }, body: req.body });
                """));
        String body = "x".repeat(1024 * 1024 - 3) + "end";
        ApiClient.Response response = glambdar.invoke("bigecho", body);
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body()).hasSize(1024 * 1024).isEqualTo(body);
    }

    @Test
    void twentyConcurrentInvocationsAllSucceedAndAreCountedExactly() {
        glambdar.deployOk("concurrent", Zips.of("""
                exports.handler = async (req) => {
                  const { n } = await req.json();
                  await new Promise(r => setTimeout(r, 200));
                  return { body: { n, doubled: n * 2 } };
                };
                """));
        List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                int n = i;
                calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("concurrent", "{\"n\":" + n + "}"), pool));
            }
            for (int i = 0; i < 20; i++) {
                ApiClient.Response response = calls.get(i).join();
                assertThat(response.status()).as("call %d: %s", i, response.body()).isEqualTo(200);
                assertThat(response.json().get("n").asInt()).isEqualTo(i);
                assertThat(response.json().get("doubled").asInt()).isEqualTo(2 * i);
            }
        }
        assertThat(glambdar.get("/info/concurrent").json().get("invokeCount").asLong()).isEqualTo(20);
    }

    @Test
    void functionRunsUnprivilegedAndCannotChangeItsCode() {
        glambdar.deployOk("sandboxed", Zips.of("""
                const fs = require('fs');
                const attempt = (f) => { try { f(); return 'ok'; } catch (e) { return e.code; } };
                exports.handler = async () => ({ body: {
                  uid: process.getuid(),
                  gid: process.getgid(),
                  writeCode: attempt(() => fs.writeFileSync('/function/index.js', 'hacked')),
                  writeRoot: attempt(() => fs.writeFileSync('/evil', 'x')),
                  writeTmp: attempt(() => fs.writeFileSync('/tmp/scratch', 'x')),
                  capEff: fs.readFileSync('/proc/self/status', 'utf8').match(/CapEff:\\s*(\\w+)/)[1],
                  noNewPrivs: fs.readFileSync('/proc/self/status', 'utf8').match(/NoNewPrivs:\\s*(\\d)/)[1]
                }});
                """));
        JsonNode seen = glambdar.invoke("sandboxed", "").json();
        assertThat(seen.get("uid").asInt()).as("a dedicated uid, not a host user's").isEqualTo(65532);
        assertThat(seen.get("gid").asInt()).isEqualTo(65532);
        assertThat(seen.get("writeCode").asText()).isIn("EROFS", "EACCES");
        assertThat(seen.get("writeRoot").asText()).isIn("EROFS", "EACCES");
        assertThat(seen.get("writeTmp").asText()).isEqualTo("ok");
        assertThat(seen.get("capEff").asText()).matches("0+");
        assertThat(seen.get("noNewPrivs").asText()).isEqualTo("1");
    }

    @Test
    void functionOverItsMemoryLimitFailsClearly() {
        glambdar.deployOk("hungry", Zips.of(Map.of(
                "index.js", """
                        exports.handler = async () => {
                          const hoard = [];
                          for (;;) { hoard.push(Buffer.alloc(8 * 1024 * 1024, 1)); }
                        };
                        """,
                "glambdar.json", "{\"memory\": 64}")));
        ApiClient.Response response = glambdar.invoke("hungry", "");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("code").asText()).isEqualTo("out_of_memory");
        assertThat(response.json().get("error").asText()).contains("64 MB");
    }

    @Test
    void functionThatExhaustsItsJavaScriptHeapIsOutOfMemoryNamingTheHeap() {
        glambdar.deployOk("heapy", Zips.of(Map.of(
                "index.js", """
                        exports.handler = async () => {
                          const hoard = [];
                          for (let i = 0; ; i++) { hoard.push('x'.repeat(64) + i); }
                        };
                        """,
                "glambdar.json", "{\"memory\": 256}")));
        ApiClient.Response response = glambdar.invoke("heapy", "");
        assertThat(response.status()).isEqualTo(502);
        assertThat(response.json().get("code").asText()).isEqualTo("out_of_memory");
        assertThat(response.json().get("error").asText()).contains("JavaScript heap reached its limit of", "256 MB");
    }

    @Test
    void whatTheFunctionPrintsCanBeReadBack() {
        glambdar.deployOk("chatty", Zips.of("""
                console.log('loading chatty');
                exports.handler = async () => { console.log('out line'); console.error('err line'); return { body: 1 }; };
                """));
        ApiClient.Response response = glambdar.invoke("chatty", "");
        String id = response.header("X-Glambdar-Invocation-Id");
        JsonNode entry = glambdar.get("/logs/chatty/" + id).json();
        assertThat(entry.get("invocationId").asText()).isEqualTo(id);
        assertThat(entry.get("status").asText()).isEqualTo("ok");
        assertThat(entry.get("logs").asText()).contains("loading chatty", "out line", "err line");
        // Its report (SPEC Observability): the peak memory is the node process's, within the 128 MB default.
        assertThat(entry.get("outcome").asText()).isEqualTo("ok");
        assertThat(entry.get("coldStart").isBoolean()).isTrue();
        assertThat(entry.get("durationMs").asLong()).isGreaterThanOrEqualTo(entry.get("initDurationMs").asLong());
        assertThat(entry.get("maxMemoryBytes").asLong()).isBetween(10L * 1024 * 1024, 128L * 1024 * 1024);
        JsonNode recent = glambdar.get("/logs/chatty").json();
        assertThat(recent.get("invocations").get(0).get("invocationId").asText()).isEqualTo(id);
    }

    /** Docker's init is PID 1: the orphans of a function's child processes are reaped, and signals work as usual. */
    @Test
    void childProcessesLeaveNoZombiesAndASignalToItselfEndsTheFunction() {
        glambdar.deployOk("forker", Zips.of(Map.of("glambdar.json", "{\"reuse\": true}", "index.js", """
                const cp = require('child_process');
                const fs = require('fs');
                const zombies = () => fs.readdirSync('/proc').filter(p => /^\\d+$/.test(p)).filter(p => {
                  try { return fs.readFileSync('/proc/' + p + '/stat', 'utf8').split(') ')[1].startsWith('Z'); }
                  catch (e) { return false; }
                }).length;
                exports.handler = async (req) => {
                  if (req.body === 'term') { process.kill(process.pid, 'SIGTERM'); await new Promise(r => setTimeout(r, 5000)); }
                  for (let i = 0; i < 20; i++) cp.execSync("sh -c 'sleep 0.01 &'");
                  await new Promise(r => setTimeout(r, 300)); // the orphans end
                  return { body: { pid: process.pid, zombies: zombies() } };
                };
                """)));
        for (int call = 0; call < 3; call++) {
            ApiClient.Response response = glambdar.invoke("forker", "");
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            assertThat(response.json().get("pid").asInt()).as("node is not PID 1").isGreaterThan(1);
            assertThat(response.json().get("zombies").asInt()).as("call " + call).isZero();
        }
        ApiClient.Response terminated = glambdar.invoke("forker", "term");
        assertThat(terminated.status()).as(terminated.body()).isEqualTo(502);
        assertThat(terminated.json().get("error").asText()).contains("exited");
    }

    @Test
    void unknownAndInvalidNamesAreClearErrors() {
        ApiClient.Response unknown = glambdar.invoke("nosuchfunction", "");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("nosuchfunction");
        for (String bad : List.of("a.b", "a%20b", "..", "-dash")) {
            ApiClient.Response response = glambdar.invoke(bad, "");
            assertThat(response.status()).as(bad).isIn(400, 404);
            assertThat(response.json().get("error").asText()).as(bad).isNotBlank();
        }
        assertThat(glambdar.invoke("a.b", "").status()).isEqualTo(400);
        ApiClient.Response unknownWithPath = glambdar.get("/invoke/nosuchfunction/sub/path");
        assertThat(unknownWithPath.status()).isEqualTo(404);
        assertThat(unknownWithPath.json().get("error").asText()).contains("nosuchfunction");
    }
}
