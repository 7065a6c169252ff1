package io.glambdar.sandbox;

import io.glambdar.ipc.ReplyLimits;
import io.glambdar.ipc.WorkerConnection;
import io.glambdar.ipc.WorkerSocket;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One function container and the socket its worker connects to. Made by {@link Sandboxes}; {@link #destroy()} is
 * safe to call from any thread at any time (that is how timeouts interrupt a blocked accept or read).
 */
public final class Sandbox {

    private final Sandboxes owner;
    private final String key;
    private final Path socketDir;
    private final WorkerSocket socket;
    private volatile String containerId;
    private volatile WorkerConnection connection;
    private final AtomicBoolean destroyed = new AtomicBoolean();
    private volatile boolean interrupted;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    Sandbox(Sandboxes owner, String key, Path socketDir, WorkerSocket socket) {
        this.owner = owner;
        this.key = key;
        this.socketDir = socketDir;
        this.socket = socket;
    }

    /** Short unique id; names the container ({@code glambdar-<function>-<key>}) and its socket folder. */
    public String key() {
        return key;
    }

    public String containerId() {
        return containerId;
    }

    void attachContainer(String id) {
        this.containerId = id;
    }

    Path socketDir() {
        return socketDir;
    }

    /** Waits for the worker to connect (at most once). Fails promptly when the sandbox is destroyed meanwhile. */
    public WorkerConnection connect() throws IOException {
        // maxReplyBytes is the body limit: Sandboxes gives the worker the same as GLAMBDAR_MAX_RESPONSE_BYTES.
        WorkerConnection accepted = socket.accept(ReplyLimits.withMaxBodyBytes(owner.config().maxReplyBytes()));
        connection = accepted;
        if (interrupted) { // interrupt() ran as accept() returned and may have missed this connection
            accepted.close();
            throw new IOException("sandbox " + key + " was interrupted");
        }
        return accepted;
    }

    public boolean isDestroyed() {
        return destroyed.get();
    }

    /** Completes once the container is removed from the engine (after {@link #destroy()}). */
    public CompletableFuture<Void> removed() {
        return removed;
    }

    void markRemoved() {
        removed.complete(null);
    }

    /** How the container ended (waits up to {@code wait} for it to stop). For explaining failures only. */
    public ContainerExit exit(Duration wait) {
        return containerId == null ? ContainerExit.UNKNOWN : owner.exitOf(containerId, wait);
    }

    /** What the container printed since {@code since} (for failures, when the worker could not report it). */
    public String logs(Instant since, int maxBytes) {
        return containerId == null ? "" : owner.logsOf(containerId, since, maxBytes);
    }

    /**
     * Cuts the runtime's side of the conversation: closes the socket and the connection, so a blocked accept or read
     * fails at once, but leaves the container (and its logs) until {@link #destroy()}.
     */
    public void interrupt() {
        interrupted = true;
        closeQuietly(socket);
        WorkerConnection current = connection;
        if (current != null) {
            closeQuietly(current);
        }
    }

    /** Interrupts, then kills and removes the container in the background. */
    public void destroy() {
        if (!destroyed.compareAndSet(false, true)) {
            return;
        }
        interrupt();
        owner.dispose(this);
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception ignored) {
            // closing is best effort; the container removal is what matters
        }
    }
}
