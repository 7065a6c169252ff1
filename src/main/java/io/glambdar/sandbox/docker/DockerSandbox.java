package io.glambdar.sandbox.docker;

import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerSocket;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxExit;
import io.glambdar.sandbox.SandboxExitedException;

import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;

/**
 * One function container and the socket its worker connects to. Its creation runs on a thread of the backend, so
 * four parties race over it: that launch thread, the engine (connect, interrupt, destroy from a deadline), and
 * Docker's report that the container exited. The fields below are their meeting point, guarded by {@code this}; no
 * blocking call is ever made while holding it.
 */
final class DockerSandbox implements Sandbox {

    private final DockerSandboxBackend backend;
    private final String key;
    private final Path socketDir;
    private final WorkerSocket socket;
    private final CompletableFuture<Void> removed = new CompletableFuture<>();

    // Guarded by this.
    private String containerId;      // once Docker created it
    private boolean launchDone;      // create and start returned, either way
    private boolean started;
    private String launchFailure;    // why Docker could not create or start it
    private boolean exitedEarly;     // the container ended before its worker connected
    private boolean interrupted;
    private boolean destroyed;
    private boolean removalScheduled;
    private Closeable exitWatch;     // Docker's wait call, while the worker has not connected yet
    private WorkerChannel channel;

    DockerSandbox(DockerSandboxBackend backend, String key, Path socketDir, WorkerSocket socket) {
        this.backend = backend;
        this.key = key;
        this.socketDir = socketDir;
        this.socket = socket;
    }

    @Override
    public String key() {
        return key;
    }

    Path socketDir() {
        return socketDir;
    }

    synchronized String containerId() {
        return containerId;
    }

    // ---------------------------------------------------------------- reports from the launch thread and Docker

    /** Docker created the container. Returns whether to go on and start it (false: destroyed meanwhile). */
    boolean created(String id) {
        synchronized (this) {
            containerId = id;
        }
        settle();
        synchronized (this) {
            return !destroyed;
        }
    }

    /** The container runs; {@code watch} reports its exit until the worker connects. */
    void started(Closeable watch) {
        boolean keepWatching;
        synchronized (this) {
            launchDone = true;
            started = true;
            keepWatching = !interrupted && !destroyed && channel == null;
            if (keepWatching) {
                exitWatch = watch;
            }
        }
        if (!keepWatching) {
            closeQuietly(watch);
        }
    }

    /** Docker refused to create or start it: {@link #connect()} says so, and whatever was created is removed. */
    void launchFailed(String reason) {
        synchronized (this) {
            launchDone = true;
            launchFailure = reason;
        }
        closeQuietly(socket);
        destroy();
    }

    /** The container's process ended. Before the worker connected, that fails {@link #connect()} at once. */
    void exited() {
        synchronized (this) {
            if (channel != null || interrupted) {
                return;
            }
            exitedEarly = true;
        }
        closeQuietly(socket);
    }

    // ---------------------------------------------------------------- the engine's side

    @Override
    public WorkerChannel connect() throws IOException {
        WorkerChannel accepted;
        try {
            accepted = socket.accept(backend.config().replyLimits());
        } catch (IOException e) {
            throw whyNotConnected(e);
        }
        Closeable watch;
        boolean cut;
        synchronized (this) {
            channel = accepted;
            watch = exitWatch;
            exitWatch = null;
            cut = interrupted; // interrupt() ran as accept() returned and may have missed this channel
        }
        closeQuietly(watch);
        if (cut) {
            closeQuietly(accepted);
            throw new InterruptedIOException("sandbox " + key + " was interrupted");
        }
        return accepted;
    }

    private IOException whyNotConnected(IOException e) {
        synchronized (this) {
            if (launchFailure != null) {
                throw new SandboxException(launchFailure);
            }
            if (interrupted) {
                return new InterruptedIOException("sandbox " + key + " was interrupted while its worker connected");
            }
            if (exitedEarly) {
                return new SandboxExitedException("the container exited before its worker connected");
            }
        }
        return e;
    }

    @Override
    public synchronized boolean started() {
        return started;
    }

    @Override
    public void interrupt() {
        WorkerChannel current;
        Closeable watch;
        synchronized (this) {
            interrupted = true;
            current = channel;
            watch = exitWatch;
            exitWatch = null;
        }
        closeQuietly(socket);
        closeQuietly(current);
        closeQuietly(watch);
    }

    /**
     * Settles every time, not only the first: a sandbox destroyed while its create was pending is settled again when
     * that create fails ({@link #launchFailed} destroys too), and only then does it know there is nothing to remove.
     */
    @Override
    public void destroy() {
        boolean first;
        synchronized (this) {
            first = !destroyed;
            destroyed = true;
        }
        if (first) {
            interrupt();
        }
        settle();
    }

    /**
     * Once destroyed: removes the container if Docker created one, or just the socket folder if Docker never will.
     * While its creation is still pending, nothing can be done yet: {@link #created} or {@link #launchFailed} calls
     * this again as soon as Docker answers, so a container created after its deadline is removed at once.
     */
    private void settle() {
        Runnable action;
        synchronized (this) {
            if (!destroyed || removalScheduled) {
                return;
            }
            if (containerId != null) {
                String id = containerId;
                action = () -> backend.remove(this, id);
            } else if (launchDone) {
                action = () -> backend.forget(this);
            } else {
                return;
            }
            removalScheduled = true;
        }
        action.run();
    }

    @Override
    public CompletableFuture<Void> removed() {
        return removed;
    }

    void markRemoved() {
        removed.complete(null);
    }

    @Override
    public SandboxExit exit(Duration wait) {
        String id = containerId();
        return id == null ? SandboxExit.UNKNOWN : backend.exitOf(id, wait);
    }

    @Override
    public String logs(Instant since, int maxBytes, Duration wait) {
        String id = containerId();
        return id == null ? "" : backend.logsOf(id, since, maxBytes, wait);
    }

    static void closeQuietly(Closeable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (IOException | RuntimeException ignored) {
            // closing is best effort; removing the container is what matters
        }
    }
}
