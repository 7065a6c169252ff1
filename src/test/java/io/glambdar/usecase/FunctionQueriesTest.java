package io.glambdar.usecase;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import io.glambdar.store.invocations.InvocationRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.glambdar.store.TestStore.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionQueriesTest {

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;
    private FunctionQueries queries;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        queries = new FunctionQueries(store.catalog, invoker, store.jobs);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void infoShowsEveryFunctionByNameWithItsMetadata() {
        assertThat(queries.list()).isEmpty();
        store.deploy("beta", "// beta");
        invoker.containers.put("alpha", new ContainerCounts(1, 2, 3, 4));
        StoredFunction alpha = store.catalog.deploy("alpha.zip", store.upload(Zips.of(Map.of("index.js", "// a",
                "glambdar.json", "{\"memory\": 256, \"cpus\": 1, \"env\": {\"SECRET\": \"x\"}, \"reuse\": true}")))).function();

        assertThat(queries.list()).extracting(FunctionInfo::name).containsExactly("alpha", "beta");
        FunctionInfo info = queries.get("alpha");
        assertThat(queries.list().getFirst()).isEqualTo(info);
        assertThat(info).isEqualTo(new FunctionInfo("alpha", T0, null, 0, 0, null, null, 1,
                alpha.active().deploymentId(), alpha.active().codeSizeBytes(), 2,
                new FunctionInfo.Settings(30.0, 256, 1.0, List.of("SECRET"), true, null, 64, false),
                new ContainerCounts(1, 2, 3, 4), 0L, 0L));
    }

    @Test
    void theLogsOfTheLastInvocationsAreReadBackByFunction() {
        store.deploy("f", "// f");
        InvokeFunction invokeFunction = new InvokeFunction(store.catalog, invoker, store.clock);
        InvocationRequest request = new InvocationRequest("POST", "/invoke/f", "", Map.of(), new byte[0]);
        for (int i = 0; i < 60; i++) {
            store.clock.set(T0.plusSeconds(i));
            invokeFunction.invoke("f", request);
        }

        List<InvocationRecord> recent = queries.recentInvocations("f");
        assertThat(recent).hasSize(50);
        assertThat(recent.getFirst().invocationId()).isEqualTo("inv-60");
        assertThat(recent).extracting(InvocationRecord::startedAt).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(queries.invocation("f", "inv-42")).get().extracting(InvocationRecord::startedAt)
                .isEqualTo(T0.plusSeconds(41));
        assertThat(queries.invocation("f", "inv-1")).isEmpty();
    }

    @Test
    void infoShowsTheActiveVersionWhileCountingEveryVersion() {
        StoredFunction f = store.deploy("f", "// v1");
        f.counters().record(T0.plusSeconds(1), "ok", 3);
        store.update("f", "// v2");
        store.catalog.find("f").counters().record(T0.plusSeconds(2), "error", 4);
        Deployment v1 = store.catalog.rollback("f", 1).active();

        FunctionInfo info = queries.get("f");

        assertThat(info.version()).isEqualTo(1);
        assertThat(info.deploymentId()).isEqualTo(v1.deploymentId());
        assertThat(info.invokeCount()).isEqualTo(2);
        assertThat(info.errorCount()).isEqualTo(1);
        assertThat(info.lastStatus()).isEqualTo("error");
    }

    @Test
    void versionsListsTheKeptVersionsNewestFirstWithTheActiveOne() {
        store.deploy("f", "// v1");
        store.clock.advance(Duration.ofMinutes(1));
        store.catalog.update("f", store.upload(Zips.of(Map.of("index.js", "// v2", "lib.js", "//",
                "glambdar.json", "{\"memory\": 256, \"env\": {\"TOKEN\": \"secret\"}}"))));
        store.catalog.rollback("f", 1);
        StoredFunction f = store.catalog.find("f");

        VersionsInfo versions = queries.versions("f");

        assertThat(versions.function()).isEqualTo("f");
        assertThat(versions.active()).isEqualTo(1);
        assertThat(versions.versions()).extracting(VersionsInfo.Version::version).containsExactly(2, 1);
        VersionsInfo.Version v2 = versions.versions().getFirst();
        Deployment stored = f.version(2).orElseThrow();
        assertThat(v2).isEqualTo(new VersionsInfo.Version(2, T0.plusSeconds(60), stored.sha256(),
                stored.codeSizeBytes(), 3, new FunctionInfo.Settings(30.0, 256, 0.5, List.of("TOKEN"), null, null, 64, false)));
        assertThat(v2.sha256()).hasSize(64);
        assertThat(versions.versions().get(1).deployedAt()).isEqualTo(T0);
        assertThat(versions.versions().get(1).fileCount()).isEqualTo(1);
        assertThatThrownBy(() -> queries.versions("ghost")).isInstanceOf(FunctionNotFoundException.class);
    }

    @Test
    void unknownAndInvalidNamesAreRefused() {
        assertThatThrownBy(() -> queries.get("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.recentInvocations("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.invocation("ghost", "inv-1")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.get("a.b")).isInstanceOf(DeployRejectedException.class);
    }
}
