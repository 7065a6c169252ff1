package io.glambdar.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.glambdar.usecase.FunctionQueries;
import io.glambdar.usecase.logs.Follower;
import io.glambdar.usecase.logs.LogEvent;
import io.glambdar.usecase.logs.LogHub;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /logs/:name}: the function's recent invocations as JSON; with {@code ?follow=true}, its live log as
 * newline-delimited JSON, one event per line, written and flushed as it happens, until the client leaves or the
 * server ends it ({@code {"type": "end", "reason": "deleted" | "too_slow"}}).
 */
final class LogFollowHandler {

    static final String NDJSON = "application/x-ndjson";
    /** How often a quiet stream looks whether its client left (a write finds it at once). */
    static final Duration CHECK_EVERY = Duration.ofSeconds(1);
    /**
     * The kernel's send buffer of a follower's connection. Left to grow by itself it holds megabytes, all of it ahead
     * of a dropped follower's end line; kept this small, a client that reads, however slowly, gets that line in time.
     */
    static final int SEND_BUFFER_BYTES = 64 * 1024;
    /**
     * A follower dropped as too slow has this long to read again and take the rest of the line being written and its
     * end line, before its connection is closed (then, mid-line: nothing else can end a write its client never
     * takes). Waiting costs no invocation anything: the follower is no longer in the hub, only its parked thread and
     * the bytes already written wait.
     */
    static final Duration END_BOUND = Duration.ofSeconds(60);

    private final FunctionQueries queries;
    private final LogHub hub;
    private final ObjectMapper json;

    LogFollowHandler(FunctionQueries queries, LogHub hub, ObjectMapper json) {
        this.queries = queries;
        this.hub = hub;
        this.json = json;
    }

    void handle(Context ctx) throws IOException {
        String name = ctx.pathParam("name");
        if (!follow(ctx.queryParam("follow"))) {
            ctx.json(ApiServer.object("function", name, "invocations", queries.recentInvocations(name)));
            return;
        }
        if (ctx.method() == HandlerType.HEAD) {
            // The stream's head without the stream: a HEAD has no body to wait for.
            queries.recentInvocations(name);
            ctx.status(200).contentType(NDJSON).header("Cache-Control", "no-store");
            return;
        }
        // Following first, then looking: a delete in between still ends this stream.
        try (Follower follower = hub.follow(name)) {
            queries.recentInvocations(name); // an unknown function is a 404, before anything is streamed
            stream(ctx, follower);
        }
    }

    /** Whether {@code follow} asks for the live log: {@code true}; absent or {@code false} does not. */
    private static boolean follow(String value) {
        if (value == null || value.equals("false")) {
            return false;
        }
        if (value.equals("true")) {
            return true;
        }
        throw new RequestRejected(400, "follow must be true or false, got '" + value + "'");
    }

    private void stream(Context ctx, Follower follower) throws IOException {
        ctx.status(200);
        ctx.contentType(NDJSON);
        ctx.header("Cache-Control", "no-store");
        // The stream is the connection's last answer: looking for the client's close (clientClosed) reads from it.
        ctx.header("Connection", "close");
        EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req())
                .getConnectionMetaData().getConnection().getEndPoint();
        // A follower may rightly be quiet for hours: only the end of the stream or a failed write ends it, not the
        // connection idle timeout (30 s), which would otherwise cut it. Restored for the rest of the connection.
        long idleTimeout = endPoint.getIdleTimeout();
        endPoint.setIdleTimeout(0);
        if (endPoint.getTransport() instanceof SocketChannel channel) {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, SEND_BUFFER_BYTES);
        }
        CountDownLatch finished = new CountDownLatch(1);
        follower.onDropped(() -> Thread.startVirtualThread(() -> closeUnlessFinished(finished, endPoint)));
        OutputStream out = ctx.res().getOutputStream();
        try {
            out.flush(); // the head now: the client knows it is following before anything happens
            for (;;) {
                LogEvent event = follower.next(CHECK_EVERY);
                if (event == null) {
                    if (clientClosed(endPoint)) {
                        return;
                    }
                    continue;
                }
                if (event instanceof LogEvent.End end && end.reason() == LogEvent.Reason.SHUTDOWN) {
                    return;
                }
                out.write(ndjson(event)); // the line and its break in one write: whole, or not at all
                if (event instanceof LogEvent.End end) {
                    out.flush();
                    if (end.reason() == LogEvent.Reason.TOO_SLOW) {
                        endPoint.close(); // dropped: the line is on its way, the connection is not kept
                    }
                    return;
                }
                if (!follower.ready()) {
                    out.flush(); // caught up: what is written goes out now, not when a buffer fills
                }
            }
        } catch (IOException clientGone) {
            // The client left (or was cut off as too slow): nothing to answer.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping: the stream just ends
        } finally {
            finished.countDown();
            endPoint.setIdleTimeout(idleTimeout);
        }
    }

    /**
     * Whether the client has closed its end of the connection, found without writing anything: a non-blocking read
     * of the socket, which gives -1 once the client closed it. Jetty does not read a connection while its request is
     * being answered, so this does not race with it; bytes a client sent (a pipelined request) are dropped, which is
     * why the stream is the connection's last answer ({@code Connection: close}).
     */
    private static boolean clientClosed(EndPoint endPoint) {
        if (!(endPoint.getTransport() instanceof SocketChannel channel)) {
            return !endPoint.isOpen();
        }
        try {
            ByteBuffer probe = ByteBuffer.allocate(256);
            int read;
            do {
                probe.clear();
                read = channel.read(probe);
            } while (read > 0);
            return read < 0;
        } catch (IOException e) {
            return true;
        }
    }

    /**
     * A writer stuck in a write to a client that never reads again would never take its end line: close its
     * connection at the bound, unless the stream has ended by then.
     */
    private static void closeUnlessFinished(CountDownLatch finished, EndPoint endPoint) {
        try {
            if (!finished.await(END_BOUND.toMillis(), TimeUnit.MILLISECONDS)) {
                endPoint.close();
            }
        } catch (InterruptedException e) {
            endPoint.close();
        }
    }

    /** {@code event} as one NDJSON line, its line break included. */
    private byte[] ndjson(LogEvent event) throws IOException {
        byte[] line = json.writeValueAsBytes(line(event));
        byte[] withBreak = Arrays.copyOf(line, line.length + 1);
        withBreak[line.length] = '\n';
        return withBreak;
    }

    private ObjectNode line(LogEvent event) {
        ObjectNode line = json.createObjectNode();
        switch (event) {
            case LogEvent.Line printed -> {
                line.put("type", "log");
                line.put("ts", printed.ts().toString());
                line.put("invocationId", printed.invocationId());
                line.put("stream", printed.stream());
                line.put("line", printed.line());
            }
            case LogEvent.Report report -> {
                line.put("type", "report");
                line.put("invocationId", report.invocationId());
                line.put("outcome", report.outcome());
                line.put("statusCode", report.statusCode());
                line.put("durationMs", report.durationMs());
                line.put("initDurationMs", report.initDurationMs());
                line.put("coldStart", report.coldStart());
                line.put("maxMemoryBytes", report.maxMemoryBytes());
            }
            case LogEvent.End end -> {
                line.put("type", "end");
                line.put("reason", end.reason().label());
            }
        }
        return line;
    }
}
