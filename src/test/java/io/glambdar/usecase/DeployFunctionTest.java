package io.glambdar.usecase;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.Invoker;
import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.Deployment;
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
                null, null, 64, false));
        assertThat(invoker.warmed).singleElement().satisfies(fn -> {
            assertThat(fn.name()).isEqualTo("hello");
            assertThat(fn.deploymentId()).isEqualTo(info.deploymentId());
            assertThat(fn.codeDir()).isEqualTo(dir.resolve("deployments/hello/" + info.deploymentId()));
            assertThat(fn.settings().timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(fn.settings().env()).isEqualTo(Map.of("A", "1", "B", "2"));
        });
    }

    /** Found by VersionsIT's concurrent updates: the answer named the version active when it was written. */
    @Test
    void anUpdateAnswersWithTheVersionItMadeEvenWhenAnotherIsActiveByThen() {
        store = new TestStore(dir);
        DeployFunction[] deploy = new DeployFunction[1];
        boolean[] raced = {false};
        Invoker racing = new DelegatingInvoker(invoker) {
            @Override
            public ContainerCounts containers(String functionName) {
                if (!raced[0]) { // between storing version 2 and answering: another update makes version 3
                    raced[0] = true;
                    deploy[0].update("f", store.upload(Zips.of("// v3")));
                }
                return super.containers(functionName);
            }
        };
        deploy[0] = new DeployFunction(store.catalog, racing, GRACE);
        store.update("f", "// v1");

        FunctionInfo second = deploy[0].update("f", store.upload(Zips.of("// v2")));

        assertThat(second.version()).isEqualTo(2);
        assertThat(second.deploymentId()).isEqualTo(store.catalog.find("f").version(2).orElseThrow().deploymentId());
        assertThat(store.catalog.find("f").active().version()).isEqualTo(3);
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

        assertThat(new FunctionQueries(store.catalog, invoker, store.jobs).get("hello"))
                .usingRecursiveComparison().ignoringFields("asyncQueued", "asyncFailed") // a deploy does not count jobs
                .isEqualTo(info);
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

    @Test
    void anUpdateWarmsTheNewVersionFromItsOwnFolder() {
        store = new TestStore(dir);
        DeployFunction deployFunction = new DeployFunction(store.catalog, invoker, GRACE);
        FunctionInfo first = deployFunction.deploy("f.zip", store.upload(Zips.of("// v1")));
        store.clock.advance(Duration.ofMinutes(1));

        FunctionInfo second = deployFunction.update("f", store.upload(Zips.of(Map.of("index.js", "// v2",
                "glambdar.json", "{\"timeout\": 7}"))));

        Deployment v2 = store.catalog.find("f").active();
        assertThat(v2.version()).isEqualTo(2);
        assertThat(second.name()).isEqualTo("f");
        assertThat(second.version()).isEqualTo(2);
        assertThat(second.deploymentId()).isEqualTo(v2.deploymentId()).isNotEqualTo(first.deploymentId());
        assertThat(second.createdAt()).isEqualTo(T0); // the function's, not the version's
        assertThat(second.settings().timeout()).isEqualTo(7.0);
        assertThat(invoker.warmed).extracting(DeployedFunction::deploymentId)
                .containsExactly(first.deploymentId(), v2.deploymentId());
        assertThat(invoker.warmed.getLast()).isEqualTo(new DeployedFunction("f", v2.deploymentId(),
                dir.resolve("deployments/f/" + v2.deploymentId()), v2.settings()));
        assertThat(invoker.retired).isEmpty(); // nothing pruned: the old version stays, and is not retired
    }

    @Test
    void anUpdateOfANewNameDeploysItsVersionOne() {
        store = new TestStore(dir);

        FunctionInfo info = new DeployFunction(store.catalog, invoker, GRACE)
                .update("fresh", store.upload(Zips.of("//")));

        assertThat(info.version()).isEqualTo(1);
        assertThat(invoker.warmed).singleElement().extracting(DeployedFunction::deploymentId)
                .isEqualTo(info.deploymentId());
        assertThat(invoker.retired).isEmpty();
    }

    @Test
    void prunedVersionsAreRetiredAndTheirCodeDeletedOnceTheEngineHasRetiredThem() {
        store = new TestStore(dir, 2);
        InlineRetirements engine = new InlineRetirements(invoker);
        DeployFunction deployFunction = new DeployFunction(store.catalog, engine, GRACE);
        deployFunction.update("f", store.upload(Zips.of("// v1")));
        Deployment v1 = store.catalog.find("f").active();
        deployFunction.update("f", store.upload(Zips.of("// v2")));
        assertThat(invoker.retired).isEmpty();

        deployFunction.update("f", store.upload(Zips.of("// v3")));

        assertThat(store.catalog.find("f").versions().kept().keySet()).containsExactly(2, 3);
        assertThat(invoker.retired).containsExactly(new DeployedFunction("f", v1.deploymentId(), v1.codeDir(),
                v1.settings()));
        // Invocations still running on version 1 read its code until the engine says none does.
        assertThat(store.deployment(v1).resolve("index.js")).hasContent("// v1");

        engine.complete(v1.deploymentId());

        assertThat(store.deployment(v1)).doesNotExist();
        assertThat(names(dir.resolve("deployments/f"))).hasSize(2);
        assertThat(dir.resolve("functions/f/index.js")).hasContent("// v3");
    }

    @Test
    void anUpdateWhoseZipIsRefusedWarmsAndRetiresNothing() {
        store = new TestStore(dir, 1);
        DeployFunction deployFunction = new DeployFunction(store.catalog, invoker, GRACE);
        deployFunction.update("f", store.upload(Zips.of("// v1")));

        assertThatThrownBy(() -> deployFunction.update("f", store.upload(Zips.of(Map.of("main.js", "//")))))
                .isInstanceOf(DeployRejectedException.class);

        assertThat(invoker.warmed).hasSize(1);
        assertThat(invoker.retired).isEmpty();
        assertThat(store.catalog.find("f").active().version()).isEqualTo(1);
    }
}
