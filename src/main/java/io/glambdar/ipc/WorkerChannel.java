package io.glambdar.ipc;

import java.io.Closeable;
import java.io.IOException;

/**
 * The runtime's side of the conversation with one worker: its hello, then invocations one at a time. Not for
 * concurrent use, except {@link #close()}, which may come from any thread (a deadline) and makes a blocked
 * {@link #readHello()} or {@link #invoke} fail promptly with an IOException.
 */
public interface WorkerChannel extends Closeable {

    /**
     * Reads the worker's first message. An {@link java.io.EOFException} means the worker ended before saying hello.
     *
     * @throws IllegalStateException when called twice
     */
    WorkerHello readHello() throws IOException;

    /**
     * Once, after a ready hello and before the first invocation: a rehearsal exchange that runs the worker's whole
     * invocation path without the function's handler, so the first real invocation runs warm. An IOException means
     * the worker cannot serve (it ended, or answered wrongly); the channel is then unusable.
     *
     * @throws IllegalStateException before a ready hello was read
     */
    void rehearse() throws IOException;

    /**
     * Sends one invocation and waits for its reply. An {@link java.io.EOFException} means the worker ended without
     * replying; a {@link ProtocolException} that it broke the protocol (the channel is then unusable). A response
     * that breaks the {@link ReplyLimits} is a {@link WorkerReply.Failure} ({@code response_too_large},
     * {@code invalid_header}) and leaves the channel usable.
     *
     * @throws IllegalStateException before a ready hello was read
     */
    default WorkerReply invoke(InvocationPayload payload) throws IOException {
        return invoke(payload, WorkerOutput.NONE);
    }

    /**
     * {@link #invoke(InvocationPayload)}, telling {@code output} of what the function prints as the worker reports it,
     * before the reply (the reply's {@link WorkerReply#logs()} still has all of it, as printed).
     */
    WorkerReply invoke(InvocationPayload payload, WorkerOutput output) throws IOException;

    /**
     * After {@link #invoke} failed with an IOException (the worker was cut off or died): what the function printed
     * through its log frames before the end, as its reply's logs would have had it. Empty once a reply came.
     */
    String printedSoFar();

    /**
     * Whether another invocation may be sent: the hello said ready, every exchange so far completed, and the worker
     * did not say it is exiting.
     */
    boolean reusable();

    /** Whether the worker is gone while idle (exited, or the connection broke); never blocks. */
    boolean idleWorkerGone();
}
