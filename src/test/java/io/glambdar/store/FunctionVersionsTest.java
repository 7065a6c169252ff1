package io.glambdar.store;

import io.glambdar.store.settings.SettingsParser;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;

import static io.glambdar.store.TestStore.T0;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kept versions of one function as a value: what pruning and rolling back are computed from. */
class FunctionVersionsTest {

    private static Deployment version(int n) {
        return new Deployment("f", n, "d" + n, T0.plusSeconds(n), Path.of("/code/d" + n), 1, 1, null,
                SettingsParser.fromStoredJson("{}"));
    }

    private static FunctionVersions versions(int active, int... numbers) {
        return FunctionVersions.of(IntStream.of(numbers).mapToObj(FunctionVersionsTest::version).toList(), active);
    }

    @Test
    void theActiveVersionMustBeAKeptOne() {
        assertThatThrownBy(() -> versions(4, 1, 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4");
    }

    @Test
    void newestFirstAndTheNextNumber() {
        FunctionVersions versions = versions(2, 3, 1, 2);

        assertThat(versions.newestFirst()).extracting(Deployment::version).containsExactly(3, 2, 1);
        assertThat(versions.activeDeployment()).isEqualTo(version(2));
    }

    @Test
    void pruningKeepsTheNewestAndAlwaysTheActiveOne() {
        FunctionVersions newestActive = versions(5, 1, 2, 3, 4, 5);
        assertThat(newestActive.beyond(3)).extracting(Deployment::version).containsExactly(2, 1);

        // The active one is never pruned, even when older than the newest kept ones.
        FunctionVersions oldActive = versions(1, 1, 2, 3, 4, 5);
        assertThat(oldActive.beyond(3)).extracting(Deployment::version).containsExactly(2);
        assertThat(oldActive.beyond(1)).extracting(Deployment::version).containsExactly(4, 3, 2);
        assertThat(oldActive.without(oldActive.beyond(1)).kept().keySet()).containsExactly(1, 5);

        assertThat(versions(1, 1).beyond(1)).isEmpty();
    }

    @Test
    void addingAVersionMakesItActive() {
        FunctionVersions versions = versions(1, 1, 2).plus(version(3));

        assertThat(versions.active()).isEqualTo(3);
        assertThat(versions.kept().keySet()).containsExactly(1, 2, 3);
        assertThat(versions.activate(1).active()).isEqualTo(1);
        assertThat(versions.active()).isEqualTo(3); // immutable
    }

    @Test
    void theDefaultRollbackTargetIsTheHighestKeptVersionBelow() {
        FunctionVersions versions = versions(5, 2, 4, 5);

        assertThat(versions.below(5)).contains(version(4));
        assertThat(versions.below(4)).contains(version(2));
        assertThat(versions.below(2)).isEmpty();
    }

    @Test
    void theKeptMapCannotBeChangedFromOutside() {
        FunctionVersions versions = versions(1, 1, 2);

        assertThatThrownBy(() -> versions.kept().remove(2)).isInstanceOf(UnsupportedOperationException.class);
        assertThat(versions.newestFirst()).isEqualTo(List.of(version(2), version(1)));
    }
}
