package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
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
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.Level;

/** The Java side against a fake worker: a thread that connects as the client and speaks the protocol by hand. */
class WorkerSocketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READY = "{\"type\":\"ready\",\"node\":\"v22.1.0\",\"logs\":\"\"}";
    /** Between two frames sent as one string (send() sends them one by one): never in JSON text, unescaped. */
    private static final String NEXT_FRAME = "\u0000";

    @TempDir
    Path dir;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        threads.shutdownNow();
    }

    @Test
    void acceptHelloAndInvokeRoundTrip() throws Exception {
        WorkerSocket socket = bind();
        AtomicReference<JsonNode> invoke = new AtomicReference<>();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, "{\"type\":\"ready\",\"node\":\"v22.1.0\",\"logs\":\"loading\\n\"}");
            invoke.set(receive(ch));
            send(ch, printed("inv-1", "hi\\n"));
            send(ch, """
                    {"type":"result","id":"inv-1","statusCode":201,
                     "headers":{"content-type":"application/json","set-cookie":["a=1","b=2"]},
                     "body":"{\\"message\\":\\"Hello Glambdar!\\"}","bodyEncoding":"utf8"}""");
            JsonNode second = receive(ch);
            send(ch, "{\"type\":\"result\",\"id\":\"" + second.get("id").asText() + "\",\"statusCode\":200,"
                    + "\"body\":\"" + Base64.getEncoder().encodeToString(new byte[] {0, (byte) 0xff, 7})
                    + "\",\"bodyEncoding\":\"base64\"}");
        });
        WorkerConnection connection = accept(socket);

        WorkerHello hello = connection.readHello();
        assertThat(hello).isEqualTo(new WorkerHello(true, "v22.1.0", null, null, null, "loading\n"));

        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        headers.put("X-Multi", List.of("a"));
        headers.put("x-multi", List.of("b"));
        WorkerReply reply = connection.invoke(new InvocationPayload("inv-1", "POST", "/invoke/hello", "a=1", headers,
                "{\"name\":\"Glambdar\"}".getBytes(StandardCharsets.UTF_8)));

        assertThat(invoke.get()).isEqualTo(JSON.readTree("""
                {"type":"invoke","id":"inv-1","request":{"method":"POST","path":"/invoke/hello","query":"a=1",
                 "headers":{"content-type":"application/json","x-multi":["a","b"]},
                 "body":"{\\"name\\":\\"Glambdar\\"}"}}"""));
        WorkerReply.Success success = (WorkerReply.Success) reply;
        assertThat(success.id()).isEqualTo("inv-1");
        assertThat(success.statusCode()).isEqualTo(201);
        assertThat(success.headers()).containsExactly(
                Map.entry("content-type", List.of("application/json")),
                Map.entry("set-cookie", List.of("a=1", "b=2")));
        assertThat(new String(success.body(), StandardCharsets.UTF_8)).isEqualTo("{\"message\":\"Hello Glambdar!\"}");
        assertThat(success.logs()).isEqualTo("hi\n");
        assertThat(connection.reusable()).isTrue();

        WorkerReply.Success binary = (WorkerReply.Success) connection.invoke(payload("inv-2", new byte[0]));
        assertThat(binary.body()).containsExactly(0, 0xff, 7);
        assertThat(binary.headers()).isEmpty();
        assertThat(binary.logs()).isEmpty();
        done(worker);
    }

    @Test
    void theRehearsalIsAnInvokeMessageMarkedAsSuchAndItsPlainAnswerLeavesTheWorkerReady() throws Exception {
        WorkerSocket socket = bind();
        AtomicReference<JsonNode> rehearsal = new AtomicReference<>();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            rehearsal.set(receive(ch));
            send(ch, """
                    {"type":"log","id":"rehearsal","stream":"stdout","text":"a timer\\n"}""" + NEXT_FRAME + """
                    {"type":"result","id":"rehearsal","statusCode":200,"headers":{"x-rehearsal":"yes"},\
                    "body":"{\\"ok\\":true}","bodyEncoding":"utf8"}""");
            receive(ch);
            send(ch, """
                    {"type":"result","id":"real","statusCode":201,"body":"","bodyEncoding":"utf8"}""");
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        connection.rehearse();

        assertThat(rehearsal.get().get("type").asText()).isEqualTo("invoke");
        assertThat(rehearsal.get().get("rehearsal").asBoolean()).isTrue();
        assertThat(rehearsal.get().get("id").asText()).isEqualTo("rehearsal");
        assertThat(connection.reusable()).isTrue();
        assertThat(((WorkerReply.Success) connection.invoke(payload("real", new byte[0]))).statusCode())
                .isEqualTo(201);
        done(worker);
    }

    @Test
    void aRehearsalAnsweredWithAnErrorBreaksTheProtocolAndLeavesTheWorkerUnusable() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, """
                    {"type":"error","id":"rehearsal","code":"handler_threw","message":"JSON.stringify was replaced"}""");
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThatThrownBy(connection::rehearse).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("rehearsal went wrong").hasMessageContaining("JSON.stringify was replaced");
        assertThat(connection.reusable()).isFalse();
        done(worker);
    }

    @Test
    void noRehearsalBeforeAReadyHello() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, """
                {"type":"init_error","code":"handler_missing","message":"exports.handler is undefined"}"""));
        WorkerConnection connection = accept(socket);
        connection.readHello();
        assertThatThrownBy(connection::rehearse).isInstanceOf(IllegalStateException.class);
        done(worker);
    }

    @Test
    void bodyThatIsNotUtf8IsSentAsBase64() throws Exception {
        WorkerSocket socket = bind();
        byte[] body = {(byte) 0xff, (byte) 0xfe, 0, 'A'};
        AtomicReference<JsonNode> invoke = new AtomicReference<>();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            invoke.set(receive(ch));
            send(ch, "{\"type\":\"result\",\"id\":\"x\",\"statusCode\":200,\"body\":\"\",\"bodyEncoding\":\"utf8\"}");
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        connection.invoke(payload("x", body));

        JsonNode request = invoke.get().get("request");
        assertThat(request.has("body")).isFalse();
        assertThat(Base64.getDecoder().decode(request.get("bodyBase64").asText())).isEqualTo(body);
        done(worker);
    }

    @Test
    void failuresAndInitErrorsAreDecoded() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                printed("a", "before\\n") + NEXT_FRAME
                    + "{\"type\":\"error\",\"id\":\"a\",\"code\":\"handler_threw\",\"message\":\"kaboom\","
                    + "\"stack\":\"Error: kaboom\\n    at index.js:1\"}",
                "{\"type\":\"error\",\"id\":\"b\",\"code\":\"handler_threw\",\"fatal\":true,"
                    + "\"message\":\"uncaught exception: late\"}");
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThat(connection.invoke(payload("a", new byte[0]))).isEqualTo(new WorkerReply.Failure(
                "a", "handler_threw", "kaboom", "Error: kaboom\n    at index.js:1", "before\n", null));
        assertThat(connection.reusable()).isTrue();
        assertThat(connection.invoke(payload("b", new byte[0]))).isEqualTo(new WorkerReply.Failure(
                "b", "handler_threw", "uncaught exception: late", null, "", null));
        assertThat(connection.reusable()).as("the worker said it is exiting").isFalse();
        done(worker);
    }

    @Test
    void initErrorHelloMeansNoInvocations() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, """
                {"type":"init_error","code":"handler_missing","message":"exports.handler is undefined","logs":"x"}"""));
        WorkerConnection connection = accept(socket);

        assertThat(connection.readHello())
                .isEqualTo(new WorkerHello(false, null, "handler_missing", "exports.handler is undefined", null, "x"));
        assertThat(connection.reusable()).isFalse();
        assertThatThrownBy(() -> connection.invoke(payload("a", new byte[0])))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(connection::readHello).isInstanceOf(IllegalStateException.class);
        done(worker);
    }

    @Test
    void socketFileIsWorldWritableAndGoneAfterAccept() throws Exception {
        WorkerSocket socket = bind();

        assertThat(socket.path()).isEqualTo(dir.toAbsolutePath().resolve("w.sock"));
        assertThat(Files.readAttributes(socket.path(), BasicFileAttributes.class).isOther()).as("a socket, not a regular file").isTrue();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.path()))).isEqualTo("rw-rw-rw-");

        SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket.path()));
        toClose.add(client);
        accept(socket);

        assertThat(socket.path()).doesNotExist();
        assertThatThrownBy(() -> SocketChannel.open(UnixDomainSocketAddress.of(socket.path())))
                .isInstanceOf(IOException.class);
    }

    @Test
    void closeDeletesTheSocketFileAndIsIdempotent() throws Exception {
        WorkerSocket socket = bind();

        socket.close();
        socket.close();

        assertThat(socket.path()).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void closeFromAnotherThreadUnblocksAccept() throws Exception {
        WorkerSocket socket = bind();
        Future<WorkerConnection> accepted = blockedCall(socket::accept);

        socket.close();

        assertFailsWithAnIOException(accepted);
        assertThat(socket.path()).doesNotExist();
    }

    @Test
    void closeFromAnotherThreadUnblocksReadingTheHello() throws Exception {
        WorkerSocket socket = bind();
        SocketChannel silentWorker = SocketChannel.open(UnixDomainSocketAddress.of(socket.path()));
        toClose.add(silentWorker);
        WorkerConnection connection = accept(socket);
        Future<WorkerHello> hello = blockedCall(connection::readHello);

        connection.close();

        assertFailsWithAnIOException(hello);
    }

    @Test
    void closeFromAnotherThreadUnblocksAnInvocationWaitingForItsReply() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            receive(ch); // never replies; ends when the runtime closes
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();
        Future<WorkerReply> reply = blockedCall(() -> connection.invoke(payload("slow", new byte[0])));

        connection.close();

        assertFailsWithAnIOException(reply);
        assertThat(connection.reusable()).isFalse();
        assertThatThrownBy(() -> worker.get(30, TimeUnit.SECONDS)).hasRootCauseInstanceOf(EOFException.class);
    }

    @Test
    void workerEndingWithoutAReplyIsEof() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThatThrownBy(() -> connection.invoke(payload("a", new byte[0]))).isInstanceOf(EOFException.class);
        assertThat(connection.reusable()).isFalse();
        done(worker);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            wrong id          | {"type":"result","id":"other","statusCode":200,"body":"","bodyEncoding":"utf8"}  | replied for invocation "other", expected "inv"
            garbage           | this is not json                                                                 | not valid JSON
            trailing garbage  | {"type":"result"} xyz                                                            | not valid JSON
            not an object     | [1,2]                                                                            | not a JSON object
            unknown type      | {"type":"surprise","id":"inv"}                                                   | got type "surprise"
            hello as reply    | {"type":"ready"}                                                                 | got type "ready"
            no type           | {"id":"inv"}                                                                     | no "type" field
            no id             | {"type":"result","statusCode":200,"body":"","bodyEncoding":"utf8"}               | no "id" field
            no status         | {"type":"result","id":"inv","body":"","bodyEncoding":"utf8"}                     | no statusCode
            status out of range | {"type":"result","id":"inv","statusCode":1000,"body":"","bodyEncoding":"utf8"} | no statusCode from 100 to 599
            no body           | {"type":"result","id":"inv","statusCode":200,"bodyEncoding":"utf8"}              | no "body" field
            bad encoding      | {"type":"result","id":"inv","statusCode":200,"body":"","bodyEncoding":"hex"}     | bodyEncoding must be utf8 or base64
            bad base64        | {"type":"result","id":"inv","statusCode":200,"body":"!!","bodyEncoding":"base64"} | not valid base64
            header not string | {"type":"result","id":"inv","statusCode":200,"headers":{"x":[1]},"body":"","bodyEncoding":"utf8"} | header "x" has a non-string value
            error no message  | {"type":"error","id":"inv","code":"handler_threw"}                               | no "message" field
            """)
    void malformedReplyIsProtocolException(String name, String reply, String expected) throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(), reply);
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThatThrownBy(() -> connection.invoke(payload("inv", new byte[0])))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(expected);
        assertThat(connection.reusable()).isFalse();
        done(worker);
    }

    @Test
    void malformedHelloIsProtocolException() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, "{\"type\":\"result\",\"id\":\"x\"}"));
        WorkerConnection connection = accept(socket);

        assertThatThrownBy(connection::readHello)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("expected the worker's hello");
        done(worker);
    }

    @Test
    void aReplyFrameLongerThanAnyLegitimateReplyIsProtocolException() throws Exception {
        ReplyLimits limits = ReplyLimits.withMaxBodyBytes(1000);
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            ch.write(ByteBuffer.allocate(4).putInt(0, limits.maxReplyFrameBytes() + 1)); // only the header
        });
        WorkerConnection connection = accept(socket, limits);
        connection.readHello();

        assertThatThrownBy(() -> connection.invoke(payload("a", new byte[0])))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("frame of " + (limits.maxReplyFrameBytes() + 1) + " bytes")
                .hasMessageContaining("over the limit of " + limits.maxReplyFrameBytes() + " bytes");
        assertThat(connection.reusable()).isFalse();
        done(worker);
    }

    @Test
    void aHelloFrameLongerThanAnyLegitimateHelloIsProtocolException() throws Exception {
        WorkerSocket socket = bind();
        int helloLimit = ReplyLimits.DEFAULTS.maxHelloFrameBytes();
        Future<?> worker = fakeWorker(socket.path(), ch -> ch.write(ByteBuffer.allocate(4).putInt(0, helloLimit + 1)));
        WorkerConnection connection = accept(socket);

        assertThatThrownBy(connection::readHello)
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("over the limit of " + helloLimit + " bytes");
        done(worker);
    }

    @Test
    void aBodyOverTheLimitIsAResponseTooLargeFailureAndTheConnectionStaysUsable() throws Exception {
        byte[] binary = new byte[1001];
        new Random(7).nextBytes(binary);
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                result("text", "{}", "x".repeat(1001), "printed\\n"),
                "{\"type\":\"result\",\"id\":\"binary\",\"statusCode\":200,\"body\":\""
                    + Base64.getEncoder().encodeToString(binary) + "\",\"bodyEncoding\":\"base64\"}",
                result("fits", "{}", "x".repeat(1000), ""));
        WorkerConnection connection = accept(socket, ReplyLimits.withMaxBodyBytes(1000));
        connection.readHello();

        WorkerReply text = connection.invoke(payload("text", new byte[0]));
        assertThat(text).isEqualTo(new WorkerReply.Failure("text", "response_too_large", "the response body is 1001"
                + " bytes, over the server's limit of 1000 bytes (GLAMBDAR_MAX_RESPONSE_MB); return a smaller body, or"
                + " raise that limit", null, "printed\n", null));
        assertThat(connection.reusable()).as("the exchange completed").isTrue();
        WorkerReply.Failure tooLarge = (WorkerReply.Failure) connection.invoke(payload("binary", new byte[0]));
        assertThat(tooLarge.code()).isEqualTo(WorkerReply.Failure.RESPONSE_TOO_LARGE);
        assertThat(tooLarge.message()).startsWith("the response body is 1001 bytes");
        assertThat(connection.invoke(payload("fits", new byte[0]))).isInstanceOf(WorkerReply.Success.class);
        assertThat(connection.reusable()).isTrue();
        done(worker);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            CRLF in a value      | {"x-evil":"a\\r\\nInjected: yes"}   | header "x-evil" has a value with a control character (\\u000d at position 1)
            NUL in an array      | {"x-list":["ok","a\\u0000b"]}      | header "x-list" has a value with a control character (\\u0000 at position 1)
            name with a space    | {"bad name":"x"}                   | header name "bad name" is not a valid HTTP header name
            name with CRLF       | {"x\\r\\ny":"x"}                    | header name "x\\u000d\\u000ay" is not a valid HTTP header name
            too many values      | {"a":["1","2","3"],"b":["4","5"]}  | the response has 5 header values; at most 4 are allowed
            too many bytes       | {"a":"0123456789012345678901234567890123456789"} | the response headers take 41 bytes (names and values); at most 40 bytes are allowed
            """)
    void anInvalidResponseHeaderIsAnInvalidHeaderFailureNamingIt(String name, String headers, String message)
            throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                result("inv", headers, "", "why\\n"),
                result("next", "{}", "", ""));
        WorkerConnection connection = accept(socket, new ReplyLimits(1000, 1024, 4, 40));
        connection.readHello();

        WorkerReply.Failure failure = (WorkerReply.Failure) connection.invoke(payload("inv", new byte[0]));

        assertThat(failure.code()).isEqualTo(WorkerReply.Failure.INVALID_HEADER);
        assertThat(failure.message()).startsWith(message);
        assertThat(failure.logs()).isEqualTo("why\n");
        assertThat(connection.reusable()).isTrue();
        assertThat(connection.invoke(payload("next", new byte[0]))).isInstanceOf(WorkerReply.Success.class);
        done(worker);
    }

    @ParameterizedTest
    @ValueSource(ints = {100, 101, 103, 199})
    void anInformationalStatusIsABadReturnFailureAndTheConnectionStaysUsable(int status) throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                printed("inv", "why\\n") + NEXT_FRAME + "{\"type\":\"result\",\"id\":\"inv\",\"statusCode\":" + status
                        + ",\"body\":\"1\",\"bodyEncoding\":\"utf8\"}",
                result("next", "{}", "", ""));
        WorkerConnection connection = accept(socket);
        connection.readHello();

        WorkerReply.Failure failure = (WorkerReply.Failure) connection.invoke(payload("inv", new byte[0]));

        assertThat(failure.code()).isEqualTo(WorkerReply.Failure.BAD_RETURN);
        assertThat(failure.message()).startsWith("statusCode " + status + " is an informational (1xx) status")
                .endsWith("return a statusCode from 200 to 599");
        assertThat(failure.logs()).isEqualTo("why\n");
        assertThat(connection.reusable()).isTrue();
        assertThat(connection.invoke(payload("next", new byte[0]))).isInstanceOf(WorkerReply.Success.class);
        done(worker);
    }

    @Test
    void theServersOwnHeadersFromTheFunctionAreDroppedSilently() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                result("inv", "{\"X-Glambdar-Invocation-Id\":\"forged\",\"x-glambdar-VERSION\":[\"9\"],"
                    + "\"x-own\":\"kept\"}", "", ""));
        WorkerConnection connection = accept(socket);
        connection.readHello();

        WorkerReply.Success success = (WorkerReply.Success) connection.invoke(payload("inv", new byte[0]));

        assertThat(success.headers()).containsExactly(Map.entry("x-own", List.of("kept")));
        done(worker);
    }

    @Test
    void logsOverTheLimitAreCutWithAMarkerInTheHelloAndInReplies() throws Exception {
        String longLogs = "a".repeat(2000);
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, "{\"type\":\"ready\",\"node\":\"v22.1.0\",\"logs\":\"" + longLogs + "\"}");
            receive(ch);
            // As a worker sends it: what it kept, and how much it left out.
            send(ch, printed("ok", "a".repeat(1024)));
            send(ch, "{\"type\":\"result\",\"id\":\"ok\",\"statusCode\":200,\"body\":\"\",\"bodyEncoding\":\"utf8\","
                    + "\"droppedLogBytes\":976}");
            receive(ch);
            // A piece over the limit is cut.
            send(ch, printed("threw", longLogs));
            send(ch, "{\"type\":\"error\",\"id\":\"threw\",\"code\":\"handler_threw\",\"message\":\"m\"}");
        });
        String expected = "a".repeat(1024 - 64) + "\n[... " + (2000 - 960) + " bytes truncated]\n";
        // An invocation's: its start (a quarter of the limit) and its end, what is between counted.
        String startAndEnd = "a".repeat(256) + "\n[... " + (2000 - 256 - 704) + " bytes dropped]\n" + "a".repeat(704);
        WorkerConnection connection = accept(socket, new ReplyLimits(1000, 1024, 100, 1000));

        assertThat(connection.readHello().logs()).isEqualTo(expected);
        assertThat(connection.invoke(payload("ok", new byte[0])).logs()).isEqualTo(startAndEnd);
        assertThat(connection.invoke(payload("threw", new byte[0])).logs()).isEqualTo(startAndEnd);
        done(worker);
    }

    @Test
    void errorTextsAreCutTo64Kib() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                "{\"type\":\"error\",\"id\":\"threw\",\"code\":\"handler_threw\",\"message\":\""
                    + "m".repeat(100_000) + "\",\"stack\":\"" + "s".repeat(100_000) + "\"}");
        WorkerConnection connection = accept(socket);
        connection.readHello();

        WorkerReply.Failure failure = (WorkerReply.Failure) connection.invoke(payload("threw", new byte[0]));

        assertThat(failure.message()).hasSizeLessThanOrEqualTo(ReplyLimits.MAX_TEXT_BYTES).endsWith(" bytes truncated]\n");
        assertThat(failure.stack()).hasSizeLessThanOrEqualTo(ReplyLimits.MAX_TEXT_BYTES).endsWith(" bytes truncated]\n");
        done(worker);
    }

    @Test
    void aReplyWithEveryFieldAtItsLimitAndEveryCharacterEscapedFitsTheFrame() throws Exception {
        ReplyLimits limits = new ReplyLimits(3000, 1024, 4, 200);
        String body = "\u0001".repeat(3000);
        String logs = "\u0002".repeat(1024);
        StringBuilder headers = new StringBuilder("{");
        for (int i = 0; i < 4; i++) { // 2 + 48 bytes, 4 times: 200
            headers.append(i == 0 ? "" : ",").append('"').append(escapedEverything("h" + i)).append("\":[\"")
                    .append(escapedEverything("v".repeat(48))).append("\"]");
        }
        String resultFrame = result("inv", headers.append('}').toString(), escapedEverything(body),
                escapedEverything(logs));
        String errorFrame = printed("err", escapedEverything(logs)) + NEXT_FRAME
                + "{\"type\":\"error\",\"id\":\"err\",\"code\":\"handler_threw\",\"message\":\""
                + escapedEverything("m".repeat(ReplyLimits.MAX_TEXT_BYTES)) + "\",\"stack\":\""
                + escapedEverything("s".repeat(ReplyLimits.MAX_TEXT_BYTES)) + "\"}";
        assertThat(resultFrame.length()).isLessThanOrEqualTo(limits.maxReplyFrameBytes());
        assertThat(errorFrame.length()).isLessThanOrEqualTo(limits.maxReplyFrameBytes());
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                resultFrame,
                errorFrame);
        WorkerConnection connection = accept(socket, limits);
        connection.readHello();

        WorkerReply.Success success = (WorkerReply.Success) connection.invoke(payload("inv", new byte[0]));
        WorkerReply.Failure failure = (WorkerReply.Failure) connection.invoke(payload("err", new byte[0]));

        assertThat(new String(success.body(), StandardCharsets.UTF_8)).isEqualTo(body);
        assertThat(success.logs()).isEqualTo(logs);
        assertThat(success.headers()).hasSize(4).containsEntry("h3", List.of("v".repeat(48)));
        assertThat(failure.message()).isEqualTo("m".repeat(ReplyLimits.MAX_TEXT_BYTES));
        assertThat(failure.stack()).isEqualTo("s".repeat(ReplyLimits.MAX_TEXT_BYTES));
        done(worker);
    }

    @Test
    void aHelloWithEveryFieldAtItsLimitAndEveryCharacterEscapedFitsTheFrame() throws Exception {
        String text = escapedEverything("t".repeat(ReplyLimits.MAX_TEXT_BYTES));
        String hello = "{\"type\":\"init_error\",\"node\":\"v22.1.0\",\"code\":\"load_failed\",\"message\":\""
                + text + "\",\"stack\":\"" + text + "\",\"warmup\":\"" + text + "\",\"logs\":\""
                + escapedEverything("l".repeat(ReplyLimits.DEFAULTS.maxLogBytes())) + "\"}";
        assertThat(hello.length()).isLessThanOrEqualTo(ReplyLimits.DEFAULTS.maxHelloFrameBytes());
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, hello));
        WorkerConnection connection = accept(socket);

        WorkerHello decoded = connection.readHello();

        assertThat(decoded.errorMessage()).hasSize(ReplyLimits.MAX_TEXT_BYTES);
        assertThat(decoded.logs()).hasSize(ReplyLimits.DEFAULTS.maxLogBytes());
        done(worker);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ok                                     | false | 0
            the rehearsal failed: TypeError: nope  | true  | 1
            """)
    void theHelloSaysHowTheWarmupWentAndAFailedOneIsLogged(String warmup, boolean failed, int warnings)
            throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, "{\"type\":\"ready\",\"node\":\"v22.1.0\","
                + "\"warmup\":\"" + warmup + "\"}"));
        WorkerConnection connection = accept(socket);

        try (CapturedLog log = new CapturedLog(WorkerConnection.class)) {
            WorkerHello hello = connection.readHello();

            assertThat(hello.warmup()).isEqualTo(warmup);
            assertThat(hello.warmupFailed()).isEqualTo(failed);
            assertThat(log.messages(Level.WARN)).hasSize(warnings)
                    .allSatisfy(message -> assertThat(message).contains("warm-up failed").contains(warmup));
        }
        done(worker);
    }

    // ---- who may connect

    @Test
    void aConnectionFromTheWorkersUidIsAccepted() throws Exception {
        WorkerSocket socket = bind(TestUsers.currentUid());
        Future<?> worker = fakeWorker(socket.path(), ch -> send(ch, READY));

        assertThat(accept(socket).readHello().ready()).isTrue();
        done(worker);
    }

    @Test
    void aConnectionFromAnotherUidIsClosedWithAWarningAndAcceptKeepsListening() throws Exception {
        int workerUid = TestUsers.currentUid() + 1;
        WorkerSocket socket = bind(workerUid);
        try (CapturedLog log = new CapturedLog(WorkerSocket.class)) {
            Future<WorkerConnection> accepted = threads.submit(() -> socket.accept());

            assertThat(refused(socket.path())).as("the server closed the first intruder's connection").isTrue();
            assertThat(refused(socket.path())).as("and was still listening for a second").isTrue();

            assertThat(accepted).isNotDone();
            assertThat(socket.path()).exists();
            assertThat(log.messages(Level.WARN)).hasSize(2).allSatisfy(message -> assertThat(message)
                    .contains("Refused a connection to " + socket.path())
                    .contains("only the worker's uid " + workerUid + " may connect"));
            socket.close();
            assertFailsWithAnIOException(accepted);
        }
    }

    @Test
    void anIntruderIsRefusedAndTheWorkerRunningAsAUidWithoutAPasswdEntryGetsIn() throws Exception {
        Assumptions.assumeTrue(TestUsers.isRoot(), "needs root to run a process as another uid");
        Path node = HostPrograms.find("node");
        Assumptions.assumeTrue(node != null, "needs node to run a process as another uid");
        int workerUid = TestUsers.uidWithoutPasswdEntry();
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the worker must reach it
        WorkerSocket socket = bind(workerUid);
        Future<WorkerConnection> accepted = threads.submit(() -> socket.accept());

        assertThat(refused(socket.path())).as("this process, root, is not the worker's uid").isTrue();
        assertThat(accepted).isNotDone();

        Process worker = new ProcessBuilder(node.toString(), "-e", """
                process.setgid(%1$d); process.setuid(%1$d);
                const socket = require('net').connect(process.argv[1], () => {
                  const hello = Buffer.from(JSON.stringify({ type: 'ready', node: String(process.getuid()) }));
                  const head = Buffer.alloc(4); head.writeUInt32BE(hello.length);
                  socket.write(Buffer.concat([head, hello]));
                });
                socket.on('end', () => process.exit(0));
                socket.on('error', (e) => { console.error(e.message); process.exit(2); });
                """.formatted(workerUid), socket.path().toString()).redirectErrorStream(true).start();
        try {
            WorkerConnection connection = accepted.get(30, TimeUnit.SECONDS);
            toClose.add(connection);
            assertThat(connection.readHello().nodeVersion()).isEqualTo(Integer.toString(workerUid));
        } finally {
            worker.destroyForcibly();
        }
    }

    @Test
    void largeBase64BodyBeyondJacksonsDefaultStringLimitIsDecoded() throws Exception {
        byte[] body = new byte[16 * 1024 * 1024]; // 22M base64 characters: more than Jackson's default 20M
        new Random(3).nextBytes(body);
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                "{\"type\":\"result\",\"id\":\"big\",\"statusCode\":200,\"body\":\""
                    + Base64.getEncoder().encodeToString(body) + "\",\"bodyEncoding\":\"base64\"}");
        WorkerConnection connection = accept(socket, ReplyLimits.withMaxBodyBytes(body.length));
        connection.readHello();

        WorkerReply.Success reply = (WorkerReply.Success) connection.invoke(payload("big", new byte[0]));

        assertThat(reply.body()).isEqualTo(body);
        done(worker);
    }

    @Test
    void overlongSocketPathIsRejectedWithAClearMessage() throws Exception {
        Path deep = Files.createDirectories(dir.resolve("d".repeat(120)));

        assertThatThrownBy(() -> WorkerSocket.bind(deep, TestUsers.currentUid()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(deep.resolve("w.sock").toString())
                .hasMessageContaining("limited to 107 bytes");
        assertThat(deep).isEmptyDirectory();
    }

    @Test
    void bindingWhereASocketAlreadyListensFailsClearly() throws Exception {
        WorkerSocket first = bind();

        assertThatThrownBy(() -> WorkerSocket.bind(dir, TestUsers.currentUid()))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on " + first.path());
        assertThat(first.path()).exists();
    }

    // ---- live output (log frames) and the reported peak memory

    @Test
    void logFramesBeforeTheReplyArePassedOnInOrderAndMayArriveInPieces() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, "{\"type\":\"log\",\"id\":\"inv\",\"stream\":\"stdout\",\"text\":\"one\\ntw\"}");
            // One frame in three writes: its header, half its payload, the rest.
            byte[] payload = "{\"type\":\"log\",\"id\":\"inv\",\"stream\":\"stderr\",\"text\":\"€ err\"}"
                    .getBytes(StandardCharsets.UTF_8);
            ch.write(ByteBuffer.allocate(4).putInt(0, payload.length));
            ch.write(ByteBuffer.wrap(payload, 0, payload.length / 2));
            ch.write(ByteBuffer.wrap(payload, payload.length / 2, payload.length - payload.length / 2));
            send(ch, result("inv", "{}", "", ""));
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();
        List<String> printed = new ArrayList<>();

        WorkerReply reply = connection.invoke(payload("inv", new byte[0]),
                (stream, text) -> printed.add(stream.label() + ":" + text));

        assertThat(printed).containsExactly("stdout:one\ntw", "stderr:€ err");
        assertThat(reply.logs()).isEqualTo("one\ntw€ err");
        assertThat(connection.reusable()).isTrue();
        done(worker);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            another invocation | {"type":"log","id":"other","stream":"stdout","text":"x"} | sent output for invocation "other", expected "inv"
            unknown stream     | {"type":"log","id":"inv","stream":"stdin","text":"x"}    | stream must be stdout or stderr, got "stdin"
            no stream          | {"type":"log","id":"inv","text":"x"}                     | no "stream" field
            text not a string  | {"type":"log","id":"inv","stream":"stdout","text":42}    | field "text" is not a string
            no text            | {"type":"log","id":"inv","stream":"stdout"}              | no "text" field
            """)
    void aMalformedLogFrameIsAProtocolException(String name, String frame, String expected) throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(), frame);
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThatThrownBy(() -> connection.invoke(payload("inv", new byte[0]), (stream, text) -> { }))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(expected);
        assertThat(connection.reusable()).isFalse();
        done(worker);
    }

    @Test
    void liveOutputIsHeldToTheLogLimitInAllHoweverManyFramesCome() throws Exception {
        ReplyLimits limits = new ReplyLimits(1000, 4096, 100, 64 * 1024);
        String kilobyte = "é".repeat(512); // 1,024 bytes of two-byte characters
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            for (int i = 0; i < 20; i++) {
                send(ch, "{\"type\":\"log\",\"id\":\"inv\",\"stream\":\"stdout\",\"text\":\"" + kilobyte + "\"}");
            }
            send(ch, "{\"type\":\"log\",\"id\":\"inv\",\"stream\":\"stdout\",\"text\":\"" + "x".repeat(9000) + "\"}");
            send(ch, result("inv", "{}", "", ""));
        });
        WorkerConnection connection = accept(socket, limits);
        connection.readHello();
        StringBuilder printed = new StringBuilder();
        List<String> pieces = new ArrayList<>();

        connection.invoke(payload("inv", new byte[0]), (stream, text) -> {
            printed.append(text);
            pieces.add(text);
        });

        assertThat(limits.maxLiveBytes()).isEqualTo(4 * 4096);
        assertThat(Utf8Text.length(printed.toString())).isLessThanOrEqualTo(4 * 4096);
        assertThat(printed.toString()).startsWith(kilobyte.repeat(15)).doesNotContain("x").doesNotContain("\uFFFD")
                .endsWith("\n[... output over 16384 bytes is not shown live]\n");
        assertThat(pieces).hasSize(16); // fifteen whole, one cut with the note; nothing after it
        assertThat(connection.reusable()).isTrue();
        done(worker);
    }

    @ParameterizedTest(name = "maxRss {0}")
    @CsvSource(delimiter = '|', nullValues = "null", textBlock = """
            31457280        | 31457280
            0               | 0
            1099511627776   | 1099511627776
            1099511627777   | null
            -1              | null
            1.5             | null
            3e7             | null
            "31457280"      | null
            null            | null
            [1]             | null
            99999999999999999999999 | null
            """)
    void theReportedPeakMemoryIsAWholeNumberOfBytesWithinReasonElseUnknown(String sent, Long expected)
            throws Exception {
        String field = sent == null ? "" : ",\"maxRss\":" + sent;
        WorkerSocket socket = bind();
        Future<?> worker = replyingWorker(socket.path(),
                "{\"type\":\"result\",\"id\":\"a\",\"statusCode\":200,\"body\":\"\",\"bodyEncoding\":\"utf8\"" + field + "}",
                "{\"type\":\"error\",\"id\":\"b\",\"code\":\"handler_threw\",\"message\":\"m\"" + field + "}");
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThat(connection.invoke(payload("a", new byte[0])).maxRssBytes()).isEqualTo(expected);
        assertThat(connection.invoke(payload("b", new byte[0])).maxRssBytes()).isEqualTo(expected);
        done(worker);
    }

    // ---- helpers

    private interface Peer {
        void run(SocketChannel ch) throws Exception;
    }

    /** A socket that admits this process, as the fake workers run in it. */
    private WorkerSocket bind() throws IOException {
        return bind(TestUsers.currentUid());
    }

    private WorkerSocket bind(int workerUid) throws IOException {
        WorkerSocket socket = WorkerSocket.bind(dir, workerUid);
        toClose.add(socket);
        return socket;
    }

    private WorkerConnection accept(WorkerSocket socket) throws Exception {
        return accept(socket, ReplyLimits.DEFAULTS);
    }

    private WorkerConnection accept(WorkerSocket socket, ReplyLimits limits) throws Exception {
        WorkerConnection connection = threads.submit(() -> socket.accept(limits)).get(30, TimeUnit.SECONDS);
        toClose.add(connection);
        return connection;
    }

    /**
     * Connects and reads until the server closes the connection: true if it did, false if it sent something or kept
     * the connection (the guard only stops a broken server from hanging the test).
     */
    private boolean refused(Path socketPath) throws Exception {
        try (SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
            Future<Integer> read = threads.submit(() -> client.read(ByteBuffer.allocate(1)));
            try {
                return read.get(30, TimeUnit.SECONDS) == -1;
            } catch (TimeoutException kept) {
                return false;
            }
        }
    }

    /**
     * A reply as sent: a result of the given body and the given JSON headers object, after the log frame that brings
     * {@code logs} (JSON-escaped) when there are any.
     */
    private static String result(String id, String headersJson, String body, String logs) {
        return (logs.isEmpty() ? "" : printed(id, logs) + NEXT_FRAME) + "{\"type\":\"result\",\"id\":\"" + id
                + "\",\"statusCode\":200,\"headers\":" + headersJson + ",\"body\":\"" + body
                + "\",\"bodyEncoding\":\"utf8\"}";
    }

    /** A log frame: {@code text} (JSON-escaped) printed to stdout by invocation {@code id}. */
    private static String printed(String id, String text) {
        return "{\"type\":\"log\",\"id\":\"" + id + "\",\"stream\":\"stdout\",\"text\":\"" + text + "\"}";
    }

    /** Every character as a JSON escape: valid JSON, and the longest a worker can make text on the wire. */
    private static String escapedEverything(String text) {
        StringBuilder out = new StringBuilder();
        text.chars().forEach(c -> out.append(String.format("\\u%04x", c)));
        return out.toString();
    }

    private Future<?> fakeWorker(Path socketPath, Peer peer) {
        return threads.submit(() -> {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
                peer.run(ch);
            }
            return null;
        });
    }

    /** A fake worker that says ready, then answers each invocation with the next of {@code replies}. */
    private Future<?> replyingWorker(Path socketPath, String... replies) {
        return fakeWorker(socketPath, ch -> {
            send(ch, READY);
            for (String reply : replies) {
                receive(ch);
                send(ch, reply);
            }
        });
    }

    /** The blocked call ended with an IOException: how a close from another thread shows. */
    private static void assertFailsWithAnIOException(Future<?> call) {
        assertThatThrownBy(() -> call.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
    }

    private static void done(Future<?> worker) throws Exception {
        worker.get(30, TimeUnit.SECONDS); // rethrows the fake worker's failures
    }

    private <T> Future<T> blockedCall(Callable<T> call) {
        return BlockedCalls.start(threads, call);
    }

    private static InvocationPayload payload(String id, byte[] body) {
        return new InvocationPayload(id, "POST", "/invoke/f", "", Map.of(), body);
    }

    /** Sends {@code json} as a frame; several frames when it holds {@link #NEXT_FRAME}s. */
    private static void send(SocketChannel ch, String json) throws IOException {
        for (String frame : json.split(NEXT_FRAME)) {
            Frames.write(ch, frame.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static JsonNode receive(SocketChannel ch) throws IOException {
        return JSON.readTree(Frames.read(ch, 64 * 1024 * 1024));
    }
}
