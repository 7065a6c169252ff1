package io.glambdar.usecase;

import io.glambdar.engine.FakeInvoker;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.FunctionNotFoundException;
import io.glambdar.store.TestStore;
import io.glambdar.usecase.InvokeKeys.CreatedKey;
import io.glambdar.usecase.InvokeKeys.KeyInfo;
import io.glambdar.usecase.InvokeKeys.KeyNotFoundException;
import io.glambdar.usecase.InvokeKeys.Verdict;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class InvokeKeysTest {

    @TempDir
    Path dir;

    private TestStore store;
    private InvokeKeys keys;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        keys = new InvokeKeys(store.catalog, store.keyIndex, store.clock, new SecureRandom());
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void restart() {
        store.restart();
        keys = new InvokeKeys(store.catalog, store.keyIndex, store.clock, new SecureRandom());
    }

    @Test
    void aKeyIsMadeForADeployedFunctionAndListedWithoutItsSecret() {
        store.deploy("hello", "//");

        CreatedKey created = keys.create("hello");

        assertThat(created.function()).isEqualTo("hello");
        assertThat(created.key()).startsWith("gk_" + created.keyId() + "_");
        assertThat(created.createdAt()).isEqualTo(TestStore.T0);
        assertThat(created.toString()).doesNotContain(created.key());
        assertThat(keys.list("hello")).containsExactly(new KeyInfo(created.keyId(), TestStore.T0, null));
        assertThat(store.keyIndex.find(created.keyId()).keyHash()).isEqualTo(InvokeKeyFormat.hash(created.key()));
    }

    @Test
    void unknownFunctionsAndBadNamesAreRefused() {
        assertThatThrownBy(() -> keys.create("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> keys.list("ghost")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> keys.revoke("ghost", "0011223344556677"))
                .isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> keys.create("../x")).isInstanceOf(DeployRejectedException.class);
        assertThatThrownBy(() -> keys.list("a.b")).isInstanceOf(DeployRejectedException.class);
    }

    @Test
    void aKeyInvokesItsFunctionOnly() {
        store.deploy("hello", "//");
        store.deploy("other", "//");
        String key = keys.create("hello").key();

        assertThat(keys.check(key, "hello")).isEqualTo(Verdict.VALID);
        assertThat(keys.check(key, "other")).isEqualTo(Verdict.OTHER_FUNCTION);
        assertThat(keys.check(key, null)).as("a control route").isEqualTo(Verdict.OTHER_FUNCTION);
        assertThat(keys.check(key + "x", "hello")).isEqualTo(Verdict.INVALID);
        char last = key.charAt(key.length() - 1);
        assertThat(keys.check(key.substring(0, key.length() - 1) + (last == 'A' ? 'B' : 'A'), "hello"))
                .isEqualTo(Verdict.INVALID);
        assertThat(keys.check("gk_0011223344556677_" + key.substring(23), "hello")).isEqualTo(Verdict.INVALID);
        assertThat(keys.check("the admin key", "hello")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void aValidUseIsRecordedAndWrittenBehind() {
        store.deploy("hello", "//");
        CreatedKey created = keys.create("hello");
        store.clock.advance(Duration.ofMinutes(1));

        keys.check(created.key(), "other");
        assertThat(keys.list("hello").getFirst().lastUsedAt()).as("a refused use is not one").isNull();
        keys.check(created.key(), "hello");

        assertThat(keys.list("hello").getFirst().lastUsedAt()).isEqualTo(TestStore.T0.plusSeconds(60));
        restart();
        assertThat(keys.list("hello").getFirst().lastUsedAt()).as("flushed at close")
                .isEqualTo(TestStore.T0.plusSeconds(60));
    }

    @Test
    void aRevokedKeyFailsAtOnceAndStaysRevokedAfterARestart() {
        store.deploy("hello", "//");
        CreatedKey revoked = keys.create("hello");
        CreatedKey kept = keys.create("hello");

        keys.revoke("hello", revoked.keyId());

        assertThat(keys.check(revoked.key(), "hello")).isEqualTo(Verdict.INVALID);
        assertThat(keys.list("hello")).extracting(KeyInfo::keyId).containsExactly(kept.keyId());
        assertThatThrownBy(() -> keys.revoke("hello", revoked.keyId())).isInstanceOf(KeyNotFoundException.class)
                .hasMessageContaining("GET /keys/hello");
        restart();
        assertThat(keys.check(revoked.key(), "hello")).isEqualTo(Verdict.INVALID);
        assertThat(keys.check(kept.key(), "hello")).isEqualTo(Verdict.VALID);
    }

    @Test
    void aKeyIsRevokedOnlyThroughItsOwnFunction() {
        store.deploy("hello", "//");
        store.deploy("other", "//");
        CreatedKey key = keys.create("hello");

        assertThatThrownBy(() -> keys.revoke("other", key.keyId())).isInstanceOf(KeyNotFoundException.class);

        assertThat(keys.check(key.key(), "hello")).isEqualTo(Verdict.VALID);
    }

    @Test
    void deletingTheFunctionDeletesItsKeysAndANewDeployStartsWithNone() {
        store.deploy("hello", "//");
        String key = keys.create("hello").key();
        DeleteFunction delete = new DeleteFunction(store.catalog, new FakeInvoker(), keys, store.jobs, store.clock, Duration.ZERO);

        delete.delete("hello");
        store.deploy("hello", "// again");

        assertThat(keys.list("hello")).isEmpty();
        assertThat(keys.check(key, "hello")).isEqualTo(Verdict.INVALID);
        assertThat(store.keyIndex.ofFunction("hello")).isEmpty();
    }

    @Test
    void aKeyOfAnEarlierLifeNeverWorksEvenIfItWasNotDeleted() {
        store.deploy("hello", "//");
        String key = keys.create("hello").key();
        // Deleted without its keys (a failed tidy-up, or another node's delete): the key stays stored.
        store.catalog.remove("hello");
        assertThat(keys.check(key, "hello")).isEqualTo(Verdict.INVALID);
        store.deploy("hello", "// again");

        assertThat(keys.check(key, "hello")).isEqualTo(Verdict.INVALID);
        assertThat(keys.check(key, null)).isEqualTo(Verdict.INVALID);
        assertThat(keys.list("hello")).isEmpty();
        String keyId = InvokeKeyFormat.keyIdOf(key);
        assertThatThrownBy(() -> keys.revoke("hello", keyId)).isInstanceOf(KeyNotFoundException.class);
        restart();
        assertThat(keys.check(key, "hello")).isEqualTo(Verdict.INVALID);
    }

    @Test
    void forgettingAFunctionsKeysNeverThrows() {
        keys.forgetFunction("ghost");
        store.database.close(); // the database fails from here on

        keys.forgetFunction("hello");
    }
}
