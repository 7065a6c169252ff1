package io.glambdar.usecase;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.Invoker;
import io.glambdar.store.Deployment;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.TestStore;
import io.glambdar.store.VersionNotFoundException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RollbackFunctionTest {

    private static final Duration GRACE = Duration.ofSeconds(1);

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theVersionMadeActiveIsWarmedFromItsOwnFolder() {
        Deployment v1 = store.update("f", "// v1").deployed();
        store.update("f", "// v2");
        store.update("f", "// v3");
        RollbackFunction rollback = new RollbackFunction(store.catalog, invoker, GRACE);

        RollbackFunction.RolledBack back = rollback.rollback("f", 1);

        assertThat(back).isEqualTo(new RollbackFunction.RolledBack("f", 1));
        assertThat(store.catalog.find("f").active()).isEqualTo(v1);
        assertThat(invoker.warmed).containsExactly(new DeployedFunction("f", v1.deploymentId(), v1.codeDir(),
                v1.settings()));
        assertThat(invoker.retired).isEmpty(); // the other versions stay kept
    }

    @Test
    void withoutAVersionTheOneBelowTheActiveOneIsMadeActiveAndWarmed() {
        store.update("f", "// v1");
        Deployment v2 = store.update("f", "// v2").deployed();
        store.update("f", "// v3");

        RollbackFunction.RolledBack back = new RollbackFunction(store.catalog, invoker, GRACE).rollback("f", null);

        assertThat(back.active()).isEqualTo(2);
        assertThat(invoker.warmed).singleElement().extracting(DeployedFunction::deploymentId)
                .isEqualTo(v2.deploymentId());
    }

    @Test
    void aRollbackThatCannotBeWarmedIsMadeAnyway() {
        store.update("f", "// v1");
        store.update("f", "// v2");
        Invoker failingWarmUp = new DelegatingInvoker(invoker) {
            @Override
            public void warm(DeployedFunction fn) {
                throw new IllegalStateException("no capacity");
            }
        };

        assertThat(new RollbackFunction(store.catalog, failingWarmUp, GRACE).rollback("f", null).active()).isEqualTo(1);

        assertThat(store.catalog.find("f").active().version()).isEqualTo(1);
    }

    @Test
    void theVersionActiveBeforeIsRetiredWhenItIsNoLongerKept() {
        store.update("f", "// v1");
        store.update("f", "// v2");
        Deployment v3 = store.update("f", "// v3").deployed();
        store.catalog.rollback("f", 1);
        store.close();
        store = new TestStore(dir, 1); // GLAMBDAR_KEEP_VERSIONS=1: kept are version 3, the newest, and 1, active
        Deployment v1 = store.catalog.find("f").active();

        new RollbackFunction(store.catalog, invoker, GRACE).rollback("f", 3);

        assertThat(store.catalog.find("f").versions().kept().keySet()).containsExactly(3);
        assertThat(store.catalog.find("f").active().deploymentId()).isEqualTo(v3.deploymentId());
        assertThat(invoker.retired).extracting(DeployedFunction::deploymentId).containsExactly(v1.deploymentId());
        assertThatThrownBy(() -> new RollbackFunction(store.catalog, invoker, GRACE).rollback("f", 1))
                .isInstanceOf(VersionNotFoundException.class);
    }

    @Test
    void aRefusedRollbackWarmsNothing() {
        store.update("f", "// v1");
        RollbackFunction rollback = new RollbackFunction(store.catalog, invoker, GRACE);

        assertThatThrownBy(() -> rollback.rollback("f", null)).isInstanceOf(VersionNotFoundException.class);
        assertThatThrownBy(() -> rollback.rollback("f", 7)).isInstanceOf(VersionNotFoundException.class);
        assertThatThrownBy(() -> rollback.rollback("ghost", 1)).isInstanceOf(FunctionNotFoundException.class);

        assertThat(invoker.warmed).isEmpty();
    }
}
