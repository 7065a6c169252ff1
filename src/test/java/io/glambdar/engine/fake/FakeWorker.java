package io.glambdar.engine.fake;

import io.glambdar.ipc.InvocationPayload;
import io.glambdar.ipc.LogStream;
import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.ipc.WorkerOutput;
import io.glambdar.ipc.WorkerReply;

import java.io.EOFException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A worker the test answers for: each invocation waits until the test replies, crashes it or it is cut off. */
public final class FakeWorker implements WorkerChannel {

    /** One invocation the worker received; the test decides how it ends. */
    public static final class Call {
        public final InvocationPayload payload;
        private final WorkerOutput output;
        private final CompletableFuture<WorkerReply> reply = new CompletableFuture<>();
        private final StringBuffer printed = new StringBuffer();

        Call(InvocationPayload payload, WorkerOutput output) {
            this.payload = payload;
            this.output = output;
        }

        /** The function prints while it runs: a log frame, as the worker sends it, before the reply. */
        public void print(LogStream stream, String text) {
            printed.append(text);
            output.printed(stream, text);
        }

        /** A response, with the process's peak memory. */
        public void succeed(String body, long maxRssBytes) {
            reply.complete(new WorkerReply.Success(payload.id(), 200, Map.of(), body.getBytes(StandardCharsets.UTF_8),
                    "", maxRssBytes));
        }

        public void succeed(String body) {
            reply.complete(new WorkerReply.Success(payload.id(), 200, Map.of("content-type",
                    List.of("application/json")), body.getBytes(StandardCharsets.UTF_8), "printed\n", null));
        }

        public void throwError(String message) {
            throwError(message, null, "");
        }

        /** The handler threw, with {@code stack} (null for a thrown non-error), having printed {@code logs}. */
        public void throwError(String message, String stack, String logs) {
            reply.complete(new WorkerReply.Failure(payload.id(), "handler_threw", message, stack, logs, null));
        }

        /** The process dies mid-invocation: the runtime reads EOF. */
        public void crash() {
            reply.completeExceptionally(new EOFException("the worker closed the connection"));
        }
    }

    private final WorkerHello hello;
    private final BlockingQueue<Call> calls = new LinkedBlockingQueue<>();
    private volatile Call current;
    /** The last call that got no reply: {@link #printedSoFar()}. */
    private volatile Call last;
    private volatile boolean closed;
    private volatile boolean dead;
    private volatile boolean exitingAfterReply;
    private final AtomicInteger rehearsals = new AtomicInteger();
    private volatile IOException rehearsalFailure;

    public FakeWorker(WorkerHello hello) {
        this.hello = hello;
    }

    public static WorkerHello readyHello() {
        return new WorkerHello(true, "v22.0.0", null, null, null, "loading\n");
    }

    @Override
    public WorkerHello readHello() {
        return hello;
    }

    @Override
    public void rehearse() throws IOException {
        rehearsals.incrementAndGet();
        if (rehearsalFailure != null) {
            throw rehearsalFailure;
        }
    }

    /** How many times the runtime rehearsed with this worker. */
    public int rehearsals() {
        return rehearsals.get();
    }

    /** The next rehearsals fail with {@code failure}, as a worker that answers wrongly or ends. */
    public FakeWorker failsRehearsal(IOException failure) {
        rehearsalFailure = failure;
        return this;
    }

    @Override
    public WorkerReply invoke(InvocationPayload payload, WorkerOutput output) throws IOException {
        if (closed) {
            throw new IOException("the connection is closed");
        }
        Call call = new Call(payload, output);
        current = call;
        last = call;
        calls.add(call);
        if (closed) { // closed while the call was being registered
            call.reply.completeExceptionally(new IOException("the connection was closed"));
        }
        try {
            WorkerReply reply = call.reply.get();
            last = null; // as the real connection: what was printed is in the reply
            return reply;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted");
        } finally {
            current = null;
        }
    }

    @Override
    public String printedSoFar() {
        Call call = last;
        return call == null ? "" : call.printed.toString();
    }

    @Override
    public boolean reusable() {
        return !closed && !dead && !exitingAfterReply;
    }

    @Override
    public boolean idleWorkerGone() {
        return closed || dead;
    }

    @Override
    public void close() {
        closed = true;
        Call call = current;
        if (call != null) {
            call.reply.completeExceptionally(new IOException("the connection was closed"));
        }
    }

    /** The process exits while no invocation runs (e.g. a timer the last one left behind throws). */
    public void dieWhileIdle() {
        dead = true;
    }

    /** The worker said it exits after its reply (an uncaught error): it must not be reused. */
    public void exitAfterReply() {
        exitingAfterReply = true;
    }

    public boolean closed() {
        return closed;
    }

    /** The next invocation this worker receives (waits for it). */
    public Call nextCall() {
        try {
            Call call = calls.poll(20, TimeUnit.SECONDS);
            if (call == null) {
                throw new AssertionError("the worker received no invocation");
            }
            return call;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    public int pendingCalls() {
        return calls.size();
    }
}
