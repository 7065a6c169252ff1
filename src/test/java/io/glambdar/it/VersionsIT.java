package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.glambdar.util.FileTrees;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Versions end to end: update, list, invoke one, roll back, prune, delete and restart, against real Docker. */
@ExtendWith(DockerRequired.class)
class VersionsIT {

    private static Harness glambdar;

    @BeforeAll
    static void start() {
        glambdar = Harness.start();
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    /** A version that says which code it is and which environment it got (set by its own glambdar.json). */
    static byte[] version(String label, String... extraSettings) {
        String settings = "{\"env\": {\"LABEL\": \"" + label + "\"}" + String.join("", extraSettings) + "}";
        return Zips.of(Map.of("index.js", """
                exports.handler = async (req) => {
                  if (req.body === 'slow') { await new Promise(r => setTimeout(r, 1500)); }
                  return { body: { code: '%s', env: process.env.LABEL } };
                };
                """.formatted(label), "glambdar.json", settings));
    }

    @Test
    void everyUpdateIsANewVersionAndRollbackSwitchesBetweenThem() throws Exception {
        byte[] v1 = version("one");
        ApiClient.Response first = glambdar.update("vf", v1);
        assertThat(first.status()).isEqualTo(201);
        assertThat(first.json().get("version").asInt()).isEqualTo(1);
        assertThat(first.json().get("status").asText()).isEqualTo("deployed");
        assertThat(glambdar.deploy("vf.zip", v1).status()).as("POST /deploy of an existing name").isEqualTo(409);
        byte[] v2 = version("two");
        assertThat(glambdar.update("vf", v2).json().get("version").asInt()).isEqualTo(2);

        ApiClient.Response active = glambdar.invoke("vf", "");
        assertThat(active.json().get("code").asText()).isEqualTo("two");
        assertThat(active.json().get("env").asText()).isEqualTo("two");
        assertThat(active.header("X-Glambdar-Version")).isEqualTo("2");
        ApiClient.Response old = glambdar.invoke("vf@1", "");
        assertThat(old.status()).isEqualTo(200);
        assertThat(old.json().get("code").asText()).isEqualTo("one");
        assertThat(old.json().get("env").asText()).as("version 1 runs with version 1's environment").isEqualTo("one");
        assertThat(old.header("X-Glambdar-Version")).isEqualTo("1");

        JsonNode versions = glambdar.get("/versions/vf").json();
        assertThat(versions.get("function").asText()).isEqualTo("vf");
        assertThat(versions.get("active").asInt()).isEqualTo(2);
        assertThat(versions.get("versions")).hasSize(2);
        JsonNode newest = versions.get("versions").get(0);
        assertThat(newest.get("version").asInt()).isEqualTo(2);
        assertThat(newest.get("sha256").asText()).isEqualTo(Zips.sha256(v2));
        assertThat(newest.get("fileCount").asInt()).isEqualTo(2);
        assertThat(newest.get("codeSizeBytes").asLong()).isPositive();
        assertThat(newest.get("deployedAt").asText()).endsWith("Z");
        assertThat(newest.get("settings").get("env").get(0).asText()).isEqualTo("LABEL");
        assertThat(versions.get("versions").get(1).get("version").asInt()).isEqualTo(1);

        JsonNode info = glambdar.get("/info/vf").json();
        assertThat(info.get("version").asInt()).isEqualTo(2);
        assertThat(info.get("invokeCount").asLong()).as("counts every version").isEqualTo(2);
        assertThat(Files.readString(glambdar.dir.resolve("functions/vf/index.js"))).contains("'two'");

        ApiClient.Response back = glambdar.post("/rollback/vf", "");
        assertThat(back.status()).isEqualTo(200);
        assertThat(back.json().get("function").asText()).isEqualTo("vf");
        assertThat(back.json().get("active").asInt()).isEqualTo(1);
        assertThat(glambdar.invoke("vf", "").json().get("code").asText()).isEqualTo("one");
        assertThat(Files.readString(glambdar.dir.resolve("functions/vf/index.js"))).contains("'one'");
        assertThat(glambdar.post("/rollback/vf", "").status()).as("nothing below version 1").isEqualTo(404);

        assertThat(glambdar.post("/rollback/vf", "{\"version\": 2}").json().get("active").asInt()).isEqualTo(2);
        assertThat(glambdar.invoke("vf", "").header("X-Glambdar-Version")).isEqualTo("2");
        ApiClient.Response unknown = glambdar.post("/rollback/vf", "{\"version\": 7}");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.json().get("error").asText()).contains("7");
        assertThat(glambdar.post("/rollback/vf", "{\"version\": \"x\"}").status()).isEqualTo(400);
        assertThat(glambdar.post("/rollback/vf", "{not json").status()).isEqualTo(400);
        assertThat(glambdar.post("/rollback/nope", "").status()).isEqualTo(404);
        assertThat(glambdar.get("/versions/nope").status()).isEqualTo(404);
    }

