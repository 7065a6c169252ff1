package io.glambdar.sandbox;

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
import io.glambdar.ipc.WorkerConnection;
import io.glambdar.ipc.WorkerHello;
import io.glambdar.ipc.WorkerReply;
import io.glambdar.it.DockerRequired;
import io.glambdar.it.Eventually;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Real containers through the Docker Engine API: how they are locked down, connected to, and removed. */
@ExtendWith(DockerRequired.class)
class SandboxesIT {

    /** Only to keep a broken test from hanging the build. */
    private static final long GUARD_SECONDS = 60;
    private static final Duration REMOVAL = Duration.ofSeconds(60);
    private static final String FUNCTION = """
            const fs = require('fs');
            exports.handler = async () => {
              fs.writeFileSync('/tmp/probe', 'x');
              return { body: { uid: process.getuid(), gid: process.getgid(), greeting: process.env.GREETING } };
            };
            """;

    private static DockerConnection docker;
    private static DockerClient client;
    private static String image;

    private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
    private Path base;
    private Path code;
    private String owner;
    private Sandboxes sandboxes;

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
        sandboxes = sandboxes("none");
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

    private Sandboxes sandboxes(String network) {
        return new Sandboxes(client, new SandboxConfig(image, network, "1000:1000", 64, 16, base.resolve("sockets"),
                base.resolve("runtime"), owner, 1024 * 1024));
    }

