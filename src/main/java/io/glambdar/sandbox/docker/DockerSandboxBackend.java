package io.glambdar.sandbox.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.LogConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import com.github.dockerjava.api.model.WaitResponse;
import io.glambdar.ipc.WorkerSocket;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxBackend;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxExit;
import io.glambdar.sandbox.SandboxSpec;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Function containers through the Docker Engine API. Every call to the engine runs on a virtual thread of its own, so
 * a Docker daemon that stops answering never blocks the caller past its own deadline: the sandbox reports what it
 * knows, and a container created after everyone stopped waiting for it is removed as soon as Docker answers. Every
 * container is labelled with its owner, so containers left by a crash are found and removed at the next start.
 */
public final class DockerSandboxBackend implements SandboxBackend {

    public static final String LABEL_MANAGED = "io.glambdar.managed";
    public static final String LABEL_OWNER = "io.glambdar.owner";
    public static final String LABEL_FUNCTION = "io.glambdar.function";
    public static final String LABEL_SANDBOX = "io.glambdar.sandbox";

    static final String SOCKET_MOUNT = "/glambdar/socket";
    static final String RUNTIME_MOUNT = "/glambdar/runtime";
    static final String CODE_MOUNT = "/function";
    static final String WORKER_RESOURCE = "/worker/worker.js";
    /** The function's own {@code PATH}, which worker.js sets as its PATH (see {@link #environment}). */
    static final String FUNCTION_PATH = "GLAMBDAR_PATH";
    /** Random bytes in a sandbox key (hex in names and socket paths): unguessable, and short for the path limit. */
    private static final int KEY_BYTES = 6;
    /** Removals still running after this long at shutdown are reported and left to the next start's sweep. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(60);
    /** The exit status of a process killed by SIGKILL, which is how the kernel's OOM killer ends one. */
    private static final int SIGKILL_EXIT = 137;
    /**
     * How long, at most, a SIGKILLed container is inspected again for Docker's late OOM flag, and how far apart: the
     * daemon takes the OOM event apart from the exit, and on a busy machine it has come more than 200 ms later.
     */
    private static final Duration OOM_FLAG_WAIT = Duration.ofSeconds(2);
    private static final Duration OOM_LOOK_INTERVAL = Duration.ofMillis(40);

    private static final Logger log = LoggerFactory.getLogger(DockerSandboxBackend.class);
    private static final SecureRandom random = new SecureRandom();

    private final DockerClient docker;
    private final DockerSandboxConfig config;
    private final Map<String, DockerSandbox> live = new ConcurrentHashMap<>();
    // Each task mostly waits on the Docker engine: a virtual thread each.
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    public DockerSandboxBackend(DockerClient docker, DockerSandboxConfig config) {
        this.docker = docker;
        this.config = config;
        try {
            Files.createDirectories(config.socketsDir());
            // Others may traverse to a socket whose (random) folder name they know, but not list them.
            Files.setPosixFilePermissions(config.socketsDir(), PosixFilePermissions.fromString("rwx--x--x"));
            installWorkerScript(config.runtimeDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + config.socketsDir() + " and " + config.runtimeDir(), e);
        }
    }

    DockerSandboxConfig config() {
        return config;
    }

    /** Bytes in the path of every socket under {@code socketsDir} ({@code <socketsDir>/<key>/w.sock}). */
    public static int socketPathBytes(Path socketsDir) {
        Path longest = socketsDir.toAbsolutePath().resolve("0".repeat(2 * KEY_BYTES)).resolve(WorkerSocket.FILE_NAME);
        return longest.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Sandboxes launched and not yet removed. */
    public int liveCount() {
        return live.size();
    }

    @Override
    public Sandbox launch(SandboxSpec spec) {
        if (closed) {
            throw new SandboxException("the server is shutting down");
        }
        String key = HexFormat.of().formatHex(randomBytes(KEY_BYTES));
        Path dir = config.socketsDir().resolve(key);
        WorkerSocket socket;
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            socket = WorkerSocket.bind(dir, config.uid()); // only the function's uid may connect
        } catch (IOException e) {
            FileTrees.delete(dir);
            throw new SandboxException("cannot create the socket for a new container: " + e.getMessage(), e);
        }
        DockerSandbox sandbox = new DockerSandbox(this, key, dir, socket);
        live.put(key, sandbox);
        try {
            background.execute(() -> createAndStart(sandbox, spec));
        } catch (RejectedExecutionException e) {
            sandbox.launchFailed("the server is shutting down");
        }
        return sandbox;
    }

