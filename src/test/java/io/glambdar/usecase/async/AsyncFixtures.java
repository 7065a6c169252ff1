package io.glambdar.usecase.async;

import io.glambdar.it.Zips;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import io.glambdar.store.jobs.Job;
import io.glambdar.store.jobs.JobRequest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** What the tests of the asynchronous use cases share: functions with an {@code "async"} policy, requests, waiting. */
final class AsyncFixtures {

    static final String CODE = "exports.handler = async () => ({statusCode: 200});";

    private AsyncFixtures() {
    }

    /** Deploys {@code name} with {@code "async": <asyncJson>} in its glambdar.json (null: none). */
    static StoredFunction deploy(TestStore store, String name, String asyncJson) {
        return store.catalog.deploy(name + ".zip", store.upload(zip(asyncJson))).function();
    }

    /** A new version of {@code name} with {@code "async": <asyncJson>} in its glambdar.json (null: none). */
    static FunctionCatalog.Update update(TestStore store, String name, String asyncJson) {
        return store.catalog.update(name, store.upload(zip(asyncJson)));
    }

    private static byte[] zip(String asyncJson) {
        return asyncJson == null ? Zips.of(CODE)
                : Zips.of(Map.of("index.js", CODE, "glambdar.json", "{\"async\": " + asyncJson + "}"));
    }

    static JobRequest request(String body) {
        return new JobRequest("POST", "/orders/7", "a=1&b=2",
                Map.of("content-type", List.of("application/json"), "x-many", List.of("1", "2")),
                body.getBytes(StandardCharsets.UTF_8));
    }

    static Job job(TestStore store, String id) {
        return store.jobs.find(id).orElseThrow(() -> new AssertionError("no job " + id));
    }

    /**
     * Waits until {@code condition} holds, looking every few milliseconds: for work another thread does. The bound
     * only keeps a broken test from hanging the build; it judges no timing.
     */
    static void until(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still not true after 30 s: " + what);
            }
            try {
                Thread.sleep(Duration.ofMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
