package io.glambdar.ipc;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.Objects;

/**
 * The runtime's end of one worker's connection: read its hello, then send invocations one at a time.
 * Not for concurrent use, except {@link #close()}, which may come from any thread (a timeout) and makes a blocked
 * {@link #readHello()} or {@link #invoke} fail promptly with an IOException.
 */
public final class WorkerConnection implements WorkerChannel {

    /** Same default as the worker's {@code GLAMBDAR_MAX_RESPONSE_BYTES}: both sides must agree on the limit. */
    public static final int DEFAULT_MAX_REPLY_BYTES = 32 * 1024 * 1024;

    private final SocketChannel channel;
    private final int maxReplyBytes;
    private WorkerHello hello;
    private volatile boolean reusable;

    /**
     * @param channel       a connected, blocking channel; this object owns it from now on
     * @param maxReplyBytes the largest frame accepted from the worker (the whole JSON message, logs included)
     */
    public WorkerConnection(SocketChannel channel, int maxReplyBytes) {
        this.channel = Objects.requireNonNull(channel, "channel");
        if (maxReplyBytes <= 0) {
            throw new IllegalArgumentException("maxReplyBytes must be positive: " + maxReplyBytes);
        }
        this.maxReplyBytes = maxReplyBytes;
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
        hello = Messages.decodeHello(Frames.read(channel, maxReplyBytes));
        reusable = hello.ready();
        return hello;
    }

    /**
     * Sends one invocation and waits for its reply. An {@link java.io.EOFException} means the worker ended without
     * replying (it crashed or the function called {@code process.exit()}).
     *
     * @throws IllegalStateException before a ready hello was read
     */
    @Override
    public WorkerReply invoke(InvocationPayload payload) throws IOException {
        if (hello == null || !hello.ready()) {
            throw new IllegalStateException("the worker is not ready: read a ready hello before invoking");
        }
        reusable = false; // until the reply is in: a failure half-way leaves the stream out of step
        Frames.write(channel, Messages.encodeInvoke(payload));
        Messages.Decoded decoded = Messages.decodeReply(Frames.read(channel, maxReplyBytes), payload.id());
        reusable = !decoded.fatal() && channel.isOpen();
        return decoded.reply();
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
