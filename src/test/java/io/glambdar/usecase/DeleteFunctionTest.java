package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.Invoker;
import io.glambdar.it.Zips;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.glambdar.engine.FakeInvoker.ok;
import static io.glambdar.store.TestStore.names;
import static io.glambdar.store.TestStore.tree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeleteFunctionTest {

    private static final InvocationRequest REQUEST = new InvocationRequest("POST", "/invoke/f", "", Map.of(),
            new byte[0]);

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;
    private DeleteFunction deleteFunction;
    private InvokeFunction invokeFunction;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        deleteFunction = new DeleteFunction(store.catalog, invoker, keys(), store.jobs, store.clock, Duration.ofSeconds(30));
        invokeFunction = new InvokeFunction(store.catalog, invoker, store.clock);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private InvokeKeys keys() {
        return new InvokeKeys(store.catalog, store.keyIndex, store.clock, new SecureRandom());
    }

    @Test
    void theFunctionIsGoneAtOnceAndItsCodeOnceTheEngineHasRetiredIt() throws Exception {
        StoredFunction f = store.deploy("f", "// v1");
        Path code = store.deployment(f);

        CompletableFuture<Void> deleted = deleteFunction.delete("f");

        assertThat(invoker.retired).containsExactly(new DeployedFunction("f", f.active().deploymentId(), code,
                f.active().settings()));
        assertThatThrownBy(() -> invokeFunction.invoke("f", REQUEST)).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> invokeFunction.invoke("f@1", REQUEST)).isInstanceOf(FunctionNotFoundException.class);
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(store.repository.find("f")).isEmpty();
        assertThat(deleted).isNotDone();
        assertThat(tree(code)).isEqualTo(Map.of("index.js", "// v1"));

        invoker.retirements.get(f.active().deploymentId()).complete(null);

        deleted.get(30, TimeUnit.SECONDS);
        assertThat(code).doesNotExist();
        assertThat(names(dir.resolve("deployments"))).isEmpty();
    }

    @Test
    void aRedeployRightAfterADeleteRunsItsOwnCodeWhileTheOldInvocationsFinish() throws Exception {
        StoredFunction old = store.deploy("f", "// v1");
        HeldInvocation<InvocationResult> running = HeldInvocation.start(invoker, ok("old", "{}"),
                () -> invokeFunction.invoke("f", REQUEST).result());

        CompletableFuture<Void> deleted = deleteFunction.delete("f");
        new DeployFunction(store.catalog, invoker, Duration.ofSeconds(30))
                .deploy("f.zip", store.upload(Zips.of("// v2")));
        StoredFunction fresh = store.catalog.find("f");
        invoker.answer((fn, request) -> ok("new", "{}"));
        assertThat(invokeFunction.invoke("f", REQUEST).result().invocationId()).isEqualTo("new");

        assertThat(invoker.invocations).extracting(call -> call.fn().codeDir())
                .containsExactly(store.deployment(old), store.deployment(fresh));
        assertThat(tree(store.deployment(old))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v2"));

        running.release();
        assertThat(running.result().invocationId()).isEqualTo("old");
        invoker.retirements.get(old.active().deploymentId()).complete(null);
        deleted.get(30, TimeUnit.SECONDS);
        assertThat(names(dir.resolve("deployments/f"))).containsExactly(fresh.active().deploymentId());
    }

    @Test
    void theCodeIsDeletedAfterABoundedWaitWhenTheEngineNeverSaysItIsDone() throws Exception {
        // A 1 ms timeout and no grace: the fallback comes at once, and the engine's retirement never completes.
        store.catalog.deploy("f.zip", store.upload(Zips.of(Map.of("index.js", "//", "glambdar.json",
                "{\"timeout\": 0.001}"))));
        DeleteFunction impatient = new DeleteFunction(store.catalog, invoker, keys(), store.jobs, store.clock, Duration.ZERO);

        impatient.delete("f").get(30, TimeUnit.SECONDS);

        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(invoker.retirements.values()).singleElement().satisfies(f -> assertThat(f).isNotDone());
    }

    @Test
    void theCodeIsDeletedAfterTheBoundedWaitWhenRetiringFails() throws Exception {
        store.catalog.deploy("f.zip", store.upload(Zips.of(Map.of("index.js", "//", "glambdar.json",
                "{\"timeout\": 0.001}"))));
        Invoker broken = new DelegatingInvoker(invoker) {
            @Override
            public CompletableFuture<Void> retire(DeployedFunction fn) {
                throw new IllegalStateException("engine bug");
            }
        };

        new DeleteFunction(store.catalog, broken, keys(), store.jobs, store.clock, Duration.ZERO).delete("f").get(30, TimeUnit.SECONDS);

        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(store.catalog.all()).isEmpty();
    }

    @Test
    void deleteOfAnUnknownFunctionIsNotFoundAndRetiresNothing() {
        assertThatThrownBy(() -> deleteFunction.delete("ghost"))
                .isInstanceOf(FunctionNotFoundException.class)
                .hasMessageContaining("'ghost' not found");
        assertThat(invoker.retired).isEmpty();
        assertThat(List.copyOf(invoker.retirements.keySet())).isEmpty();
    }

    @Test
    void everyVersionIsRetiredAndEachFolderDeletedOnceTheEngineHasRetiredIt() throws Exception {
        InlineRetirements engine = new InlineRetirements(invoker);
        DeleteFunction delete = new DeleteFunction(store.catalog, engine, keys(), store.jobs, store.clock, Duration.ofSeconds(30));
        store.update("f", "// v1");
        store.update("f", "// v2");
        store.update("f", "// v3");
        StoredFunction f = store.catalog.rollback("f", 2).function();
        List<Deployment> versions = f.versions().newestFirst(); // 3, 2 (active), 1

        CompletableFuture<Void> deleted = delete.delete("f");

        assertThat(invoker.retired).containsExactlyInAnyOrderElementsOf(versions.stream()
                .map(v -> new DeployedFunction("f", v.deploymentId(), v.codeDir(), v.settings())).toList());
        assertThatThrownBy(() -> store.catalog.find("f")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(store.repository.findVersions("f")).isEmpty();
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(names(dir.resolve("deployments/f"))).hasSize(3); // invocations still running read them

        // Each version's code goes once the engine has retired that version, and not before.
        engine.complete(versions.get(0).deploymentId());
        assertThat(store.deployment(versions.get(0))).doesNotExist();
        assertThat(tree(store.deployment(versions.get(1)))).isEqualTo(Map.of("index.js", "// v2"));
        assertThat(tree(store.deployment(versions.get(2)))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(deleted).isNotDone();

        engine.complete(versions.get(2).deploymentId());
        assertThat(store.deployment(versions.get(2))).doesNotExist();
        assertThat(tree(store.deployment(versions.get(1)))).isEqualTo(Map.of("index.js", "// v2"));
        assertThat(deleted).isNotDone();

        engine.complete(versions.get(1).deploymentId());
        assertThat(deleted).isCompleted();
        assertThat(names(dir.resolve("deployments"))).isEmpty();
    }
}