    @Test
    void badVersionReferencesAreClearErrors() {
        assertThat(glambdar.update("refs", version("one")).status()).isEqualTo(201);
        for (String bad : List.of("refs@0", "refs@-1", "refs@abc", "refs@", "refs@1@2", "refs@1.5")) {
            ApiClient.Response response = glambdar.invoke(bad, "");
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().get("error").asText()).as(bad).isNotBlank();
        }
        ApiClient.Response missing = glambdar.invoke("refs@999", "");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.json().get("error").asText()).contains("999");
        assertThat(glambdar.invoke("refs@1", "").status()).isEqualTo(200);
        assertThat(glambdar.invoke("nope@1", "").status()).isEqualTo(404);
    }

    @Test
    void updatesOfBadNamesOrBadZipsChangeNothing() throws IOException {
        for (String bad : List.of("..", "%2e%2e", "a.b", "-x", "x%20y")) {
            ApiClient.Response response = glambdar.update(bad, version("bad"));
            assertThat(response.status()).as(bad).isEqualTo(400);
            assertThat(response.json().get("error").asText()).as(bad).isNotBlank();
        }
        assertThat(glambdar.update("keep", version("one")).status()).isEqualTo(201);
        ApiClient.Response broken = glambdar.update("keep", Zips.of(Map.of("other.js", "")));
        assertThat(broken.status()).isEqualTo(400);
        ApiClient.Response badSettings = glambdar.update("keep", Zips.of(Map.of("index.js", "",
                "glambdar.json", "{\"timeout\": \"soon\"}")));
        assertThat(badSettings.status()).isEqualTo(400);
        assertThat(badSettings.json().get("error").asText()).contains("timeout");
        JsonNode versions = glambdar.get("/versions/keep").json();
        assertThat(versions.get("active").asInt()).isEqualTo(1);
        assertThat(versions.get("versions")).hasSize(1);
        try (Stream<Path> kept = Files.list(glambdar.dir.resolve("deployments/keep"))) {
            assertThat(kept.count()).isEqualTo(1);
        }
        try (Stream<Path> staging = Files.list(glambdar.dir.resolve("staging"))) {
            assertThat(staging.toList()).isEmpty();
        }
    }

    @Test
    void concurrentUpdatesOfOneNameEachGetTheirOwnVersion() throws Exception {
        int updates = 4;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<ApiClient.Response>> responses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < updates; i++) {
                byte[] zip = version("c" + i);
                responses.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    return glambdar.update("race", zip);
                }, pool));
            }
            go.countDown();
        }
        Set<Integer> versions = new TreeSet<>();
        for (CompletableFuture<ApiClient.Response> response : responses) {
            assertThat(response.join().status()).isEqualTo(201);
            versions.add(response.join().json().get("version").asInt());
        }
        assertThat(versions).containsExactly(1, 2, 3, 4);
        JsonNode listed = glambdar.get("/versions/race").json();
        assertThat(listed.get("active").asInt()).isEqualTo(4);
        assertThat(listed.get("versions")).hasSize(4);
    }

    /** Each answer is wholly old (old code, old env) or wholly new: never one version's code with the other's env. */
    @Test
    void anUpdateRacingTwentyInFlightInvocationsMixesNothing() throws Exception {
        assertThat(glambdar.update("mix", version("old")).status()).isEqualTo(201);
        List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < 20; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("mix", "slow"), pool));
            }
            assertThat(glambdar.update("mix", version("new")).status()).isEqualTo(201);
            for (int i = 0; i < 5; i++) {
                calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke("mix", ""), pool));
            }
        }
        int newAnswers = 0;
        for (CompletableFuture<ApiClient.Response> call : calls) {
            ApiClient.Response response = call.join();
            assertThat(response.status()).as(response.body()).isEqualTo(200);
            String code = response.json().get("code").asText();
            assertThat(response.json().get("env").asText()).isEqualTo(code);
            assertThat(response.header("X-Glambdar-Version")).isEqualTo(code.equals("old") ? "1" : "2");
            newAnswers += code.equals("new") ? 1 : 0;
        }
        assertThat(newAnswers).as("the calls sent after the update").isGreaterThanOrEqualTo(5);
    }

    @Test
    void deleteRemovesEveryVersionAndTheNameStartsAgainAtOne() {
        glambdar.update("gone", version("one"));
        glambdar.update("gone", version("two"));
        assertThat(glambdar.delete("/del/gone").status()).isEqualTo(204);
        assertThat(glambdar.get("/versions/gone").status()).isEqualTo(404);
        assertThat(glambdar.invoke("gone@1", "").status()).isEqualTo(404);
        Eventually.holds("every version's code deleted", Duration.ofSeconds(30),
                () -> !Files.exists(glambdar.dir.resolve("deployments/gone")));
        ApiClient.Response again = glambdar.deploy("gone.zip", version("three"));
        assertThat(again.status()).isEqualTo(201);
        assertThat(again.json().get("version").asInt()).isEqualTo(1);
        assertThat(glambdar.get("/versions/gone").json().get("versions")).hasSize(1);
    }

    @Test
    void onlyTheNewestVersionsAreKeptAndTheyOutliveARestart() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("/tmp"), "glit-");
        try {
            try (Harness two = Harness.startIn(dir, config -> config.withKeepVersions(2))) {
                for (String label : List.of("a", "b", "c")) {
                    assertThat(two.update("pruned", version(label)).status()).isEqualTo(201);
                }
                JsonNode versions = two.get("/versions/pruned").json();
                assertThat(versions.get("versions").findValuesAsText("version")).containsExactly("3", "2");
                ApiClient.Response pruned = two.post("/rollback/pruned", "{\"version\": 1}");
                assertThat(pruned.status()).isEqualTo(404);
                assertThat(two.invoke("pruned@1", "").status()).isEqualTo(404);
                Eventually.holds("the pruned version's code deleted", Duration.ofSeconds(30),
                        () -> count(dir.resolve("deployments/pruned")) == 2);
                assertThat(two.post("/rollback/pruned", "{\"version\": 2}").status()).isEqualTo(200);
                assertThat(two.update("pruned", version("d")).json().get("version").asInt()).isEqualTo(4);
                assertThat(two.get("/versions/pruned").json().get("versions").findValuesAsText("version"))
                        .containsExactly("4", "3");
                assertThat(two.post("/rollback/pruned", "").json().get("active").asInt()).isEqualTo(3);
                assertThat(two.invoke("pruned", "").json().get("code").asText()).isEqualTo("c");
            }
            try (Harness again = Harness.startIn(dir, config -> config.withKeepVersions(2))) {
                JsonNode versions = again.get("/versions/pruned").json();
                assertThat(versions.get("active").asInt()).isEqualTo(3);
                assertThat(versions.get("versions").findValuesAsText("version")).containsExactly("4", "3");
                assertThat(again.invoke("pruned", "").json().get("code").asText()).isEqualTo("c");
                assertThat(again.invoke("pruned@4", "").json().get("env").asText()).isEqualTo("d");
                assertThat(again.update("pruned", version("e")).json().get("version").asInt()).isEqualTo(5);
            }
        } finally {
            FileTrees.delete(dir);
        }
    }

    private static long count(Path dir) {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