    private void createAndStart(DockerSandbox sandbox, SandboxSpec spec) {
        try {
            String id = docker.createContainerCmd(config.image())
                    .withName("glambdar-" + spec.functionName() + "-" + sandbox.key())
                    .withEntrypoint("node")
                    .withCmd(RUNTIME_MOUNT + "/worker.js")
                    .withUser(config.user())
                    .withWorkingDir(CODE_MOUNT)
                    .withEnv(environment(spec))
                    .withLabels(Map.of(LABEL_MANAGED, "true", LABEL_OWNER, config.ownerLabel(),
                            LABEL_FUNCTION, spec.functionName(), LABEL_SANDBOX, sandbox.key()))
                    .withHostConfig(hostConfig(spec, sandbox.socketDir()))
                    .exec()
                    .getId();
            if (!sandbox.created(id)) {
                return; // destroyed while Docker created it: it is being removed already
            }
            docker.startContainerCmd(id).exec();
            sandbox.started(watchExit(sandbox, id));
        } catch (RuntimeException e) {
            sandbox.launchFailed("Docker could not start a container for " + spec.functionName() + ": "
                    + DockerConnection.describe(e));
        }
    }

    /** Tells the sandbox when its container exits, so a worker that never connects fails at once, not at a deadline. */
    private Closeable watchExit(DockerSandbox sandbox, String id) {
        return docker.waitContainerCmd(id).exec(new ResultCallback.Adapter<WaitResponse>() {
            @Override
            public void onNext(WaitResponse response) {
                sandbox.exited();
            }
        });
    }

    private List<String> environment(SandboxSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/tmp");
        // Let V8 collect garbage before the cgroup limit kills the process, so running out is a clear JS error.
        env.put("NODE_OPTIONS", "--max-old-space-size=" + Math.max(16, spec.memoryMb() * 3 / 4));
        // Docker looks `node` up with the container's PATH: the function's own (say "/nope") must not be that one, so
        // it travels under another name and the worker makes it the PATH of the function and what it runs.
        spec.env().forEach((name, value) -> env.put(name.equals("PATH") ? FUNCTION_PATH : name, value));
        env.put("GLAMBDAR_SOCKET", SOCKET_MOUNT + "/" + WorkerSocket.FILE_NAME);
        env.put("GLAMBDAR_FUNCTION_DIR", CODE_MOUNT);
        env.put("GLAMBDAR_FUNCTION_NAME", spec.functionName());
        env.put("GLAMBDAR_MAX_RESPONSE_BYTES", Integer.toString(config.replyLimits().maxBodyBytes()));
        List<String> list = new ArrayList<>(env.size());
        env.forEach((name, value) -> list.add(name + "=" + value));
        return list;
    }

