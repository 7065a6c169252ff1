package io.glambdar.sandbox.docker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.HostConfig;
import io.glambdar.app.ServerConfig;
import io.glambdar.ipc.InvocationPayload;
import io.glambdar.ipc.ReplyLimits;
import io.glambdar.ipc.WorkerChannel;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.ipc.WorkerReply;
import io.glambdar.it.DockerRequired;
import io.glambdar.it.Eventually;
import io.glambdar.it.StallingDockerProxy;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.image.ImageProvisioner;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxExitedException;
import io.glambdar.sandbox.SandboxSpec;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real containers through the Docker Engine API: how they are locked down, connected to, and removed. */
@ExtendWith(DockerRequired.class)
class DockerSandboxBackendIT {

    /** Only to keep a broken test from hanging the build. */
    private static final long GUARD_SECONDS = 60;
    private static final Duration REMOVAL = Duration.ofSeconds(60);
    private static final String FUNCTION = """
            const fs = require('fs');
            const os = require('os');
            exports.handler = async () => {
              fs.writeFileSync('/tmp/probe', 'x');
              const interfaces = Object.keys(os.networkInterfaces());
              return { body: { uid: process.getuid(), gid: process.getgid(), greeting: process.env.GREETING,
                               path: process.env.PATH, interfaces } };
            };
            """;

    private static DockerConnection docker;
    private static DockerClient client;
    private static String image;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private Path base;
    private Path code;
    private String owner;
    private DockerSandboxBackend sandboxes;

    @BeforeAll
    static void connect() {
        docker = DockerConnection.open();
        client = docker.client();
        image = new ImageProvisioner(docker, Duration.ofMinutes(5)).ensure(ServerConfig.DEFAULT_IMAGE);
    }

    @AfterAll
    static void disconnect() throws IOException {
        if (docker != null) {
            docker.close();
        }
    }

