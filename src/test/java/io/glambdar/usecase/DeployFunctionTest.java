package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.Invoker;
import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.TestStore;
import io.glambdar.store.settings.SettingsLimits;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.store.TestStore.names;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeployFunctionTest {

    private static final Duration GRACE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theNewDeploymentIsWarmedFromItsOwnFolder() {
        store = new TestStore(dir);
        DeployFunction deployFunction = new DeployFunction(store.catalog, invoker, GRACE);

        FunctionInfo info = deployFunction.deploy("hello.zip", store.upload(Zips.of(Map.of("index.js", "//",
                "glambdar.json", "{\"timeout\": 5, \"env\": {\"B\": \"2\", \"A\": \"1\"}}"))));

        assertThat(info.name()).isEqualTo("hello");
        assertThat(info.version()).isEqualTo(1);
        assertThat(info.createdAt()).isEqualTo(T0);
        assertThat(info.lastInvokedAt()).isNull();
        assertThat(info.invokeCount()).isZero();
        assertThat(info.settings()).isEqualTo(new FunctionInfo.Settings(5.0, 128, 0.5, List.of("A", "B"),
                null, null));
        assertThat(invoker.warmed).singleElement().satisfies(fn -> {
            assertThat(fn.name()).isEqualTo("hello");
            assertThat(fn.deploymentId()).isEqualTo(info.deploymentId());
            assertThat(fn.codeDir()).isEqualTo(dir.resolve("deployments/hello/" + info.deploymentId()));
            assertThat(fn.settings().timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(fn.settings().env()).isEqualTo(Map.of("A", "1", "B", "2"));
        });
    }

    @Test
    void aDeployThatCannotBeWarmedIsDeployedAnyway() {
        store = new TestStore(dir);
        Invoker failingWarmUp = new DelegatingInvoker(invoker) {
            @Override
            public void warm(DeployedFunction fn) {
                throw new IllegalStateException("no capacity");
            }
        };

        FunctionInfo info = new DeployFunction(store.catalog, failingWarmUp, GRACE)
                .deploy("hello.zip", store.upload(Zips.of("//")));

        assertThat(new FunctionQueries(store.catalog, invoker).get("hello")).isEqualTo(info);
    }

    @Test
    void aFunctionAskingForMoreMemoryThanTheServerHasIsRefused() {
        store = new TestStore(dir, SettingsLimits.forMemoryBudget(1024), TestStore.LIMITS);
        DeployFunction deployFunction = new DeployFunction(store.catalog, invoker, GRACE);

        assertThatThrownBy(() -> deployFunction.deploy("big.zip", store.upload(Zips.of(Map.of("index.js", "//",
                "glambdar.json", "{\"memory\": 2048}")))))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST))
                .hasMessageContaining("\"memory\"")
                .hasMessageContaining("1024")
                .hasMessageContaining("GLAMBDAR_MAX_MEMORY_MB");

        assertThat(invoker.warmed).isEmpty();
        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(names(dir.resolve("staging"))).isEmpty();
        // Within the budget is fine.
        assertThat(deployFunction.deploy("fits.zip", store.upload(Zips.of(Map.of("index.js", "//",
                "glambdar.json", "{\"memory\": 1024}")))).settings().memory()).isEqualTo(1024);
    }
}