    private HostConfig hostConfig(SandboxSpec spec, Path socketDir) {
        long memory = spec.memoryMb() * 1024L * 1024L;
        HostConfig host = HostConfig.newHostConfig()
                .withMounts(List.of(
                        readOnlyBind(spec.codeDir(), CODE_MOUNT),
                        readOnlyBind(config.runtimeDir(), RUNTIME_MOUNT),
                        // Read-only is enough: connecting to a socket is not a write to the file system.
                        readOnlyBind(socketDir, SOCKET_MOUNT)))
                .withMemory(memory)
                .withMemorySwap(memory) // equal to memory: no swap on top
                .withNanoCPUs(Math.round(spec.cpus() * 1_000_000_000L))
                .withPidsLimit(config.pidsLimit())
                // Docker's init (tini) as PID 1: it reaps the orphans a function's child processes leave (zombies
                // would fill the pids limit of a reused container) and passes signals on; as PID 1 node would ignore
                // a SIGTERM sent to itself.
                .withInit(true)
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(true)
                // Its pages are charged to the container's memory: /tmp lives inside the memory limit.
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + spec.tmpMb() + "m,mode=1777"))
                // A function printing for 15 minutes must not fill the host's disk: Docker keeps only the last part.
                .withLogConfig(new LogConfig(LogConfig.LoggingType.JSON_FILE,
                        Map.of("max-size", Long.toString(config.logMaxBytes()), "max-file", "1")))
                .withOomScoreAdj(500); // under host memory pressure, a function goes before the server
        if (config.network() != null && !config.network().isBlank()) {
            host.withNetworkMode(config.network());
        }
        return host;
    }

    /**
     * A bind mount through the Mounts API, which fails when the host folder is missing. The older Binds API would
     * create it instead, e.g. re-create a deleted function's folder when a warm container starts just as it goes.
     */
    private static Mount readOnlyBind(Path source, String target) {
        return new Mount().withType(MountType.BIND).withSource(source.toString()).withTarget(target).withReadOnly(true);
    }

    /** Removes the container (in the background), then the socket folder; the sandbox is then removed. */
    void remove(DockerSandbox sandbox, String containerId) {
        Runnable removal = () -> {
            try {
                removeContainer(containerId);
            } finally {
                forget(sandbox);
            }
        };
        try {
            background.execute(removal);
        } catch (RejectedExecutionException e) { // after close(): remove inline
            removal.run();
        }
    }

    /** The sandbox has no container (any more): drop its socket folder and stop tracking it. */
    void forget(DockerSandbox sandbox) {
        FileTrees.delete(sandbox.socketDir());
        live.remove(sandbox.key());
        sandbox.markRemoved();
    }

    private void removeContainer(String id) {
        try {
            docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
        } catch (NotFoundException e) {
            // already gone
        } catch (RuntimeException e) {
            String message = DockerConnection.rootMessage(e);
            if (!message.contains("already in progress")) {
                log.warn("Could not remove container {}: {}", id, message);
            }
        }
    }

    SandboxExit exitOf(String containerId, Duration wait) {
        long began = System.nanoTime();
        return bounded(wait, SandboxExit.UNKNOWN, () -> {
            try {
                docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())
                        .awaitStatusCode(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (RuntimeException e) {
                // still running or gone: the inspection below tells which
            }
            SandboxExit exit = inspectExit(containerId);
            // The kernel's OOM event and the exit reach Docker separately: a container killed at its memory limit
            // (SIGKILL, 137) may show OOMKilled only a while after it shows as exited. Look again, within the time
            // this explanation has (past it, bounded() gives up on the whole answer).
            long lookUntil = began + Math.min(OOM_FLAG_WAIT.toNanos(), wait.toNanos() * 3 / 4);
            while (exit.exitCode() != null && exit.exitCode() == SIGKILL_EXIT && !exit.oomKilled()
                    && System.nanoTime() < lookUntil) {
                LockSupport.parkNanos(OOM_LOOK_INTERVAL.toNanos());
                exit = inspectExit(containerId);
            }
            return exit;
        });
    }

    private SandboxExit inspectExit(String containerId) {
        InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(containerId).exec().getState();
        Integer code = Boolean.TRUE.equals(state.getRunning()) || state.getExitCodeLong() == null
                ? null : state.getExitCodeLong().intValue();
        return new SandboxExit(code, Boolean.TRUE.equals(state.getOOMKilled()));
    }

    String logsOf(String containerId, Instant since, int maxBytes, Duration wait) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ResultCallback.Adapter<Frame> collector = new ResultCallback.Adapter<>() {
            @Override
            public void onNext(Frame frame) {
                byte[] payload = frame.getPayload();
                synchronized (out) {
                    int room = maxBytes - out.size();
                    if (payload != null && room > 0) {
                        out.write(payload, 0, Math.min(room, payload.length));
                    }
                }
            }
        };
        bounded(wait, null, () -> {
            try {
                docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                        .withSince((int) since.getEpochSecond()).exec(collector).awaitCompletion();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        DockerSandbox.closeQuietly(collector);
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Runs a Docker call on its own thread and waits at most {@code wait} for it: a stuck daemon costs no more. */
    private <T> T bounded(Duration wait, T fallback, Supplier<T> call) {
        CompletableFuture<T> result;
        try {
            result = CompletableFuture.supplyAsync(call, background);
        } catch (RejectedExecutionException e) {
            return fallback;
        }
        try {
            return result.get(Math.max(1, wait.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return fallback; // these explain a failure; they never cause one
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return fallback;
        }
    }

    /**
     * Removes containers and socket folders with our owner label that this server is not using: those an earlier run
     * left behind. Returns how many containers.
     */
    public int removeLeftovers() {
        List<Container> leftovers = docker.listContainersCmd()
                .withShowAll(true)
                .withLabelFilter(Map.of(LABEL_OWNER, config.ownerLabel()))
                .exec()
                .stream()
                .filter(container -> !inUse(container))
                .toList();
        List<CompletableFuture<Void>> removing = new ArrayList<>();
        for (Container container : leftovers) {
            removing.add(CompletableFuture.runAsync(() -> removeContainer(container.getId()), background));
        }
        CompletableFuture.allOf(removing.toArray(CompletableFuture[]::new)).join();
        try (Stream<Path> dirs = Files.list(config.socketsDir())) {
            dirs.filter(dir -> !live.containsKey(dir.getFileName().toString())).forEach(FileTrees::delete);
        } catch (IOException e) {
            log.warn("Could not clean {}: {}", config.socketsDir(), e.getMessage());
        }
        return leftovers.size();
    }

    /** Whether a listed container is one of this server's live sandboxes (or being removed by it). */
    private boolean inUse(Container container) {
        String key = container.getLabels() == null ? null : container.getLabels().get(LABEL_SANDBOX);
        return key != null && live.containsKey(key);
    }

    @Override
    public void close() {
        closed = true;
        List<DockerSandbox> remaining = List.copyOf(live.values());
        remaining.forEach(DockerSandbox::destroy);
        CompletableFuture<?>[] pending = remaining.stream().map(DockerSandbox::removed)
                .toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(pending).get(CLOSE_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("{} containers were still being removed after {} s; the next start removes them", live.size(),
                    CLOSE_WAIT.toSeconds());
        } catch (ExecutionException e) {
            log.warn("Removing containers at shutdown failed: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        background.shutdown();
    }

    private static void installWorkerScript(Path runtimeDir) throws IOException {
        Files.createDirectories(runtimeDir);
        try (InputStream in = DockerSandboxBackend.class.getResourceAsStream(WORKER_RESOURCE)) {
            if (in == null) {
                throw new IOException("the worker script " + WORKER_RESOURCE + " is missing from the build");
            }
            Path temp = Files.createTempFile(runtimeDir, "worker", ".tmp");
            Files.copy(in, temp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            // Atomic, so a container starting during a restart never sees half a script.
            Files.move(temp, runtimeDir.resolve("worker.js"), StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        Files.setPosixFilePermissions(runtimeDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }
}