    @BeforeEach
    void prepare() throws IOException {
        base = Files.createTempDirectory(Path.of("/tmp"), "glsb-"); // short: socket paths are length-limited
        owner = base.toString();
        code = Files.createDirectory(base.resolve("code"));
        Files.writeString(code.resolve("index.js"), FUNCTION);
        // Blocks node before the worker runs when preloaded: a worker that never connects.
        Files.writeString(code.resolve("block.js"), "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);\n");
        for (Path path : List.of(base, code)) {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        sandboxes = backend(client, shippedNetwork());
    }

    @AfterEach
    void cleanUp() {
        threads.shutdownNow();
        sandboxes.close();
        for (Container container : containersOf(owner)) {
            client.removeContainerCmd(container.getId()).withForce(true).exec();
        }
        FileTrees.delete(base);
    }

    /** The network a server gets when nobody sets GLAMBDAR_NETWORK: what ships is what is tested. */
    private String shippedNetwork() {
        return ServerConfig.defaults(base).network();
    }

    /** As the server makes it, with the shipped defaults but for smaller limits. */
    private DockerSandboxBackend backend(DockerClient dockerClient, String network) {
        ServerConfig shipped = ServerConfig.defaults(base);
        return new DockerSandboxBackend(dockerClient, new DockerSandboxConfig(image, network, shipped.containerUid(), 64,
                base.resolve("sockets"), base.resolve("runtime"), owner, ReplyLimits.withMaxBodyBytes(1024 * 1024),
                1024 * 1024));
    }

    private SandboxSpec spec(String function, Map<String, String> env) {
        return new SandboxSpec(function, code, 96, 0.25, env, 16);
    }

    private WorkerChannel connected(Sandbox sandbox) throws Exception {
        WorkerChannel channel = threads.submit(sandbox::connect).get(GUARD_SECONDS, TimeUnit.SECONDS);
        WorkerHello hello = threads.submit(channel::readHello).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(hello.ready()).as(hello.toString()).isTrue();
        return channel;
    }

    private static String containerIdOf(Sandbox sandbox) {
        return ((DockerSandbox) sandbox).containerId();
    }

    @Test
    void aMissingCodeFolderFailsTheStartAndIsNeverCreated() {
        // A function deleted while its warm container is being created: Docker must not re-create its folder.
        Path gone = base.resolve("functions/deleted");
        Sandbox sandbox = sandboxes.launch(new SandboxSpec("deleted", gone, 96, 0.25, Map.of(), 16));
        assertThatThrownBy(() -> threads.submit(sandbox::connect).get(GUARD_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SandboxException.class).hasMessageContaining("deleted");
        assertThat(gone).doesNotExist();
        Eventually.holds("nothing is left", REMOVAL, () -> sandboxes.liveCount() == 0 && containersOf(owner).isEmpty());
    }

    @Test
    void aContainerIsLockedDownLabelledAndItsLogCapped() throws Exception {
        // A PATH without node in it is the function's own: the container starts all the same.
        Sandbox sandbox = sandboxes.launch(spec("hello", Map.of("GREETING", "hi", "PATH", "/nope")));
        connected(sandbox);

        InspectContainerResponse container = client.inspectContainerCmd(containerIdOf(sandbox)).exec();
        assertThat(container.getName()).isEqualTo("/glambdar-hello-" + sandbox.key());
        assertThat(container.getConfig().getUser()).isEqualTo("65532:65532");
        assertThat(container.getConfig().getLabels()).containsAllEntriesOf(Map.of(
                DockerSandboxBackend.LABEL_MANAGED, "true", DockerSandboxBackend.LABEL_OWNER, owner,
                DockerSandboxBackend.LABEL_FUNCTION, "hello"));
        assertThat(container.getConfig().getEnv()).contains("GREETING=hi", "GLAMBDAR_SOCKET=/glambdar/socket/w.sock");

        HostConfig host = container.getHostConfig();
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).isNullOrEmpty();
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getTmpFs()).containsOnlyKeys("/tmp");
        assertThat(host.getTmpFs().get("/tmp")).as("the spec's tmpMb").contains("size=16m");
        assertThat(host.getMemory()).isEqualTo(96L * 1024 * 1024);
        assertThat(host.getMemorySwap()).isEqualTo(96L * 1024 * 1024);
        assertThat(host.getNanoCPUs()).isEqualTo(250_000_000L);
        assertThat(host.getPidsLimit()).isEqualTo(64L);
        assertThat(host.getInit()).as("Docker's init is PID 1, not node").isTrue();
        assertThat(host.getNetworkMode()).as("the shipped default: Docker's own").isEqualTo("default");
        assertThat(host.getLogConfig().getType().getType()).isEqualTo("json-file");
        assertThat(host.getLogConfig().getConfig()).containsEntry("max-size", Integer.toString(1024 * 1024))
                .containsEntry("max-file", "1");

        assertThat(container.getMounts()).hasSize(3).allSatisfy(mount -> assertThat(mount.getRW()).isFalse());
        Map<String, String> sources = new TreeMap<>();
        container.getMounts().forEach(mount -> sources.put(mount.getDestination().getPath(), mount.getSource()));
        assertThat(sources).isEqualTo(Map.of(
                "/function", code.toString(),
                "/glambdar/runtime", base.resolve("runtime").toString(),
                "/glambdar/socket", ((DockerSandbox) sandbox).socketDir().toString()));
        sandbox.destroy();
    }

    @Test
    void theWorkerConnectsRunsTheFunctionAsTheDedicatedUidAndDestroyRemovesEverything() throws Exception {
        // A PATH without node in it is the function's own: the container starts all the same.
        Sandbox sandbox = sandboxes.launch(spec("hello", Map.of("GREETING", "hi", "PATH", "/nope")));
        Path socketDir = ((DockerSandbox) sandbox).socketDir();
        assertThat(socketDir.resolve("w.sock")).exists();
        WorkerChannel channel = connected(sandbox);
        assertThat(sandbox.started()).isTrue();

        WorkerReply reply = threads.submit(() -> channel.invoke(new InvocationPayload("inv-1", "POST",
                "/", "", Map.of(), new byte[0]))).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(reply).isInstanceOfSatisfying(WorkerReply.Success.class, ok -> {
            JsonNode body = json(ok.body());
            assertThat(body.get("uid").asInt()).isEqualTo(65532);
            assertThat(body.get("gid").asInt()).isEqualTo(65532);
            assertThat(body.get("greeting").asText()).isEqualTo("hi");
            assertThat(body.get("path").asText()).isEqualTo("/nope");
            assertThat(body.get("interfaces").toString()).as("Docker's default network: more than loopback")
                    .contains("eth0");
        });

        String id = containerIdOf(sandbox);
        sandbox.destroy();
        Eventually.holds("container " + id + " removed", REMOVAL, () -> !exists(id));
        Eventually.holds("socket folder removed", REMOVAL, () -> !Files.exists(socketDir));
        Eventually.holds("nothing live", REMOVAL, () -> sandboxes.liveCount() == 0);
        assertThat(sandbox.removed()).isDone();
        assertThat(containersOf(owner)).isEmpty();
    }

