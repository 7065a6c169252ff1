package io.glambdar.sandbox;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Mount;
import com.github.dockerjava.api.model.MountType;
import io.glambdar.ipc.WorkerSocket;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * Makes, tracks and removes function containers through the Docker Engine API. Every container it makes is labelled
 * with its owner, so containers left by a crash are found and removed at the next start.
 */
public final class Sandboxes implements AutoCloseable {

    public static final String LABEL_MANAGED = "io.glambdar.managed";
    public static final String LABEL_OWNER = "io.glambdar.owner";
    public static final String LABEL_FUNCTION = "io.glambdar.function";
    public static final String LABEL_SANDBOX = "io.glambdar.sandbox";

    static final String SOCKET_MOUNT = "/glambdar/socket";
    static final String RUNTIME_MOUNT = "/glambdar/runtime";
    static final String CODE_MOUNT = "/function";
    static final String WORKER_RESOURCE = "/worker/worker.js";
    /** Random bytes in a sandbox key (hex in names and socket paths): unguessable, and short for the path limit. */
    private static final int KEY_BYTES = 6;

    private static final Logger log = LoggerFactory.getLogger(Sandboxes.class);
    private static final SecureRandom random = new SecureRandom();

    private final DockerClient docker;
    private final SandboxConfig config;
    private final Map<String, Sandbox> live = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> removals = new ConcurrentHashMap<>();
    // Removal is off the response path; virtual threads because each one mostly waits on the engine.
    private final ExecutorService background = Executors.newVirtualThreadPerTaskExecutor();
    private volatile boolean closed;

    public Sandboxes(DockerClient docker, SandboxConfig config) {
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

    public SandboxConfig config() {
        return config;
    }

    /** Bytes in the path of every socket under {@code socketsDir} ({@code <socketsDir>/<key>/w.sock}). */
    public static int socketPathBytes(Path socketsDir) {
        Path longest = socketsDir.toAbsolutePath().resolve("0".repeat(2 * KEY_BYTES)).resolve(WorkerSocket.FILE_NAME);
        return longest.toString().getBytes(StandardCharsets.UTF_8).length;
    }

    /** Containers made and not yet removed (running, or being removed). */
    public int liveCount() {
        return live.size() + removals.size();
    }

    /**
     * Creates and starts a container for {@code spec}; its worker will connect to the returned sandbox's socket.
     * Throws {@link SandboxException} when Docker refuses, with nothing left behind.
     */
    public Sandbox launch(ContainerSpec spec) {
        if (closed) {
            throw new SandboxException("the server is shutting down");
        }
        String key = HexFormat.of().formatHex(randomBytes(KEY_BYTES));
        Path dir = config.socketsDir().resolve(key);
        WorkerSocket socket;
        int workerUid = workerUid();
        try {
            Files.createDirectory(dir);
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            socket = WorkerSocket.bind(dir, workerUid);
        } catch (IOException e) {
            FileTrees.delete(dir);
            throw new SandboxException("cannot create the socket for a new container: " + e.getMessage(), e);
        }
        Sandbox sandbox = new Sandbox(this, key, dir, socket);
        live.put(key, sandbox);
        try {
            String id = docker.createContainerCmd(config.image())
                    .withName("glambdar-" + spec.functionName() + "-" + key)
                    .withEntrypoint("node")
                    .withCmd(RUNTIME_MOUNT + "/worker.js")
                    .withUser(config.user())
                    .withWorkingDir(CODE_MOUNT)
                    .withEnv(environment(spec))
                    .withLabels(Map.of(LABEL_MANAGED, "true", LABEL_OWNER, config.ownerLabel(),
                            LABEL_FUNCTION, spec.functionName(), LABEL_SANDBOX, key))
                    .withHostConfig(hostConfig(spec, dir))
                    .exec()
                    .getId();
            sandbox.attachContainer(id);
            if (sandbox.isDestroyed()) { // destroyed while being created: dispose() could not see the id yet
                scheduleRemoval(sandbox);
                throw new SandboxException("the container was cancelled while it was being created");
            }
            docker.startContainerCmd(id).exec();
            return sandbox;
        } catch (RuntimeException e) {
            sandbox.destroy();
            if (e instanceof SandboxException se) {
                throw se;
            }
            throw new SandboxException("Docker could not start a container for " + spec.functionName() + ": "
                    + DockerConnection.rootMessage(e), e);
        }
    }

    /** The uid functions run as ({@code user} is "uid:gid"): the only one a worker's socket admits. */
    private int workerUid() {
        try {
            return Integer.parseInt(config.user().split(":", 2)[0]);
        } catch (NumberFormatException e) {
            throw new SandboxException("the container user must be a numeric uid:gid, so that a worker's socket can"
                    + " admit only that uid; got \"" + config.user() + "\"", e);
        }
    }

    private List<String> environment(ContainerSpec spec) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("HOME", "/tmp");
        // Let V8 collect garbage before the cgroup limit kills the process, so running out is a clear JS error.
        env.put("NODE_OPTIONS", "--max-old-space-size=" + Math.max(16, spec.memoryMb() * 3 / 4));
        env.putAll(spec.env());
        env.put("GLAMBDAR_SOCKET", SOCKET_MOUNT + "/" + WorkerSocket.FILE_NAME);
        env.put("GLAMBDAR_FUNCTION_DIR", CODE_MOUNT);
        env.put("GLAMBDAR_FUNCTION_NAME", spec.functionName());
        env.put("GLAMBDAR_MAX_RESPONSE_BYTES", Integer.toString(config.maxReplyBytes()));
        List<String> list = new ArrayList<>(env.size());
        env.forEach((name, value) -> list.add(name + "=" + value));
        return list;
    }

