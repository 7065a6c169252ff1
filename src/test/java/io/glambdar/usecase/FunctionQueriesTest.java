package io.glambdar.usecase;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.TestStore;
import io.glambdar.store.invocations.InvocationRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
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
        queries = new FunctionQueries(store.catalog, invoker);
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
                "glambdar.json", "{\"memory\": 256, \"cpus\": 1, \"env\": {\"SECRET\": \"x\"}, \"reuse\": true}"))));

        assertThat(queries.list()).extracting(FunctionInfo::name).containsExactly("alpha", "beta");
        FunctionInfo info = queries.get("alpha");
        assertThat(queries.list().getFirst()).isEqualTo(info);
        assertThat(info).isEqualTo(new FunctionInfo("alpha", T0, null, 0, 0, null, null, 1,
                alpha.active().deploymentId(), alpha.active().codeSizeBytes(), 2,
                new FunctionInfo.Settings(30.0, 256, 1.0, List.of("SECRET"), true, null),
                new ContainerCounts(1, 2, 3, 4)));
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
    void unknownAndInvalidNamesAreRefused() {
        assertThatThrownBy(() -> queries.get("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.recentInvocations("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.invocation("ghost", "inv-1")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> queries.get("a.b")).isInstanceOf(DeployRejectedException.class);
    }
}
