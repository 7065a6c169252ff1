package io.glambdar.sandbox;

import io.glambdar.ipc.WorkerChannel;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One isolated environment running one worker, as a {@link SandboxBackend} launched it. Every method may be called
 * from any thread; none but {@link #connect()}, {@link #exit} and {@link #logs} ever blocks, and those two are
 * bounded by their {@code wait}.
 */
public interface Sandbox {

    /** Short unique id, for names and logs. */
    String key();

    /**
     * Waits for the worker inside to connect, then hands over the channel to it (at most once). Fails promptly:
     * with a {@link SandboxException} when the backend could not create or start the sandbox, with a
     * {@link SandboxExitedException} when the sandbox ended before its worker connected, and with an
     * {@link java.io.InterruptedIOException} after {@link #interrupt()}.
     */
    WorkerChannel connect() throws IOException;

    /** Whether the backend has confirmed the sandbox runs (its start returned); false while it is being created. */
    boolean started();

    /**
     * Cuts the runtime's side of the conversation: a blocked {@link #connect()} or read on the channel fails at once.
     * The sandbox itself (and what it printed) stays until {@link #destroy()}.
     */
    void interrupt();

    /** Interrupts, then removes the sandbox in the background, even one whose creation has not returned yet. */
    void destroy();

    /** Completes once the sandbox is gone for good (after {@link #destroy()}): its resources are free again. */
    CompletableFuture<Void> removed();

    /** How the sandbox's process ended, waiting at most {@code wait} for it to end. For explaining failures only. */
    SandboxExit exit(Duration wait);

    /** What the sandbox printed since {@code since}, at most {@code maxBytes}, waiting at most {@code wait}. */
    String logs(Instant since, int maxBytes, Duration wait);
}
