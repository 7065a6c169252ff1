package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real worker.js, run by the host's node, against the real Java side over a Unix domain socket. */
class WorkerScriptTest {

    /** Only to keep a broken test from hanging the build; nothing here is expected to take more than a second. */
    private static final long HANG_GUARD_SECONDS = 30;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path node;

    @TempDir
    static Path shared;
    private static Path workerScript;

    @TempDir
    Path dir; // under /tmp: short enough for the socket path limit

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final AtomicInteger ids = new AtomicInteger();
    private Process process;
    private WorkerSocket socket;
    private WorkerConnection connection;

    @BeforeAll
    static void findNodeAndWorker() throws IOException {
        node = HostPrograms.find("node");
        workerScript = shared.resolve("worker.js");
        try (InputStream in = WorkerScriptTest.class.getResourceAsStream("/worker/worker.js")) {
            assertThat(in).as("worker/worker.js on the classpath").isNotNull();
            Files.copy(in, workerScript, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Per test rather than per class, so that a skip shows up as skipped tests, not as no tests at all. */
    @BeforeEach
    void requireNode() {
        if (node == null) {
            String message = "node is not on PATH, so worker.js cannot be tested";
            if (System.getenv("CI") != null || System.getenv("RUN_INTEGRATION_TESTS") != null) {
                fail(message + " (CI / RUN_INTEGRATION_TESTS is set: install Node.js 18 or newer)");
            }
            Assumptions.abort(message + "; skipping (install Node.js 18+ to run these tests)");
        }
    }

    @AfterEach
    void stopWorker() throws Exception {
        if (connection != null) {
            connection.close();
        }
        if (socket != null) {
            socket.close();
        }
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        }
        threads.shutdownNow();
    }

    // ---- the function contract

    @Test
    void theRuntimesRehearsalNeverRunsTheFunctionsHandlerNorChargesItsOutput() throws Exception {
        WorkerHello hello = start("""
                let calls = 0;
                exports.handler = async () => {
                  calls++;
                  console.log(`call ${calls}`);
                  return { body: { calls } };
                };
                """);
        assertThat(hello.ready()).isTrue();

        guarded(() -> {
            connection.rehearse();
            return null;
        });
        assertThat(connection.reusable()).isTrue();

        WorkerReply.Success first = success(invoke("{}"));
        assertThat(text(first)).as("the handler ran once: for this invocation").isEqualTo("{\"calls\":1}");
        assertThat(first.logs()).isEqualTo("call 1\n");
    }

    @Test
    void seedHelloFunction() throws Exception {
        WorkerHello hello = start("""
                exports.handler = async (req) => {
                  const jsonData = await req.json();
                  return { statusCode: 200, body: { message: `Hello ${jsonData.name}!` } };
                };
                """);
        assertThat(hello.ready()).isTrue();
        assertThat(hello.nodeVersion()).matches("v\\d+\\.\\d+\\.\\d+.*");
        assertThat(hello.logs()).isEmpty();
        assertThat(hello.warmup()).as("the worker rehearsed its invocation path cleanly").isEqualTo("ok");
        assertThat(hello.heapLimitBytes()).as("V8's heap limit").isGreaterThan(16L * 1024 * 1024);

        WorkerReply.Success reply = success(invoke("{\"name\":\"Glambdar\"}"));

        assertThat(reply.statusCode()).isEqualTo(200);
        assertThat(text(reply)).isEqualTo("{\"message\":\"Hello Glambdar!\"}");
        assertThat(reply.headers()).containsExactly(Map.entry("content-type", List.of("application/json")));
        assertThat(reply.logs()).isEmpty();
    }

    @Test
    void requestHeadersInAndResponseHeadersOut() throws Exception {
        start("""
                exports.handler = async (req) => ({
                  statusCode: 201,
                  headers: { 'X-Custom': 'yes', 'set-cookie': ['a=1', 'b=2'], 'x-number': 42, 'x-flag': true,
                             'X-Twice': 'one', 'x-twice': ['two'] },
                  body: { headers: req.headers, method: req.method, path: req.path, query: req.query,
                          rawQuery: req.rawQuery, body: req.body },
                });
                """);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        headers.put("x-multi", List.of("a", "b"));

        WorkerReply.Success reply = success(invoke(new InvocationPayload(nextId(), "POST", "/sub", "a=1&b=2",
                headers, "{}".getBytes(StandardCharsets.UTF_8))));

        assertThat(reply.statusCode()).isEqualTo(201);
        assertThat(reply.headers()).containsExactly(
                Map.entry("x-custom", List.of("yes")),
                Map.entry("set-cookie", List.of("a=1", "b=2")),
                Map.entry("x-number", List.of("42")),
                Map.entry("x-flag", List.of("true")),
                Map.entry("x-twice", List.of("two")),
                Map.entry("content-type", List.of("application/json")));
        assertThat(JSON.readTree(reply.body())).isEqualTo(JSON.readTree("""
                {"headers":{"content-type":"application/json","x-multi":["a","b"]},
                 "method":"POST","path":"/sub","query":{"a":"1","b":"2"},"rawQuery":"a=1&b=2","body":"{}"}"""));
    }

    @ParameterizedTest(name = "{0} {1}?{2}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            GET     | /any/sub/path | q=1&t=a&t=b                   | {"q":"1","t":["a","b"]}
            PUT     | /             | ``                            | {}
            DELETE  | /a%20b        | s=x+y%21&e=%E2%82%AC&empty=   | {"s":"x y!","e":"€","empty":""}
            PATCH   | /x/           | flag&&t=1&t=2&t=3&=v          | {"flag":"","t":["1","2","3"],"":"v"}
            HEAD    | /             | bad=%zz&k%3D=v%26w            | {"bad":"%zz","k=":"v&w"}
            OPTIONS | /p            | __proto__=x&constructor=y     | {"__proto__":"x","constructor":"y"}
            """)
    void methodPathAndQueryReachTheFunction(String method, String path, String rawQuery, String query)
            throws Exception {
        start("""
                exports.handler = async (req) => ({ body: {
                  method: req.method, path: req.path, query: req.query, rawQuery: req.rawQuery,
                  plainObject: Object.getPrototypeOf(req.query) === Object.prototype,
                } });
                """);

        WorkerReply.Success reply = success(invoke(new InvocationPayload(nextId(), method, path, rawQuery, Map.of(),
                new byte[0])));

        JsonNode seen = JSON.readTree(reply.body());
        assertThat(seen.get("method").asText()).isEqualTo(method);
        assertThat(seen.get("path").asText()).isEqualTo(path);
        assertThat(seen.get("query")).isEqualTo(JSON.readTree(query));
        assertThat(seen.get("rawQuery").asText()).isEqualTo(rawQuery);
        assertThat(seen.get("plainObject").asBoolean()).as("a '__proto__' name is a property, not a prototype")
                .isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            string with own content type     | { headers: { 'Content-Type': 'text/html' }, body: '<p>hi</p>' }   | <p>hi</p>        | text/html
            string without content type      | { body: 'hello' }                                                  | "hello"          | application/json
            object with own content type     | { headers: { 'content-type': 'application/vnd.x+json' }, body: { a: 1 } } | {"a":1}  | application/vnd.x+json
            number                           | { body: 42 }                                                       | 42               | application/json
            null                             | { body: null }                                                     | null             | application/json
            """)
    void bodyEncodingAndContentType(String name, String returned, String expectedBody, String expectedType)
            throws Exception {
        start("exports.handler = async () => (" + returned + ");");

        WorkerReply.Success reply = success(invoke(""));

        assertThat(text(reply)).isEqualTo(expectedBody);
        assertThat(reply.headers()).containsExactly(Map.entry("content-type", List.of(expectedType)));
    }

    @Test
    void bufferBodiesAreSentAsBytes() throws Exception {
        start("""
                exports.handler = async (req) => req.path === '/png'
                  ? { headers: { 'Content-Type': 'image/png' }, body: new Uint8Array([137, 80, 78, 71]) }
                  : { body: Buffer.from([0, 255, 128, 10]) };
                """);

        WorkerReply.Success plain = success(invoke(request("/bytes", "")));
        WorkerReply.Success png = success(invoke(request("/png", "")));

        assertThat(plain.body()).containsExactly(0, 255, 128, 10);
        assertThat(plain.headers()).containsExactly(Map.entry("content-type", List.of("application/octet-stream")));
        assertThat(png.body()).containsExactly(137, 80, 78, 71);
        assertThat(png.headers()).containsExactly(Map.entry("content-type", List.of("image/png")));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ArrayBuffer                    | new Uint8Array([65, 66, 0, 255]).buffer
            ArrayBuffer of a slice         | new Uint8Array([9, 65, 66, 0, 255, 9]).buffer.slice(1, 5)
            Uint16Array                    | new Uint16Array([0x4241, 0xff00])
            DataView over part of a buffer | new DataView(new Uint8Array([9, 65, 66, 0, 255, 9]).buffer, 1, 4)
            Int8Array view at an offset    | new Int8Array(new Uint8Array([9, 65, 66, 0, 255]).buffer, 1)
            """)
    void everyArrayBufferAndViewIsSentAsItsRawBytes(String name, String body) throws Exception {
        start("exports.handler = async () => ({ body: " + body + " });");

        WorkerReply.Success reply = success(invoke(""));

        assertThat(reply.body()).containsExactly(65, 66, 0, 255);
        assertThat(reply.headers()).containsExactly(Map.entry("content-type", List.of("application/octet-stream")));
    }

    @Test
    void headersWhoseValueIsUndefinedOrNullAreLeftOut() throws Exception {
        start("""
                exports.handler = async () => ({ headers: {
                  'x-undefined': undefined, 'x-null': null, 'x-kept': 'yes', 'x-list': ['a', undefined, null, 'b'],
                  'Content-Type': 'text/plain', 'content-type': undefined,
                }, body: 'hi' });
                """);

        WorkerReply.Success reply = success(invoke(""));

        assertThat(reply.headers()).containsExactly(
                Map.entry("x-kept", List.of("yes")),
                Map.entry("x-list", List.of("a", "b")),
                Map.entry("content-type", List.of("text/plain")));
    }

    @Test
    void namesThatDifferOnlyInCaseAreOneHeaderWhoseLastValueWinsExceptCookiesWhichAddUp() throws Exception {
        start("""
                exports.handler = async () => ({ headers: {
                  'Content-Type': 'text/plain', 'content-type': 'text/html',
                  'Set-Cookie': 'a=1', 'set-cookie': ['b=2', 'c=3'],
                }, body: '<p>hi</p>' });
                """);

        WorkerReply.Success reply = success(invoke(""));

        assertThat(text(reply)).isEqualTo("<p>hi</p>");
        assertThat(reply.headers()).containsExactly(
                Map.entry("content-type", List.of("text/html")),
                Map.entry("set-cookie", List.of("a=1", "b=2", "c=3")));
    }

    @Test
    void undefinedBodyIsEmptyWithoutContentType() throws Exception {
        start("exports.handler = async () => ({ statusCode: 204 });");

        WorkerReply.Success reply = success(invoke("ignored"));

        assertThat(reply.statusCode()).isEqualTo(204);
        assertThat(reply.body()).isEmpty();
        assertThat(reply.headers()).isEmpty();
    }

    @Test
    void plainValueFromANonAsyncHandlerIsAccepted() throws Exception {
        start("exports.handler = (req) => ({ body: { sync: true } });");

        assertThat(text(success(invoke("")))).isEqualTo("{\"sync\":true}");
    }

    @Test
    void invalidJsonMakesReqJsonRejectWithAClearError() throws Exception {
        start("""
                exports.handler = async (req) => {
                  if (req.path === '/caught') {
                    try { await req.json(); } catch (e) { return { body: { isError: e instanceof Error, message: e.message } }; }
                  }
                  return { body: await req.json() };
                };
                """);

        JsonNode caught = JSON.readTree(success(invoke(request("/caught", "not json"))).body());
        WorkerReply.Failure uncaught = failure(invoke(request("/uncaught", "{\"broken\":")));

        assertThat(caught.get("isError").asBoolean()).isTrue();
        assertThat(caught.get("message").asText()).startsWith("the request body is not valid JSON (")
                .containsIgnoringCase("token");
        assertThat(uncaught.code()).isEqualTo("handler_threw");
        assertThat(uncaught.message()).startsWith("the request body is not valid JSON (");
        assertThat(uncaught.stack()).contains("not valid JSON");
    }

    @Test
    void bodyThatIsNotUtf8ReachesTheFunctionIntactAsRawBody() throws Exception {
        start("""
                exports.handler = async (req) => ({
                  headers: { 'x-raw-hex': req.rawBody.toString('hex'), 'x-body-type': typeof req.body },
                  body: req.rawBody,
                });
                """);
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0, 'A', (byte) 0xc3};

        WorkerReply.Success reply = success(invoke(request("/raw", bytes)));

        assertThat(reply.body()).isEqualTo(bytes);
        assertThat(reply.headers().get("x-raw-hex")).containsExactly("fffe0041c3");
        assertThat(reply.headers().get("x-body-type")).containsExactly("string");
    }

    @Test
    void megabyteBodiesAreEchoedIntact() throws Exception {
        start("""
                exports.handler = async (req) => req.path === '/text'
                  ? { headers: { 'content-type': 'text/plain; charset=utf-8' }, body: req.body }
                  : { body: req.rawBody };
                """);
        StringBuilder text = new StringBuilder();
        Random random = new Random(4);
        String alphabet = "abcxyz0123 \n\"\\é€😀";
        while (text.length() < 1024 * 1024) {
            text.appendCodePoint(alphabet.codePoints().toArray()[random.nextInt(alphabet.codePointCount(0, alphabet.length()))]);
        }
        byte[] textBytes = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] binary = new byte[1024 * 1024];
        random.nextBytes(binary);

        assertThat(success(invoke(request("/text", textBytes))).body()).isEqualTo(textBytes);
        assertThat(success(invoke(request("/binary", binary))).body()).isEqualTo(binary);
    }

    @Test
    void esModuleIndex() throws Exception {
        Files.writeString(functionDir().resolve("package.json"), "{\"type\":\"module\"}");
        WorkerHello hello = start("""
                export const handler = async (req) => ({ body: { esm: true, name: (await req.json()).name } });
                """);
        assertThat(hello.ready()).as(hello.toString()).isTrue();

        assertThat(text(success(invoke("{\"name\":\"Glambdar\"}")))).isEqualTo("{\"esm\":true,\"name\":\"Glambdar\"}");
    }

    @Test
    void anEsModuleWithoutANamedHandlerIsToldToExportOne() throws Exception {
        Files.writeString(functionDir().resolve("package.json"), "{\"type\":\"module\"}");
        WorkerHello hello = start("""
                export default async function handler() { return { body: 'hi' }; }
                export const helper = 1;
                """);

        assertThat(hello.errorCode()).isEqualTo("handler_missing");
        assertThat(hello.errorMessage()).contains("ES module", "export const handler = async (req)",
                "exports found: helper", "a default export is not enough").doesNotContain("exports.handler");
    }

    @Test
    void esModuleWithTopLevelAwaitIsImported() throws Exception {
        Files.writeString(functionDir().resolve("package.json"), "{\"type\":\"module\"}");
        WorkerHello hello = start("""
                const greeting = await Promise.resolve('hi');
                console.log('loaded with top-level await');
                export async function handler() { return { body: greeting }; }
                """);
        assertThat(hello.ready()).as(hello.toString()).isTrue();
        assertThat(hello.logs()).isEqualTo("loaded with top-level await\n");

        assertThat(text(success(invoke("")))).isEqualTo("\"hi\"");
    }

    // ---- reuse

    @Test
    void fiftyInvocationsInARowOnOneConnection() throws Exception {
        start("""
                let count = 0;
                exports.handler = async (req) => ({ body: { count: ++count, i: (await req.json()).i } });
                """);

        for (int i = 1; i <= 50; i++) {
            String id = nextId();
            WorkerReply reply = invoke(new InvocationPayload(id, "POST", "/invoke/fn", "", Map.of(),
                    ("{\"i\":" + i + "}").getBytes(StandardCharsets.UTF_8)));
            assertThat(reply.id()).isEqualTo(id);
            assertThat(text(success(reply))).isEqualTo("{\"count\":" + i + ",\"i\":" + i + "}");
            assertThat(connection.reusable()).isTrue();
        }
    }

    @Test
    void workerKeepsServingAfterAFailedInvocation() throws Exception {
        start("""
                exports.handler = async (req) => {
                  if (req.path === '/throw') throw new Error('this one fails');
                  if (req.path === '/bad') return 'not an object';
                  return { body: 'fine' };
                };
                """);

        assertThat(failure(invoke(request("/throw", ""))).code()).isEqualTo("handler_threw");
        assertThat(connection.reusable()).isTrue();
        assertThat(failure(invoke(request("/bad", ""))).code()).isEqualTo("bad_return");
        assertThat(connection.reusable()).isTrue();
        assertThat(text(success(invoke(request("/ok", ""))))).isEqualTo("\"fine\"");
    }

    // ---- init failures

    @Test
    void missingIndexJs() throws Exception {
        Files.writeString(functionDir().resolve("main.js"), "exports.handler = async () => ({});");

        WorkerHello hello = startWorker(Map.of());

        assertThat(hello.ready()).isFalse();
        assertThat(hello.errorCode()).isEqualTo("index_missing");
        assertThat(hello.errorMessage()).contains("index.js not found in the function's code");
        assertExits(1);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            no handler          | exports.other = 1; exports.handle = () => 1;  | handler_missing | exports.handler is undefined; index.js must set exports.handler to an async function (exports found: other, handle)
            nothing exported    | const x = 1;                                  | handler_missing | exports.handler is undefined; index.js must set exports.handler to an async function (exports found: none)
            handler not a function | exports.handler = 42;                      | handler_missing | exports.handler is a number, not a function
            handler is an object | exports.handler = { run() {} };              | handler_missing | exports.handler is an object, not a function
            module.exports is the function | module.exports = async () => ({});  | handler_missing | exports.handler is undefined; index.js must set exports.handler to an async function (module.exports is itself a function)
            syntax error        | exports.handler = async (req) => { return {  | load_failed     | index.js failed to load: SyntaxError: Unexpected
            throw at load       | throw new Error('no config found');           | load_failed     | index.js failed to load: no config found
            missing dependency  | require('left-pad-not-installed');            | load_failed     | Cannot find module 'left-pad-not-installed'
            """)
    void initFailures(String name, String indexJs, String code, String message) throws Exception {
        WorkerHello hello = start(indexJs);

        assertThat(hello.ready()).isFalse();
        assertThat(hello.errorCode()).isEqualTo(code);
        assertThat(hello.errorMessage()).contains(message);
        if (code.equals("load_failed")) {
            assertThat(hello.stack()).contains("index.js");
        }
        assertExits(1);
    }

    @Test
    void outputBeforeALoadErrorIsInTheHello() throws Exception {
        WorkerHello hello = start("console.log('reading config'); throw new TypeError('config is broken');");

        assertThat(hello.errorCode()).isEqualTo("load_failed");
        assertThat(hello.errorMessage()).isEqualTo("index.js failed to load: TypeError: config is broken");
        assertThat(hello.stack()).startsWith("TypeError: config is broken");
        assertThat(hello.logs()).isEqualTo("reading config\n");
    }

    // ---- invocation failures

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            throw               | async () => { throw new Error('kaboom'); }                 | kaboom            | Error: kaboom
            rejection           | () => Promise.reject(new TypeError('nope'))                | TypeError: nope   | TypeError: nope
            throw after await   | async () => { await null; throw new RangeError('late'); }  | RangeError: late  | RangeError: late
            throw a string      | async () => { throw 'plain string'; }                      | plain string      |
            throw an object     | async () => { throw { code: 42 }; }                        | { code: 42 }      |
            throw undefined     | async () => { throw undefined; }                           | undefined         |
            """)
    void handlerThrew(String name, String handler, String message, String stackStart) throws Exception {
        start("exports.handler = " + handler + ";");

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("handler_threw");
        assertThat(failure.message()).isEqualTo(message);
        if (stackStart == null) {
            assertThat(failure.stack()).isNull();
        } else {
            assertThat(failure.stack()).startsWith(stackStart).contains("index.js");
        }
        assertThat(connection.reusable()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            string              | 'just text'                                        | bad_return     | handler returned a string; it must return an object like { statusCode, headers, body }
            null                | null                                               | bad_return     | handler returned null; it must return an object
            array               | [1, 2]                                             | bad_return     | handler returned an array; it must return an object
            undefined           | undefined                                          | bad_return     | handler returned undefined; it must return an object
            a Buffer            | Buffer.from('abc')                                 | bad_return     | handler returned a Buffer; to send bytes, return them as the body
            a typed array       | new Uint8Array(3)                                  | bad_return     | handler returned binary data; to send bytes, return them as the body
            an Error            | new RangeError('oops')                             | bad_return     | handler returned an error (RangeError: oops) instead of throwing it
            status too low      | ({ statusCode: 99 })                               | bad_return     | statusCode must be an integer from 200 to 599, got 99
            status informational | ({ statusCode: 101, body: 1 })                    | bad_return     | statusCode must be an integer from 200 to 599, got 101
            status not integer  | ({ statusCode: 200.5 })                            | bad_return     | statusCode must be an integer from 200 to 599, got 200.5
            status as string    | ({ statusCode: '200' })                            | bad_return     | statusCode must be an integer from 200 to 599, got '200'
            header value object | ({ headers: { 'x-obj': { a: 1 } } })               | bad_return     | header "x-obj" has an object value
            headers a Map       | ({ headers: new Map() })                           | bad_return     | headers must be a plain object
            circular body       | (() => { const o = {}; o.self = o; return { body: o }; })() | bad_return     | body could not be JSON-encoded: TypeError: Converting circular structure to JSON
            BigInt body         | ({ body: { n: 10n } })                             | bad_return     | body could not be JSON-encoded
            function body       | ({ body: () => 1 })                                | bad_return     | body is a function, which cannot be JSON-encoded
            header with CRLF    | ({ headers: { 'x-evil': 'a\\r\\nInjected: yes' } })  | invalid_header | header "x-evil" has a value containing CR, LF, NUL or another control character
            header with NUL in array | ({ headers: { 'x-list': ['ok', 'a\\u0000b'] } }) | invalid_header | header "x-list" has a value containing CR, LF, NUL or another control character
            header with ESC     | ({ headers: { 'x-color': '\\u001b[31m' } })         | invalid_header | header "x-color" has a value containing CR, LF, NUL or another control character
            header name invalid | ({ headers: { 'bad name': 'x' } })                 | invalid_header | header name "bad name" is not a valid HTTP header name
            """)
    void aReturnValueThatCannotBeSentIsRejected(String name, String returned, String code, String message)
            throws Exception {
        start("exports.handler = async () => " + returned + ";");

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo(code);
        assertThat(failure.message()).contains(message);
        assertThat(connection.reusable()).isTrue();
    }

    @Test
    void tabInAHeaderValueIsFine() throws Exception {
        start("exports.handler = async () => ({ headers: { 'x-tab': 'a\\tb' } });");

        assertThat(success(invoke("")).headers()).containsEntry("x-tab", List.of("a\tb"));
    }

    @Test
    void theServersOwnHeadersFromTheFunctionAreDropped() throws Exception {
        start("""
                exports.handler = async () => ({
                  headers: { 'X-Glambdar-Invocation-Id': 'forged', 'x-glambdar-version': '99', 'x-own': 'kept' },
                  body: 'ok',
                });
                """);

        assertThat(success(invoke("")).headers()).containsOnlyKeys("x-own", "content-type");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            a string                | ({ headers: { 'content-type': 'text/plain' }, body: 'x'.repeat(10001) }) | 10001
            a JSON-encoded string   | ({ body: 'x'.repeat(9999) })                                           | 10001
            a buffer                | ({ body: Buffer.alloc(10001) })                                        | 10001
            multi-byte text         | ({ headers: { 'content-type': 'text/plain' }, body: '€'.repeat(3334) }) | 10002
            """)
    void aBodyOverTheLimitIsResponseTooLargeWithItsSizeAndTheLimit(String name, String returned, int size)
            throws Exception {
        writeIndex("exports.handler = async () => " + returned + ";");
        startWorker(Map.of("GLAMBDAR_MAX_RESPONSE_BYTES", "10000"), ReplyLimits.withMaxBodyBytes(10_000));

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("response_too_large");
        assertThat(failure.message()).isEqualTo("the response body is " + size + " bytes, over the server's limit of"
                + " 10000 bytes (GLAMBDAR_MAX_RESPONSE_MB); return a smaller body, or raise that limit");
        assertThat(connection.reusable()).isTrue();
    }

    @Test
    void theFunctionsOwnPathArrivesAsGlambdarPathAndIsThePathOfTheFunctionAndWhatItRuns() throws Exception {
        writeIndex("""
                const pathAtLoad = process.env.PATH;
                exports.handler = async () => ({ body: {
                  pathAtLoad, path: process.env.PATH, carrier: 'GLAMBDAR_PATH' in process.env,
                  child: require('child_process').spawnSync('sh', ['-c', 'echo hi']).error?.code } });
                """);
        startWorker(Map.of("GLAMBDAR_PATH", "/nope"));

        JsonNode body = JSON.readTree(success(invoke("")).body());

        assertThat(body.path("pathAtLoad").asText()).isEqualTo("/nope");
        assertThat(body.path("path").asText()).isEqualTo("/nope");
        assertThat(body.path("carrier").asBoolean()).as("GLAMBDAR_PATH is gone").isFalse();
        assertThat(body.path("child").asText()).as("a child looks sh up on /nope").isEqualTo("ENOENT");
    }

    @Test
    void aBodyAtTheLimitIsSent() throws Exception {
        writeIndex("exports.handler = async () => ({ body: Buffer.alloc(10000, 7) });");
        startWorker(Map.of("GLAMBDAR_MAX_RESPONSE_BYTES", "10000"), ReplyLimits.withMaxBodyBytes(10_000));

        assertThat(success(invoke("")).body()).hasSize(10_000);
    }

    @Test
    void theRuntimeEnforcesTheBodyLimitWhateverTheWorkerWasTold() throws Exception {
        writeIndex("exports.handler = async () => ({ body: Buffer.alloc(20000) });");
        startWorker(Map.of("GLAMBDAR_MAX_RESPONSE_BYTES", "1000000"), ReplyLimits.withMaxBodyBytes(10_000));

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("response_too_large");
        assertThat(failure.message()).startsWith("the response body is 20000 bytes, over the server's limit of 10000");
        assertThat(connection.reusable()).isTrue();
    }

    @Test
    void aHugeErrorMessageIsCutSoTheReplyStillFits() throws Exception {
        start("exports.handler = async () => { throw new Error('m'.repeat(1024 * 1024)); };");

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("handler_threw");
        assertThat(Utf8Text.length(failure.message())).isLessThanOrEqualTo(ReplyLimits.MAX_TEXT_BYTES);
        assertThat(failure.message()).startsWith("mmmm").endsWith(" bytes truncated]\n");
        assertThat(Utf8Text.length(failure.stack())).isLessThanOrEqualTo(ReplyLimits.MAX_TEXT_BYTES);
        assertThat(connection.reusable()).isTrue();
    }

    @Test
    void processExitInTheHandlerEndsTheConnection() throws Exception {
        start("exports.handler = async () => { console.log('bye'); process.exit(3); };");

        assertThatThrownBy(() -> invoke("")).isInstanceOf(EOFException.class);
        assertExits(3);
        assertThat(connection.reusable()).isFalse();
    }

    @Test
    void uncaughtAsyncExceptionFailsTheInvocationThenTheWorkerExits() throws Exception {
        start("""
                exports.handler = async () => {
                  setTimeout(() => { throw new Error('async boom'); }, 1);
                  console.log('scheduled');
                  return new Promise(() => {}); // never settles: the uncaught error must end the invocation
                };
                """);

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("handler_threw");
        assertThat(failure.message()).isEqualTo("uncaught exception: async boom");
        assertThat(failure.stack()).startsWith("Error: async boom").contains("index.js");
        assertThat(failure.logs()).isEqualTo("scheduled\n");
        assertThat(connection.reusable()).as("the worker is exiting").isFalse();
        assertExits(1);
    }

    @Test
    void twoUncaughtExceptionsInOneInvocationGiveOneReply() throws Exception {
        start("""
                exports.handler = async () => {
                  setTimeout(() => {
                    // queued before the worker handles 'first', so it runs before the worker can exit
                    process.nextTick(() => { throw new Error('second'); });
                    throw new Error('first');
                  }, 1);
                  return new Promise(() => {});
                };
                """);

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.message()).isEqualTo("uncaught exception: first");
        assertExits(1);
        assertThat(output()).contains("another uncaught exception while exiting").contains("second");
    }

    @Test
    void unhandledRejectionFailsTheInvocationThenTheWorkerExits() throws Exception {
        start("""
                exports.handler = async () => {
                  Promise.reject(new Error('forgotten promise'));
                  await new Promise((resolve) => setTimeout(resolve, 50));
                  return { body: 'should not be sent' };
                };
                """);

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.code()).isEqualTo("handler_threw");
        assertThat(failure.message()).isEqualTo("unhandled promise rejection: forgotten promise");
        assertExits(1);
    }

    @Test
    void uncaughtExceptionOutsideAnInvocationEndsTheWorker() throws Exception {
        WorkerHello hello = start("""
                setTimeout(() => { throw new Error('timer after load'); }, 0);
                exports.handler = async () => ({ body: 'x' });
                """);

        assertThat(hello.ready()).isTrue();
        assertExits(1);
        assertThat(output()).contains("outside an invocation").contains("timer after load");
    }

    // ---- output capture

    @Test
    void outputIsCapturedPerMessageAndStillWrittenToTheRealStreams() throws Exception {
        WorkerHello hello = start("""
                console.log('loading module');
                exports.handler = async (req) => {
                  console.log('to stdout', req.path);
                  console.error('to stderr');
                  process.stdout.write('raw write\\n');
                  return { body: 'ok' };
                };
                """);

        WorkerReply.Success first = success(invoke(request("/one", "")));
        WorkerReply.Success second = success(invoke(request("/two", "")));

        assertThat(hello.logs()).isEqualTo("loading module\n");
        assertThat(first.logs()).isEqualTo("to stdout /one\nto stderr\nraw write\n");
        assertThat(second.logs()).isEqualTo("to stdout /two\nto stderr\nraw write\n");
        assertThat(output()).contains("loading module\n", "to stdout /one\n", "to stderr\n", "to stdout /two\n");
    }

    @Test
    void whatTheFunctionSchedulesForRightAfterItsReturnIsInItsLogs() throws Exception {
        start("""
                exports.handler = async () => {
                  console.log('a');
                  setImmediate(() => console.log('b'));
                  Promise.resolve().then(() => console.error('then'));
                  return { body: 'ok' };
                };
                """);

        WorkerReply.Success reply = success(invoke(""));

        assertThat(reply.logs()).isEqualTo("a\nthen\nb\n");
    }

    @Test
    void whatIsPrintedAfterTheReplyComesFirstInTheNextInvocationsLogsSayingWhence() throws Exception {
        Path go = dir.resolve("go");
        start("""
                const fs = require('fs');
                exports.handler = async (req) => {
                  if (req.path === '/first') { // prints after its reply: once the test says so
                    const check = setInterval(() => {
                      if (fs.existsSync(%s)) { clearInterval(check); console.log('late'); console.error('later'); }
                    }, 2);
                  }
                  console.log('in', req.path);
                  return { body: 'ok' };
                };
                """.formatted(JSON.writeValueAsString(go.toString())));
        InvocationPayload first = request("/first", "");

        WorkerReply.Success one = success(invoke(first));
        Files.createFile(go);
        waitForOutput("later\n");
        WorkerReply.Success two = success(invoke(request("/second", "")));

        assertThat(one.logs()).isEqualTo("in /first\n");
        assertThat(two.logs()).isEqualTo("[glambdar] printed after invocation " + first.id() + " had replied:\n"
                + "late\nlater\nin /second\n");
    }

    @Test
    void outputOverTheLimitKeepsItsStartAndItsEndWithAMarkerBetweenWithinTheLimit() throws Exception {
        start("exports.handler = async () => {"
                + " console.log('first line'); console.log('x'.repeat(300 * 1024)); console.log('last line');"
                + " return {}; };");

        String logs = success(invoke("")).logs();

        int head = 4096;
        int tail = ReplyLimits.DEFAULTS.maxLogBytes() - 64 - head;
        int printed = 11 + 300 * 1024 + 1 + 10;
        assertThat(logs).isEqualTo("first line\n" + "x".repeat(head - 11) + "\n[... " + (printed - head - tail)
                + " bytes dropped]\n" + "x".repeat(tail - 11) + "\nlast line\n");
        assertThat(Utf8Text.length(logs)).isLessThanOrEqualTo(ReplyLimits.DEFAULTS.maxLogBytes());
    }

    @Test
    void multiByteOutputIsCutBetweenCharacters() throws Exception {
        start("exports.handler = async () => { process.stdout.write('€'.repeat(100 * 1024)); return {}; };");

        String logs = success(invoke("")).logs();

        assertThat(logs).startsWith("€".repeat(1000)).doesNotContain("\uFFFD").contains(" bytes dropped]\n")
                .endsWith("€".repeat(1000));
        assertThat(Utf8Text.length(logs)).isLessThanOrEqualTo(ReplyLimits.DEFAULTS.maxLogBytes());
    }

    @Test
    void outputOfAFailedInvocationIsInTheError() throws Exception {
        start("exports.handler = async () => { console.error('about to fail'); throw new Error('failed'); };");

        WorkerReply.Failure failure = failure(invoke(""));

        assertThat(failure.logs()).isEqualTo("about to fail\n");
    }

    // ---- live output: log frames while the invocation runs, and the process's peak memory

    @Test
    void whatTheFunctionPrintsReachesTheRuntimeBeforeItsInvocationEnds() throws Exception {
        Path go = dir.resolve("go");
        start("""
                const fs = require('fs');
                exports.handler = async () => {
                  console.log('first');
                  await new Promise((resolve) => {
                    const check = setInterval(() => { if (fs.existsSync(%s)) { clearInterval(check); resolve(); } }, 2);
                  });
                  console.error('second');
                  return { body: 'done' };
                };
                """.formatted(JSON.writeValueAsString(go.toString())));
        java.util.concurrent.BlockingQueue<String> printed = new java.util.concurrent.LinkedBlockingQueue<>();

        Future<WorkerReply> reply = threads.submit(() -> connection.invoke(request("/live", ""),
                (stream, text) -> printed.add(stream.label() + ":" + text)));

        assertThat(printed.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("stdout:first\n");
        assertThat(reply).isNotDone(); // it waits for the file: the line came while it ran
        Files.createFile(go);
        WorkerReply.Success done = success(reply.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS));
        assertThat(printed).containsExactly("stderr:second\n");
        assertThat(done.logs()).isEqualTo("first\nsecond\n");
        assertThat(connection.printedSoFar()).as("let go: the reply has it").isEmpty();
    }

    @Test
    void whatAnInvocationCutOffHadPrintedIsKept() throws Exception {
        start("exports.handler = async () => { console.log('ran'); await new Promise(() => {}); };");
        java.util.concurrent.BlockingQueue<String> printed = new java.util.concurrent.LinkedBlockingQueue<>();
        Future<WorkerReply> reply = threads.submit(() -> connection.invoke(request("/", ""),
                (stream, text) -> printed.add(text)));
        assertThat(printed.poll(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).isEqualTo("ran\n");

        connection.close(); // as a deadline does

        assertThatThrownBy(() -> reply.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS))
                .hasCauseInstanceOf(java.io.IOException.class);
        assertThat(connection.printedSoFar()).isEqualTo("ran\n");
    }

    @Test
    void manyWritesInOneTurnTravelTogetherAndAFunctionThatPrintsNothingSendsNoFrame() throws Exception {
        start("""
                exports.handler = async (req) => {
                  if (req.path === '/loud') for (let i = 0; i < 1000; i++) console.log('line', i);
                  return {};
                };
                """);
        List<String> pieces = new java.util.concurrent.CopyOnWriteArrayList<>();

        WorkerReply loud = guarded(() -> connection.invoke(request("/loud", ""), (stream, text) -> pieces.add(text)));
        int loudPieces = pieces.size();
        pieces.clear();
        guarded(() -> connection.invoke(request("/quiet", ""), (stream, text) -> pieces.add(text)));

        assertThat(String.join("", java.util.stream.IntStream.range(0, 1000).mapToObj(i -> "line " + i + "\n")
                .toList())).isEqualTo(loud.logs());
        assertThat(loudPieces).as("1,000 lines of ~9 bytes in one turn: one frame per 16 KiB, not one per line")
                .isEqualTo(1);
        assertThat(pieces).isEmpty();
    }

    @Test
    void aCharacterSplitAcrossWritesArrivesWhole() throws Exception {
        start("""
                exports.handler = async () => {
                  const euro = Buffer.from('€');
                  process.stdout.write(euro.subarray(0, 1));
                  await new Promise((resolve) => setImmediate(resolve));
                  await new Promise((resolve) => setImmediate(resolve));
                  process.stdout.write(euro.subarray(1));
                  process.stdout.write('\\n');
                  return {};
                };
                """);
        StringBuilder printed = new StringBuilder();

        guarded(() -> connection.invoke(request("/", ""), (stream, text) -> printed.append(text)));

        assertThat(printed.toString()).isEqualTo("€\n");
    }

    @Test
    void liveOutputStopsAtItsOwnLimitBeyondWhatTheLogsKeep() throws Exception {
        start("exports.handler = async () => { console.log('x'.repeat(300 * 1024)); return {}; };");
        StringBuilder printed = new StringBuilder();

        WorkerReply reply = guarded(() -> connection.invoke(request("/", ""),
                (stream, text) -> printed.append(text)));

        int live = ReplyLimits.DEFAULTS.maxLiveBytes();
        assertThat(Utf8Text.length(printed.toString())).isBetween((long) live - 100, (long) live);
        assertThat(printed.toString()).startsWith("x".repeat(live - 100));
        assertThat(Utf8Text.length(reply.logs())).isLessThanOrEqualTo(ReplyLimits.DEFAULTS.maxLogBytes());
    }

    @Test
    void everyReplyReportsTheProcessesPeakMemory() throws Exception {
        start("""
                exports.handler = async (req) => {
                  if (req.path === '/throw') throw new Error('no');
                  return {};
                };
                """);

        WorkerReply ok = invoke(request("/ok", ""));
        WorkerReply thrown = invoke(request("/throw", ""));

        // Node itself takes tens of MB; far less than a GB for this.
        assertThat(ok.maxRssBytes()).isBetween(10L * 1024 * 1024, 1024L * 1024 * 1024);
        assertThat(thrown.maxRssBytes()).isGreaterThanOrEqualTo(ok.maxRssBytes());
    }

    // ---- harness

    private Path functionDir() throws IOException {
        return Files.createDirectories(dir.resolve("fn"));
    }

    private void writeIndex(String indexJs) throws IOException {
        Files.writeString(functionDir().resolve("index.js"), indexJs);
    }

    private WorkerHello start(String indexJs) throws Exception {
        writeIndex(indexJs);
        return startWorker(Map.of());
    }

    private WorkerHello startWorker(Map<String, String> env) throws Exception {
        return startWorker(env, ReplyLimits.DEFAULTS);
    }

    /** Starts node on worker.js (as this process's user), accepts its connection and reads its hello. */
    private WorkerHello startWorker(Map<String, String> env, ReplyLimits limits) throws Exception {
        socket = WorkerSocket.bind(Files.createDirectories(dir.resolve("s")), TestUsers.currentUid());
        ProcessBuilder builder = new ProcessBuilder(node.toString(), workerScript.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("node.out").toFile());
        Map<String, String> environment = builder.environment();
        environment.put("GLAMBDAR_SOCKET", socket.path().toString());
        environment.put("GLAMBDAR_FUNCTION_DIR", functionDir().toString());
        environment.putAll(env);
        process = builder.start();
        WorkerSocket listening = socket;
        process.onExit().thenRun(() -> closeQuietly(listening)); // a worker that dies before connecting: fail, not hang
        connection = guarded(() -> listening.accept(limits));
        return guarded(connection::readHello);
    }

    private WorkerReply invoke(String body) throws Exception {
        return invoke(request("/invoke/fn", body));
    }

    private WorkerReply invoke(InvocationPayload payload) throws Exception {
        return guarded(() -> connection.invoke(payload));
    }

    private InvocationPayload request(String path, String body) {
        return request(path, body.getBytes(StandardCharsets.UTF_8));
    }

    private InvocationPayload request(String path, byte[] body) {
        Map<String, List<String>> headers = new HashMap<>();
        headers.put("content-type", List.of("application/json"));
        return new InvocationPayload(nextId(), "POST", path, "", headers, body);
    }

    private String nextId() {
        return "inv-" + ids.incrementAndGet();
    }

    /** Runs a blocking call with a generous guard against hangs; on a hang, closes everything and shows node's output. */
    private <T> T guarded(Callable<T> call) throws Exception {
        Future<T> future = threads.submit(call);
        try {
            return future.get(HANG_GUARD_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            stopWorker();
            return fail("no answer from the worker within " + HANG_GUARD_SECONDS + " s; its output:\n" + output());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    private void assertExits(int code) throws Exception {
        assertThat(process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).as("worker exited").isTrue();
        assertThat(process.exitValue()).as("exit code; output:\n" + output()).isEqualTo(code);
    }

    /** Waits, within the hang guard, until the worker's real output ends with {@code text}: no fixed delay. */
    private void waitForOutput(String text) throws Exception {
        guarded(() -> {
            while (!output().endsWith(text)) {
                Thread.onSpinWait();
            }
            return null;
        });
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("node.out"));
    }

    private WorkerReply.Success success(WorkerReply reply) throws IOException {
        if (reply instanceof WorkerReply.Failure failure) {
            return fail("expected a result, got " + failure + "\nnode output:\n" + output());
        }
        return (WorkerReply.Success) reply;
    }

    private WorkerReply.Failure failure(WorkerReply reply) {
        assertThat(reply).isInstanceOf(WorkerReply.Failure.class);
        return (WorkerReply.Failure) reply;
    }

    private static String text(WorkerReply.Success reply) {
        return new String(reply.body(), StandardCharsets.UTF_8);
    }

    private static void closeQuietly(WorkerSocket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // the test fails on its own when accept() cannot complete
        }
    }
}
