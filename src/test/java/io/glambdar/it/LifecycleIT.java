package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.dockerjava.api.DockerClient;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Restarts, crashes and signals: metadata survives, nothing is leaked. */
@ExtendWith(DockerRequired.class)
class LifecycleIT {

    @Test
    void restartKeepsFunctionsAndMetadata() throws IOException {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            JsonNode before;
            JsonNode talkerLogs;
            try (Harness first = Harness.startIn(dir, c -> c)) {
                first.deployOk("kept", Zips.of(Zips.HELLO));
                for (int i = 0; i < 3; i++) {
                    assertThat(first.invoke("kept", "{\"name\":\"a\"}").status()).isEqualTo(200);
                }
                first.deployOk("talker", Zips.of(
                        "exports.handler = async (req) => { console.log('said ' + req.body); return {body: 'ok'}; };"));
                assertThat(first.invoke("talker", "hi there").status()).isEqualTo(200);
                before = first.get("/info/kept").json();
                talkerLogs = first.get("/logs/talker").json().get("invocations");
                first.server.close();
            }
            try (Harness second = Harness.startIn(dir, c -> c)) {
                assertThat(Files.isSymbolicLink(dir.resolve("functions/kept"))).isTrue();
                assertThat(Files.readString(dir.resolve("functions/kept/index.js"))).isEqualTo(Zips.HELLO);
                JsonNode after = second.get("/info/kept").json();
                assertThat(after.get("invokeCount").asLong()).isEqualTo(3);
                assertThat(after.get("createdAt").asText()).isEqualTo(before.get("createdAt").asText());
                assertThat(after.get("lastInvokedAt").asText()).isEqualTo(before.get("lastInvokedAt").asText());
                assertThat(second.invoke("kept", "{\"name\":\"again\"}").body())
                        .isEqualTo("{\"message\":\"Hello again!\"}");
                assertThat(second.get("/info/kept").json().get("invokeCount").asLong()).isEqualTo(4);
                // What each invocation printed is still there to read back, by id too.
                assertThat(talkerLogs).hasSize(1);
                assertThat(talkerLogs.get(0).get("logs").asText()).contains("said hi there");
                assertThat(second.get("/logs/talker").json().get("invocations")).isEqualTo(talkerLogs);
                String id = talkerLogs.get(0).get("invocationId").asText();
                assertThat(second.get("/logs/talker/" + id).json()).isEqualTo(talkerLogs.get(0));
                assertThat(second.get("/logs/kept").json().get("invocations")).hasSize(4);
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    /**
     * Review defect d: Docker create had no time limit, so a wedged daemon hung invocations that held capacity. Now
     * the invocation gets a clear 503 within its timeout, and once the daemon answers again nothing is left behind.
     */
    @Test
    void aWedgedDockerDaemonGivesA503WithinTheTimeoutAndNothingIsLeftOnceItAnswers() throws IOException {
        Path socket = Files.createTempFile(Path.of("/tmp"), "glproxy-", ".sock");
        try (StallingDockerProxy docker = new StallingDockerProxy(socket);
             Harness glambdar = Harness.start(c -> c.withDockerHost(docker.dockerHost())
                     .withEngine(c.engine().withIdleTimeouts(Duration.ofSeconds(2), Duration.ofSeconds(2))))) {
            docker.stallCreates();
            glambdar.deployOk("patient", Zips.of(Map.of("index.js", Zips.HELLO, "glambdar.json",
                    "{\"timeout\": 3}")));
            long start = System.nanoTime();
            ApiClient.Response stuck = glambdar.invoke("patient", "{\"name\":\"x\"}");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(stuck.status()).as(stuck.body()).isEqualTo(503);
            assertThat(stuck.json().get("code").asText()).isEqualTo("start_timeout");
            assertThat(stuck.json().get("error").asText()).contains("Docker");
            assertThat(took).as("within the 3 s timeout, give or take").isLessThan(Duration.ofSeconds(3 + 5));
            assertThat(docker.heldCreates()).isPositive();

            docker.resume();
            assertThat(glambdar.invoke("patient", "{\"name\":\"again\"}").body())
                    .isEqualTo("{\"message\":\"Hello again!\"}");
            Eventually.holds("every container is accounted for, then idles away", Duration.ofSeconds(60), () ->
                    glambdar.containers().isEmpty()
                            && glambdar.get("/health").json().get("load").get("containers").asInt() == 0);
        } finally {
            Files.deleteIfExists(socket);
        }
    }

    @Test
    void startRemovesContainersAndSocketsLeftByAnEarlierRun() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        String image;
        try (Harness probe = Harness.startIn(dir, c -> c)) {
            image = probe.server.image();
            probe.server.close();
        }
        String owner = dir.toAbsolutePath().normalize().toString();
        Path staleSocketDir = dir.resolve("sockets/deadbeef0000");
        Files.createDirectories(staleSocketDir);
        Files.writeString(staleSocketDir.resolve("w.sock"), "stale");
        try (DockerConnection docker = DockerConnection.open()) {
            DockerClient client = docker.client();
            String id = client.createContainerCmd(image)
                    .withEntrypoint("node").withCmd("-e", "setTimeout(() => {}, 600000)")
                    .withLabels(Map.of(DockerSandboxBackend.LABEL_MANAGED, "true", DockerSandboxBackend.LABEL_OWNER, owner))
                    .exec().getId();
            client.startContainerCmd(id).exec();
            assertThat(Harness.containersOf(dir)).hasSize(1);
            try (Harness restarted = Harness.startIn(dir, c -> c)) {
                assertThat(restarted.containers()).isEmpty();
                assertThat(staleSocketDir).doesNotExist();
            }
        }
    }

    @Test
    void sigtermFinishesRunningInvocationsAnswersThoseCutAtTheGraceRemovesEverythingAndExitsZero() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        int port = FreePort.pick();
        Duration grace = Duration.ofSeconds(5);
        Path log = dir.resolveSibling(dir.getFileName() + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(java.toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"),
                "io.glambdar.app.Main", "serve", "--dir", dir.toString(), "--port", Integer.toString(port),
                "--shutdown-grace", Long.toString(grace.toSeconds()))
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        ApiClient client = new ApiClient("http://127.0.0.1:" + port);
        try {
            Eventually.holds("the server answers /health", Duration.ofSeconds(90), () -> {
                try {
                    return client.get("/health").status() == 200;
                } catch (UncheckedIOException e) {
                    return false; // not listening yet
                }
            });
            assertThat(client.deploy("slow.zip", Zips.of("""
                    exports.handler = async () => { await new Promise(r => setTimeout(r, 3000)); return { body: 'done' }; };
                    """)).status()).isEqualTo(201);
            assertThat(client.deploy("stuck.zip", Zips.of("""
                    exports.handler = async () => { await new Promise(r => setTimeout(r, 25000)); return { body: 'late' }; };
                    """)).status()).isEqualTo(201);
            assertThat(client.deploy("idle.zip", Zips.of(Zips.HELLO)).status()).isEqualTo(201);
            // each deploy warms a container: slow's and stuck's will serve the invocations, the idle one's just waits
            Eventually.holds("the functions have a warm container each", Duration.ofSeconds(30),
                    () -> Harness.containersOf(dir).size() >= 3);
            CompletableFuture<ApiClient.Response> running = CompletableFuture.supplyAsync(() -> client.invoke("slow", ""));
            CompletableFuture<ApiClient.Response> pastTheGrace =
                    CompletableFuture.supplyAsync(() -> client.invoke("stuck", ""));
            Eventually.holds("the invocations are running", Duration.ofSeconds(30),
                    () -> client.get("/health").json().get("load").get("running").asInt() == 2);

            long stopping = System.nanoTime();
            server.destroy(); // SIGTERM
            assertThat(server.waitFor(60, TimeUnit.SECONDS)).as("server exits").isTrue();
            Duration stopped = Duration.ofNanos(System.nanoTime() - stopping);
            assertThat(server.exitValue()).isZero();
            ApiClient.Response finished = running.join();
            assertThat(finished.status()).isEqualTo(200);
            assertThat(finished.body()).isEqualTo("\"done\"");
            // The one still running when the grace ended was ended, and its caller told so, before the server left.
            ApiClient.Response cut = pastTheGrace.join();
            assertThat(cut.status()).isEqualTo(503);
            assertThat(cut.json().get("code").asText()).isEqualTo("shutting_down");
            assertThat(cut.json().get("invocationId").asText()).isEqualTo(cut.header("X-Glambdar-Invocation-Id"))
                    .isNotBlank();
            // A guard, not a measurement: the grace, a few seconds of answering and removing, nowhere near 25 s.
            assertThat(stopped).isLessThan(grace.plusSeconds(15));
            assertThat(Files.readAllLines(log)).noneMatch(line -> line.contains(" ERROR ") || line.startsWith("\tat "));
            assertThat(Harness.containersOf(dir)).isEmpty();
            try (Stream<Path> sockets = Files.list(dir.resolve("sockets"))) {
                assertThat(sockets).isEmpty();
            }
        } finally {
            client.close();
            server.destroyForcibly();
            FileTrees.delete(dir);
            Files.deleteIfExists(log);
        }
    }
}