    @Test
    void networkNoneLeavesOnlyLoopback() throws Exception {
        sandboxes.close();
        sandboxes = backend(client, "none");
        Sandbox sandbox = sandboxes.launch(spec("isolated", Map.of()));
        WorkerChannel channel = connected(sandbox);
        WorkerReply reply = threads.submit(() -> channel.invoke(new InvocationPayload("inv-1", "POST", "/", "",
                Map.of(), new byte[0]))).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(reply).isInstanceOfSatisfying(WorkerReply.Success.class, ok ->
                assertThat(json(ok.body()).get("interfaces").toString()).isEqualTo("[\"lo\"]"));
        sandbox.destroy();
    }

    @Test
    void aContainerThatExitsBeforeItsWorkerConnectsFailsConnectAtOnceWithItsOutput() {
        Sandbox sandbox = sandboxes.launch(spec("broken", Map.of("NODE_OPTIONS", "--require /nope.js")));
        assertThatThrownBy(() -> threads.submit(sandbox::connect).get(GUARD_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(SandboxExitedException.class);
        assertThat(sandbox.exit(Duration.ofSeconds(10)).exitCode()).isNotNull().isNotZero();
        assertThat(sandbox.logs(Instant.EPOCH, 64 * 1024, Duration.ofSeconds(10))).contains("/nope.js");
        sandbox.destroy();
        Eventually.holds("removed", REMOVAL, () -> sandbox.removed().isDone());
    }

    @Test
    void interruptMakesABlockedConnectFailPromptlyButKeepsTheContainerUntilDestroyed() throws Exception {
        Sandbox sandbox = sandboxes.launch(spec("stuck", Map.of("NODE_OPTIONS", "--require /function/block.js")));
        Eventually.holds("started", REMOVAL, sandbox::started);
        Future<WorkerChannel> connecting = threads.submit(sandbox::connect);

        sandbox.interrupt();

        assertThatThrownBy(() -> connecting.get(GUARD_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(InterruptedIOException.class);
        assertThat(((DockerSandbox) sandbox).socketDir().resolve("w.sock")).doesNotExist();
        String id = containerIdOf(sandbox);
        assertThat(exists(id)).isTrue();

        sandbox.destroy();
        Eventually.holds("container " + id + " removed", REMOVAL, () -> !exists(id));
    }

    /** A wedged daemon: a container whose creation outlived everyone waiting for it is removed once Docker answers. */
    @Test
    void aContainerCreatedAfterItWasDestroyedIsRemovedAsSoonAsDockerAnswers() throws Exception {
        try (StallingDockerProxy proxy = new StallingDockerProxy(base.resolve("docker.sock"));
             DockerConnection stalled = DockerConnection.open(proxy.dockerHost())) {
            sandboxes.close();
            sandboxes = backend(stalled.client(), shippedNetwork());
            proxy.stallCreates();
            Sandbox sandbox = sandboxes.launch(spec("late", Map.of()));
            Future<WorkerChannel> connecting = threads.submit(sandbox::connect);
            Eventually.holds("Docker holds the create", REMOVAL, () -> proxy.heldCreates() == 1);
            assertThat(sandbox.started()).isFalse();

            sandbox.destroy(); // the invocation's deadline passed
            assertThatThrownBy(() -> connecting.get(GUARD_SECONDS, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).cause().isInstanceOf(IOException.class);
            assertThat(sandbox.removed()).as("its container may still appear").isNotDone();

            proxy.resume();
            Eventually.holds("removed once Docker answered", REMOVAL, () -> sandbox.removed().isDone());
            assertThat(containersOf(owner)).isEmpty();
            assertThat(sandboxes.liveCount()).isZero();
        }
    }

    /**
     * A sandbox destroyed while its create is pending, whose create then fails (its function was deleted meanwhile, so
     * the code folder to mount is gone): nothing to remove, but it must still count as removed, or its memory stays
     * reserved in the engine for good.
     */
    @Test
    void aSandboxDestroyedWhileItsCreateIsPendingIsRemovedEvenWhenTheCreateThenFails() throws Exception {
        try (StallingDockerProxy proxy = new StallingDockerProxy(base.resolve("docker.sock"));
             DockerConnection stalled = DockerConnection.open(proxy.dockerHost())) {
            sandboxes.close();
            sandboxes = backend(stalled.client(), shippedNetwork());
            proxy.stallCreates();
            Sandbox sandbox = sandboxes.launch(new SandboxSpec("deleted", base.resolve("functions/deleted"), 96, 0.25,
                    Map.of(), 16));
            Eventually.holds("Docker holds the create", REMOVAL, () -> proxy.heldCreates() == 1);

            sandbox.destroy();
            proxy.resume(); // Docker answers: the mount source does not exist
            Eventually.holds("removed although Docker created nothing", REMOVAL, () -> sandbox.removed().isDone());
            assertThat(sandboxes.liveCount()).isZero();
            assertThat(containersOf(owner)).isEmpty();
        }
    }

    @Test
    void removeLeftoversRemovesOnlyThisOwnersContainersAndSocketFolders() throws IOException {
        String ours = createForeignContainer(owner);
        String theirs = createForeignContainer(owner + "-other");
        Path staleSocketDir = Files.createDirectories(base.resolve("sockets/deadbeef0000"));
        Files.writeString(staleSocketDir.resolve("w.sock"), "stale");
        try {
            assertThat(sandboxes.removeLeftovers()).isEqualTo(1);

            assertThat(exists(ours)).isFalse();
            assertThat(exists(theirs)).isTrue();
            assertThat(staleSocketDir).doesNotExist();
        } finally {
            client.removeContainerCmd(theirs).withForce(true).exec();
        }
    }

    @Test
    void closeRemovesEveryLiveContainerAndRefusesNewOnes() throws Exception {
        Sandbox connected = sandboxes.launch(spec("one", Map.of()));
        Sandbox waiting = sandboxes.launch(spec("two", Map.of("NODE_OPTIONS", "--require /function/block.js")));
        connected(connected);
        Eventually.holds("both created", REMOVAL, () -> containersOf(owner).size() == 2);

        sandboxes.close();

        assertThat(connected.removed()).isDone();
        assertThat(waiting.removed()).isDone();
        assertThat(((DockerSandbox) connected).socketDir()).doesNotExist();
        assertThat(((DockerSandbox) waiting).socketDir()).doesNotExist();
        assertThat(sandboxes.liveCount()).isZero();
        assertThatThrownBy(() -> sandboxes.launch(spec("late", Map.of())))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("shutting down");
        assertThat(containersOf(owner)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** A container with our labels that this backend did not make (as if left by an earlier run). */
    private static String createForeignContainer(String ownerLabel) {
        return client.createContainerCmd(image)
                .withEntrypoint("node").withCmd("-e", "setTimeout(() => {}, 600000)")
                .withLabels(Map.of(DockerSandboxBackend.LABEL_MANAGED, "true",
                        DockerSandboxBackend.LABEL_OWNER, ownerLabel))
                .exec().getId();
    }

    private static boolean exists(String containerId) {
        try {
            client.inspectContainerCmd(containerId).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    private static List<Container> containersOf(String ownerLabel) {
        return client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerSandboxBackend.LABEL_OWNER, ownerLabel)).exec();
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, StandardCharsets.UTF_8), e);
        }
    }
}
