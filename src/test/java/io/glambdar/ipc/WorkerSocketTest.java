package io.glambdar.ipc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
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
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Java side against a fake worker: a thread that connects as the client and speaks the protocol by hand. */
class WorkerSocketTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String READY = "{\"type\":\"ready\",\"node\":\"v22.1.0\",\"logs\":\"\"}";

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
            send(ch, """
                    {"type":"result","id":"inv-1","statusCode":201,
                     "headers":{"content-type":"application/json","set-cookie":["a=1","b=2"]},
                     "body":"{\\"message\\":\\"Hello Glambdar!\\"}","bodyEncoding":"utf8","logs":"hi\\n"}""");
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
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, "{\"type\":\"error\",\"id\":\"a\",\"code\":\"handler_threw\",\"message\":\"kaboom\","
                    + "\"stack\":\"Error: kaboom\\n    at index.js:1\",\"logs\":\"before\\n\"}");
            receive(ch);
            send(ch, "{\"type\":\"error\",\"id\":\"b\",\"code\":\"handler_threw\",\"fatal\":true,"
                    + "\"message\":\"uncaught exception: late\"}");
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        assertThat(connection.invoke(payload("a", new byte[0]))).isEqualTo(new WorkerReply.Failure(
                "a", "handler_threw", "kaboom", "Error: kaboom\n    at index.js:1", "before\n"));
        assertThat(connection.reusable()).isTrue();
        assertThat(connection.invoke(payload("b", new byte[0]))).isEqualTo(new WorkerReply.Failure(
                "b", "handler_threw", "uncaught exception: late", null, ""));
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

        assertThatThrownBy(() -> accepted.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
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

        assertThatThrownBy(() -> hello.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
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

        assertThatThrownBy(() -> reply.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IOException.class);
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
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, reply);
        });
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
    void replyOverTheLimitIsProtocolException() throws Exception {
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, "{\"type\":\"result\",\"id\":\"a\",\"statusCode\":200,\"body\":\"" + "x".repeat(2000)
                    + "\",\"bodyEncoding\":\"utf8\"}");
        });
        WorkerConnection connection = socket.accept(1000);
        toClose.add(connection);
        connection.readHello();

        assertThatThrownBy(() -> connection.invoke(payload("a", new byte[0])))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("limit of 1000 bytes");
        done(worker);
    }

    @Test
    void largeBase64BodyBeyondJacksonsDefaultStringLimitIsDecoded() throws Exception {
        byte[] body = new byte[16 * 1024 * 1024]; // 22M base64 characters: more than Jackson's default 20M
        new Random(3).nextBytes(body);
        WorkerSocket socket = bind();
        Future<?> worker = fakeWorker(socket.path(), ch -> {
            send(ch, READY);
            receive(ch);
            send(ch, "{\"type\":\"result\",\"id\":\"big\",\"statusCode\":200,\"body\":\""
                    + Base64.getEncoder().encodeToString(body) + "\",\"bodyEncoding\":\"base64\"}");
        });
        WorkerConnection connection = accept(socket);
        connection.readHello();

        WorkerReply.Success reply = (WorkerReply.Success) connection.invoke(payload("big", new byte[0]));

        assertThat(reply.body()).isEqualTo(body);
        done(worker);
    }

    @Test
    void overlongSocketPathIsRejectedWithAClearMessage() throws Exception {
        Path deep = Files.createDirectories(dir.resolve("d".repeat(120)));

        assertThatThrownBy(() -> WorkerSocket.bind(deep))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(deep.resolve("w.sock").toString())
                .hasMessageContaining("limited to 107 bytes");
        assertThat(deep).isEmptyDirectory();
    }

    @Test
    void bindingWhereASocketAlreadyListensFailsClearly() throws Exception {
        WorkerSocket first = bind();

        assertThatThrownBy(() -> WorkerSocket.bind(dir))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot listen on " + first.path());
        assertThat(first.path()).exists();
    }

    // ---- helpers

    private interface Peer {
        void run(SocketChannel ch) throws Exception;
    }

    private WorkerSocket bind() throws IOException {
        WorkerSocket socket = WorkerSocket.bind(dir);
        toClose.add(socket);
        return socket;
    }

    private WorkerConnection accept(WorkerSocket socket) throws Exception {
        WorkerConnection connection = threads.submit(() -> socket.accept()).get(30, TimeUnit.SECONDS);
        toClose.add(connection);
        return connection;
    }

    private Future<?> fakeWorker(Path socketPath, Peer peer) {
        return threads.submit(() -> {
            try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socketPath))) {
                peer.run(ch);
            }
            return null;
        });
    }

    private static void done(Future<?> worker) throws Exception {
        worker.get(30, TimeUnit.SECONDS); // rethrows the fake worker's failures
    }

    /**
     * Runs {@code call} on a virtual thread and returns once it is parked, i.e. really blocked in I/O: the point of
     * the close tests is to interrupt a blocked call, not one that has not started yet.
     */
    private <T> Future<T> blockedCall(Callable<T> call) throws Exception {
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<T> future = threads.submit(() -> {
            thread.set(Thread.currentThread());
            return call.call();
        });
        waitUntil(() -> thread.get() != null && thread.get().getState() == Thread.State.WAITING);
        return future;
    }

    private static void waitUntil(Supplier<Boolean> condition) throws InterruptedException {
        for (int i = 0; i < 30_000 && !condition.get(); i++) {
            Thread.sleep(1);
        }
        assertThat(condition.get()).as("waited 30 s for the call to block").isTrue();
    }

    private static InvocationPayload payload(String id, byte[] body) {
        return new InvocationPayload(id, "POST", "/invoke/f", "", Map.of(), body);
    }

    private static void send(SocketChannel ch, String json) throws IOException {
        Frames.write(ch, json.getBytes(StandardCharsets.UTF_8));
    }

    private static JsonNode receive(SocketChannel ch) throws IOException {
        return JSON.readTree(Frames.read(ch, 64 * 1024 * 1024));
    }
}