    @Test
    void aMissingCodeFolderFailsTheLaunchAndIsNeverCreated() {
        // A function deleted while its warm container is being created: Docker must not re-create its folder.
        Path gone = base.resolve("functions/deleted");
        assertThatThrownBy(() -> sandboxes.launch(new ContainerSpec("deleted", gone, 96, 0.25, Map.of())))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("deleted");
        assertThat(gone).doesNotExist();
        assertThat(sandboxes.liveCount()).isZero();
        Eventually.holds("no container is left", REMOVAL, () -> client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(Sandboxes.LABEL_OWNER, owner)).exec().isEmpty());
    }

    private ContainerSpec spec(String function, Map<String, String> env) {
        return new ContainerSpec(function, code, 96, 0.25, env);
    }

    @Test
    void aContainerIsLockedDownAndLabelled() {
        Sandbox sandbox = sandboxes.launch(spec("hello", Map.of("GREETING", "hi")));

        InspectContainerResponse container = client.inspectContainerCmd(sandbox.containerId()).exec();
        assertThat(container.getName()).isEqualTo("/glambdar-hello-" + sandbox.key());
        assertThat(container.getConfig().getUser()).isEqualTo("1000:1000");
        assertThat(container.getConfig().getLabels()).containsAllEntriesOf(Map.of(
                Sandboxes.LABEL_MANAGED, "true", Sandboxes.LABEL_OWNER, owner, Sandboxes.LABEL_FUNCTION, "hello"));
        assertThat(container.getConfig().getEnv()).contains("GREETING=hi", "GLAMBDAR_SOCKET=/glambdar/socket/w.sock");

        HostConfig host = container.getHostConfig();
        assertThat(host.getCapDrop()).containsExactly(Capability.ALL);
        assertThat(host.getCapAdd()).isNullOrEmpty();
        assertThat(host.getPrivileged()).isFalse();
        assertThat(host.getSecurityOpts()).containsExactly("no-new-privileges");
        assertThat(host.getReadonlyRootfs()).isTrue();
        assertThat(host.getTmpFs()).containsOnlyKeys("/tmp");
        assertThat(host.getTmpFs().get("/tmp")).contains("size=16m");
        assertThat(host.getMemory()).isEqualTo(96L * 1024 * 1024);
        assertThat(host.getMemorySwap()).isEqualTo(96L * 1024 * 1024);
        assertThat(host.getNanoCPUs()).isEqualTo(250_000_000L);
        assertThat(host.getPidsLimit()).isEqualTo(64L);
        assertThat(host.getNetworkMode()).isEqualTo("none");

        assertThat(container.getMounts()).hasSize(3).allSatisfy(mount -> assertThat(mount.getRW()).isFalse());
        Map<String, String> sources = new java.util.TreeMap<>();
        container.getMounts().forEach(mount -> sources.put(mount.getDestination().getPath(), mount.getSource()));
        assertThat(sources).isEqualTo(Map.of(
                "/function", code.toString(),
                "/glambdar/runtime", base.resolve("runtime").toString(),
                "/glambdar/socket", sandbox.socketDir().toString()));
        sandbox.destroy();
    }

    @Test
    void theWorkerConnectsRunsTheFunctionAndDestroyRemovesEverything() throws Exception {
        Sandbox sandbox = sandboxes.launch(spec("hello", Map.of("GREETING", "hi")));
        Path socketDir = sandbox.socketDir();
        assertThat(socketDir.resolve("w.sock")).exists();

        WorkerConnection connection = threads.submit(sandbox::connect).get(GUARD_SECONDS, TimeUnit.SECONDS);
        WorkerHello hello = threads.submit(connection::readHello).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(hello.ready()).as(hello.toString()).isTrue();
        assertThat(hello.nodeVersion()).startsWith("v");

        WorkerReply reply = threads.submit(() -> connection.invoke(new InvocationPayload("inv-1", "POST",
                "/invoke/hello", "", Map.of(), new byte[0]))).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(reply).isInstanceOfSatisfying(WorkerReply.Success.class, ok -> {
            JsonNode body = json(ok.body());
            assertThat(body.get("uid").asInt()).isEqualTo(1000);
            assertThat(body.get("gid").asInt()).isEqualTo(1000);
            assertThat(body.get("greeting").asText()).isEqualTo("hi");
        });

        String id = sandbox.containerId();
        sandbox.destroy();

        assertThat(sandbox.isDestroyed()).isTrue();
        Eventually.holds("container " + id + " removed", REMOVAL, () -> !exists(id));
        Eventually.holds("socket folder " + socketDir + " removed", REMOVAL, () -> !Files.exists(socketDir));
        Eventually.holds("nothing live", REMOVAL, () -> sandboxes.liveCount() == 0);
        assertThat(containersOf(owner)).isEmpty();
    }

    @Test
    void interruptMakesABlockedConnectFailPromptlyButKeepsTheContainerUntilDestroyed() throws Exception {
        Sandbox sandbox = sandboxes.launch(spec("stuck", Map.of("NODE_OPTIONS", "--require /function/block.js")));
        Future<WorkerConnection> connecting = threads.submit(sandbox::connect);

        sandbox.interrupt();

        assertThatThrownBy(() -> connecting.get(GUARD_SECONDS, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(IOException.class);
        assertThat(sandbox.socketDir().resolve("w.sock")).doesNotExist();
        assertThat(exists(sandbox.containerId())).isTrue();

        String id = sandbox.containerId();
        sandbox.destroy();
        Eventually.holds("container " + id + " removed", REMOVAL, () -> !exists(id));
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
        sandboxes.close();
        sandboxes = sandboxes(null);
        Sandbox connected = sandboxes.launch(spec("one", Map.of()));
        Sandbox waiting = sandboxes.launch(spec("two", Map.of()));
        WorkerConnection connection = threads.submit(connected::connect).get(GUARD_SECONDS, TimeUnit.SECONDS);
        assertThat(threads.submit(connection::readHello).get(GUARD_SECONDS, TimeUnit.SECONDS).ready()).isTrue();
        assertThat(client.inspectContainerCmd(waiting.containerId()).exec().getHostConfig().getNetworkMode())
                .isNotEqualTo("none");
        assertThat(containersOf(owner)).hasSize(2);

        sandboxes.close();

        assertThat(connected.isDestroyed()).isTrue();
        assertThat(waiting.isDestroyed()).isTrue();
        assertThat(exists(connected.containerId())).isFalse();
        assertThat(exists(waiting.containerId())).isFalse();
        assertThat(connected.socketDir()).doesNotExist();
        assertThat(waiting.socketDir()).doesNotExist();
        assertThat(sandboxes.liveCount()).isZero();
        assertThatThrownBy(() -> sandboxes.launch(spec("late", Map.of())))
                .isInstanceOf(SandboxException.class)
                .hasMessageContaining("shutting down");
        assertThat(containersOf(owner)).isEmpty();
    }

    // ---------------------------------------------------------------- helpers

    /** A container with our labels that this Sandboxes did not make (as if left by an earlier run). */
    private static String createForeignContainer(String ownerLabel) {
        return client.createContainerCmd(image)
                .withEntrypoint("node").withCmd("-e", "setTimeout(() => {}, 600000)")
                .withLabels(Map.of(Sandboxes.LABEL_MANAGED, "true", Sandboxes.LABEL_OWNER, ownerLabel))
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
                .withLabelFilter(Map.of(Sandboxes.LABEL_OWNER, ownerLabel)).exec();
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return new ObjectMapper().readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + new String(bytes, java.nio.charset.StandardCharsets.UTF_8), e);
        }
    }
}
