package io.glambdar.it;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 7's figure: an update switches versions with zero failed invocations under steady load, for a reuse-mode
 * function at 50 invocations/s and for a single-use function at a rate its warm pool sustains.
 */
@ExtendWith(DockerRequired.class)
class VersionSwitchIT {

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

    @Test
    void reuseModeSwitchesTwiceUnderFiftyInvocationsPerSecondWithoutAFailure() {
        String settings = ", \"reuse\": true";
        assertThat(glambdar.update("steady", VersionsIT.version("v1", settings)).status()).isEqualTo(201);
        Map<String, Integer> answers = underLoad("steady", 50, 9, List.of(
                new Update(3, VersionsIT.version("v2", settings)),
                new Update(6, VersionsIT.version("v3", settings))));
        assertThat(answers).containsOnlyKeys("v1", "v2", "v3");
    }

    @Test
    void singleUseSwitchesUnderARateItsWarmPoolSustainsWithoutAFailure() {
        assertThat(glambdar.update("single", VersionsIT.version("v1")).status()).isEqualTo(201);
        Map<String, Integer> answers = underLoad("single", 3, 12, List.of(
                new Update(4, VersionsIT.version("v2"))));
        assertThat(answers).containsOnlyKeys("v1", "v2");
    }

    private record Update(int atSecond, byte[] zip) {
    }

    /**
     * Invokes {@code name} at a steady {@code perSecond} for {@code seconds} (open loop: a slow answer never delays the
     * next call), sending each update at its second; every answer must be a 200 whose code and env agree.
     *
     * @return how many answers each version's code gave
     */
    private static Map<String, Integer> underLoad(String name, int perSecond, int seconds, List<Update> updates) {
        List<CompletableFuture<ApiClient.Response>> calls = new ArrayList<>();
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        long start = System.nanoTime();
        int total = perSecond * seconds;
        List<Update> pending = new ArrayList<>(updates);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < total; i++) {
                long due = start + i * periodNanos;
                LockSupport.parkNanos(due - System.nanoTime());
                if (!pending.isEmpty() && i >= pending.getFirst().atSecond() * perSecond) {
                    byte[] zip = pending.removeFirst().zip();
                    pool.submit(() -> assertThat(glambdar.update(name, zip).status()).isEqualTo(201));
                }
                calls.add(CompletableFuture.supplyAsync(() -> glambdar.invoke(name, ""), pool));
            }
        }
        Map<String, Integer> byCode = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        for (CompletableFuture<ApiClient.Response> call : calls) {
            ApiClient.Response response = call.join();
            if (response.status() != 200) {
                failures.add(response.status() + " " + response.body());
                continue;
            }
            String code = response.json().get("code").asText();
            assertThat(response.json().get("env").asText()).isEqualTo(code);
            byCode.merge(code, 1, Integer::sum);
        }
        assertThat(failures).as("failed invocations out of " + total).isEmpty();
        return byCode;
    }
}