    private HostConfig hostConfig(ContainerSpec spec, Path socketDir) {
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
                .withCapDrop(Capability.ALL)
                .withSecurityOpts(List.of("no-new-privileges"))
                .withReadonlyRootfs(true)
                .withTmpFs(Map.of("/tmp", "rw,nosuid,nodev,size=" + config.tmpfsMb() + "m,mode=1777"))
                .withOomScoreAdj(500); // under host memory pressure, a function goes before the server
        if (config.network() != null && !config.network().isBlank()) {
            host.withNetworkMode(config.network());
        }
        return host;
    }

    /**
     * A bind mount through the Mounts API, which fails when the host folder is missing. The older Binds API would
     * create it instead, e.g. re-create {@code functions/<name>} as an empty folder when a warm container starts just
     * as the function is deleted.
     */
    private static Mount readOnlyBind(Path source, String target) {
        return new Mount().withType(MountType.BIND).withSource(source.toString()).withTarget(target).withReadOnly(true);
    }

    void dispose(Sandbox sandbox) {
        if (live.remove(sandbox.key()) == null) {
            return;
        }
        if (sandbox.containerId() != null) {
            scheduleRemoval(sandbox);
        } else { // launch() removes a container it creates after this point
            FileTrees.delete(sandbox.socketDir());
            sandbox.markRemoved();
        }
    }

    private void scheduleRemoval(Sandbox sandbox) {
        removals.put(sandbox.key(), sandbox.removed());
        Runnable remove = () -> {
            try {
                removeContainer(sandbox.containerId());
                FileTrees.delete(sandbox.socketDir());
            } finally {
                removals.remove(sandbox.key());
                sandbox.markRemoved();
            }
        };
        try {
            background.execute(remove);
        } catch (RejectedExecutionException e) { // after close(): remove inline
            remove.run();
        }
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

    ContainerExit exitOf(String containerId, Duration wait) {
        try {
            docker.waitContainerCmd(containerId).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(wait.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            // still running or gone: the inspection below tells which
        }
        try {
            InspectContainerResponse.ContainerState state = docker.inspectContainerCmd(containerId).exec().getState();
            Integer code = Boolean.TRUE.equals(state.getRunning()) || state.getExitCodeLong() == null
                    ? null : state.getExitCodeLong().intValue();
            return new ContainerExit(code, Boolean.TRUE.equals(state.getOOMKilled()));
        } catch (RuntimeException e) {
            return ContainerExit.UNKNOWN;
        }
    }

    String logsOf(String containerId, Instant since, int maxBytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                    .withSince((int) since.getEpochSecond())
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            byte[] payload = frame.getPayload();
                            int room = maxBytes - out.size();
                            if (payload != null && room > 0) {
                                out.write(payload, 0, Math.min(room, payload.length));
                            }
                        }
                    })
                    .awaitCompletion(5, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
            // logs are a courtesy on the failure path
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return out.toString(StandardCharsets.UTF_8);
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
        return key != null && (live.containsKey(key) || removals.containsKey(key));
    }

    /** Destroys every container still alive and waits (bounded) until they are all removed. */
    @Override
    public void close() {
        closed = true;
        List.copyOf(live.values()).forEach(Sandbox::destroy);
        CompletableFuture<?>[] pending = removals.values().toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(pending).get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            log.warn("{} containers were still being removed after 60 s", removals.size());
        } catch (Exception e) {
            Thread.currentThread().interrupt();
        }
        background.shutdown();
    }

    private static void installWorkerScript(Path runtimeDir) throws IOException {
        Files.createDirectories(runtimeDir);
        try (InputStream in = Sandboxes.class.getResourceAsStream(WORKER_RESOURCE)) {
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
