package io.glambdar.ipc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runtime's end of one worker's connection: read its hello, then send invocations one at a time.
 * Not for concurrent use, except {@link #close()}, which may come from any thread (a timeout) and makes a blocked
 * {@link #readHello()} or {@link #invoke} fail promptly with an IOException.
 */
public final class WorkerConnection implements WorkerChannel {

    private static final Logger log = LoggerFactory.getLogger(WorkerConnection.class);
    // Enough for the error and the top of its stack.
    private static final int WARMUP_SHOWN_CHARS = 2000;
    /** What the rehearsal sends: a small JSON request, as most invocations are. */
    private static final InvocationPayload REHEARSAL = new InvocationPayload("rehearsal", "POST", "/", "",
            Map.of("content-type", List.of("application/json")), "{\"rehearsal\":true}".getBytes(StandardCharsets.UTF_8));

    private final SocketChannel channel;
    private final ReplyLimits limits;
    private WorkerHello hello;
    private volatile boolean reusable;
    /**
     * The output of an invocation that did not get its reply, kept for {@link #printedSoFar()}; let go once a reply is
     * in (it has the logs), so an idle worker holds none. Used by the invoking thread only.
     */
    private PrintedLogs printed;

    /**
     * @param channel a connected, blocking channel; this object owns it from now on
     * @param limits  what the worker may send; give the worker the same body limit
     *                ({@code GLAMBDAR_MAX_RESPONSE_BYTES}) so that it can explain a too-large body itself
     */
    public WorkerConnection(SocketChannel channel, ReplyLimits limits) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * Reads the worker's first message. An {@link java.io.EOFException} means the worker ended before saying hello.
     *
     * @throws IllegalStateException when called twice
     */
    @Override
    public WorkerHello readHello() throws IOException {
        if (hello != null) {
            throw new IllegalStateException("the worker's hello was already read");
        }
        hello = Messages.decodeHello(Frames.read(channel, limits.maxHelloFrameBytes()), limits);
        if (hello.warmupFailed()) {
            // Quoted: the function's code ran in that process, so the text may be forged to look like log lines.
            log.warn("The worker's warm-up failed, so its first invocations may be slower: {}",
                    SafeText.quoted(hello.warmup(), WARMUP_SHOWN_CHARS));
        }
        reusable = hello.ready();
        return hello;
    }

    /**
     * Sends one invocation and waits for its reply, passing on the log frames that come before it (what the function
     * prints, as it prints it) to {@code output}, at most {@link ReplyLimits#maxLiveBytes()} in all; the reply's logs
     * are made of the same frames (the worker sends the output only once). An
     * {@link java.io.EOFException} means the worker ended without replying (it crashed or the function called
     * {@code process.exit()}). A response over the {@link ReplyLimits}
     * comes back as a {@link WorkerReply.Failure} ({@code response_too_large}, {@code invalid_header}), and the
     * connection stays reusable: the exchange itself completed.
     *
     * @throws IllegalStateException before a ready hello was read
     */
    @Override
    public WorkerReply invoke(InvocationPayload payload, WorkerOutput output) throws IOException {
        return exchange(payload, false, output);
    }

    /**
     * Runs the rehearsal: one invocation of a stand-in handler inside the worker (never the function's), so that its
     * first real invocation finds the whole path compiled; in a fresh Node.js process that path costs 1 to 2 ms more
     * the first time than after. Anything but the stand-in's plain answer breaks the protocol.
     *
     * @throws IllegalStateException before a ready hello was read
     */
    @Override
    public void rehearse() throws IOException {
        WorkerReply reply = exchange(REHEARSAL, true, WorkerOutput.NONE);
        String wrong = switch (reply) {
            case WorkerReply.Failure failure -> failure.code() + ": " + failure.message();
            case WorkerReply.Success success when success.statusCode() != 200 -> "status " + success.statusCode();
            case WorkerReply.Success success when !reusable -> "the worker said it is exiting";
            case WorkerReply.Success success -> null;
        };
        if (wrong != null) {
            reusable = false;
            // Quoted: the function's code ran in that process and may have tampered with the answer.
            throw new ProtocolException("the worker's rehearsal went wrong: "
                    + SafeText.quoted(wrong, WARMUP_SHOWN_CHARS));
        }
    }

    private WorkerReply exchange(InvocationPayload payload, boolean rehearsal, WorkerOutput output)
            throws IOException {
        if (hello == null || !hello.ready()) {
            throw new IllegalStateException("the worker is not ready: read a ready hello before invoking");
        }
        reusable = false; // until the reply is in: a failure half-way leaves the stream out of step
        Frames.write(channel, Messages.encodeInvoke(payload, rehearsal));
        OutputBudget live = new OutputBudget(output, limits.maxLiveBytes());
        PrintedLogs logs = new PrintedLogs(limits.maxLogBytes());
        printed = logs;
        for (;;) {
            switch (Messages.decodeIncoming(Frames.read(channel, limits.maxReplyFrameBytes()), payload.id(), limits,
                    logs)) {
                case Messages.Printed printed -> {
                    logs.add(printed.text());
                    live.printed(printed.stream(), printed.text());
                }
                case Messages.Decoded decoded -> {
                    printed = null;
                    reusable = !decoded.fatal() && channel.isOpen();
                    return decoded.reply();
                }
            }
        }
    }

    @Override
    public String printedSoFar() {
        return printed == null ? "" : printed.logs(0);
    }

    /**
     * Whether another invocation may be sent: the hello said ready, every exchange so far completed, and the worker did
     * not say it is exiting (it does after an uncaught exception or unhandled rejection, as its state may be broken).
     */
    @Override
    public boolean reusable() {
        return reusable && channel.isOpen();
    }

    /**
     * Whether the worker is gone while idle (it exited, or the connection broke): a non-blocking look at the socket,
     * so a waiting worker that died is never handed an invocation. Unexpected bytes count as broken too.
     */
    @Override
    public boolean idleWorkerGone() {
        try {
            channel.configureBlocking(false);
            try {
                return channel.read(ByteBuffer.allocate(1)) != 0;
            } finally {
                channel.configureBlocking(true);
            }
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        reusable = false;
        channel.close();
    }
}
