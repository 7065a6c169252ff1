package io.glambdar.engine.pool;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.function.FunctionSettings;
import io.glambdar.engine.fake.FakeWorker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The container state machine: only its arrows are possible, and only under the pool's lock. */
class ContainerStateTest {

    private final PoolLock lock = new PoolLock();
    private final DeploymentPool deployment = new DeploymentPool(new DeployedFunction("fn", "d1", Path.of("/tmp/fn"),
            FunctionSettings.DEFAULTS), DeploymentPool.Mode.REUSE, 0);
    private final Invocation invocation = new Invocation("inv", deployment.function(), 0);

    @BeforeEach
    void lock() {
        lock.lock();
    }

    @AfterEach
    void unlock() {
        lock.unlock();
    }

    @ParameterizedTest
    @EnumSource(ContainerState.class)
    void theArrows(ContainerState from) {
        Set<ContainerState> allowed = switch (from) {
            case STARTING -> EnumSet.of(ContainerState.IDLE, ContainerState.BUSY, ContainerState.REMOVING);
            case IDLE -> EnumSet.of(ContainerState.BUSY, ContainerState.REMOVING);
            case BUSY -> EnumSet.of(ContainerState.IDLE, ContainerState.REMOVING);
            case REMOVING -> EnumSet.of(ContainerState.GONE);
            case GONE -> EnumSet.noneOf(ContainerState.class);
        };
        for (ContainerState to : ContainerState.values()) {
            assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(allowed.contains(to));
        }
    }

    @Test
    void aWarmStartBecomesIdleThenBusyThenIdleThenGoes() {
        FunctionContainer container = new FunctionContainer(deployment, lock);
        assertThat(container.state()).isEqualTo(ContainerState.STARTING);
        assertThat(container.spare()).isTrue();
        container.started(new FakeWorker(FakeWorker.readyHello()), FakeWorker.readyHello(), 5);
        assertThat(container.state()).isEqualTo(ContainerState.IDLE);
        assertThat(container.idleSinceNanos()).isEqualTo(5);
        container.claim(invocation);
        assertThat(container.state()).isEqualTo(ContainerState.BUSY);
        assertThat(container.admitted()).isTrue();
        assertThat(container.uses()).isEqualTo(1);
        container.idle(9);
        assertThat(container.state()).isEqualTo(ContainerState.IDLE);
        assertThat(container.claimant()).isNull();
        container.remove();
        assertThat(container.state()).isEqualTo(ContainerState.REMOVING);
        assertThat(container.active()).isFalse();
        container.gone();
        assertThat(container.state()).isEqualTo(ContainerState.GONE);
    }

    @Test
    void aStartClaimedByAnInvocationIsBusyForItOnceStarted() {
        FunctionContainer container = new FunctionContainer(deployment, lock);
        container.claim(invocation);
        assertThat(container.admitted()).isTrue();
        assertThat(container.spare()).isFalse();
        container.started(new FakeWorker(FakeWorker.readyHello()), FakeWorker.readyHello(), 5);
        assertThat(container.state()).isEqualTo(ContainerState.BUSY);
        assertThat(container.claimant()).isSameAs(invocation);
    }

    @Test
    void impossibleMovesOfAWarmContainerThrowInsteadOfDrifting() {
        FunctionContainer container = new FunctionContainer(deployment, lock);
        assertThatThrownBy(() -> container.idle(1)).as("it serves nobody").isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("STARTING to IDLE");
        assertThatThrownBy(container::gone).isInstanceOf(IllegalStateException.class);
        container.started(new FakeWorker(FakeWorker.readyHello()), FakeWorker.readyHello(), 5);
        assertThatThrownBy(() -> container.started(new FakeWorker(FakeWorker.readyHello()),
                FakeWorker.readyHello(), 6)).as("started twice").isInstanceOf(IllegalStateException.class);
        container.claim(invocation);
        assertThatThrownBy(() -> container.claim(invocation)).as("one invocation per container")
                .isInstanceOf(IllegalStateException.class);
        container.idle(7);
        assertThatThrownBy(() -> container.idle(8)).isInstanceOf(IllegalStateException.class);
        container.remove();
        assertThatThrownBy(container::remove).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> container.claim(invocation)).isInstanceOf(IllegalStateException.class);
        container.gone();
        assertThatThrownBy(container::gone).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aStartAnInvocationWaitsForCannotBeRemovedBeforeItIsTold() {
        FunctionContainer container = new FunctionContainer(deployment, lock);
        container.claim(invocation);
        assertThatThrownBy(() -> container.claim(invocation)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(container::remove).as("its claimant must be told first")
                .isInstanceOf(IllegalStateException.class);
        assertThat(container.unclaim(invocation)).isTrue();
        assertThat(container.spare()).isTrue();
        container.remove();
        assertThat(container.unclaim(invocation)).isFalse();
    }

    @Test
    void stateIsNeverTouchedWithoutThePoolsLock() {
        FunctionContainer container = new FunctionContainer(deployment, lock);
        lock.unlock();
        try {
            assertThatThrownBy(container::state).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("without the pool's lock");
            assertThatThrownBy(() -> container.claim(invocation)).isInstanceOf(IllegalStateException.class);
        } finally {
            lock.lock();
        }
    }
}
