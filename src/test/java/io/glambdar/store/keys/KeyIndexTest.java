package io.glambdar.store.keys;

import io.glambdar.store.sqlite.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyIndexTest {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private CountingRepository repository;
    private KeyIndex index;

    /** The SQLite repository, counting writes of last-use times, and failing them when told to. */
    static final class CountingRepository implements KeyRepository {
        final KeyRepository delegate;
        int lastUsedWrites;
        boolean failing;

        CountingRepository(KeyRepository delegate) {
            this.delegate = delegate;
        }

        @Override
        public void insert(InvokeKeyRecord key) {
            delegate.insert(key);
        }

        @Override
        public List<InvokeKeyRecord> findByFunction(String functionName) {
            return delegate.findByFunction(functionName);
        }

        @Override
        public List<InvokeKeyRecord> findAll() {
            return delegate.findAll();
        }

        @Override
        public boolean delete(String functionName, String keyId) {
            return delegate.delete(functionName, keyId);
        }

        @Override
        public int deleteAllOf(String functionName) {
            return delegate.deleteAllOf(functionName);
        }

        @Override
        public void recordLastUsed(Map<String, Instant> lastUsedByKeyId) {
            if (failing) {
                throw new IllegalStateException("disk full");
            }
            lastUsedWrites++;
            delegate.recordLastUsed(lastUsedByKeyId);
        }
    }

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("keys.db"));
        repository = new CountingRepository(new SqliteKeyRepository(db));
        index = KeyIndex.load(repository, Duration.ofHours(1)); // flushed by hand
    }

    @AfterEach
    void close() {
        index.close();
        db.close();
    }

    private void reopen() {
        close();
        open();
    }

    private static InvokeKeyRecord key(String id, String function) {
        return new InvokeKeyRecord(id, function, "life1", HexFormat.of().formatHex(("hash of " + id).getBytes(StandardCharsets.UTF_8)), T0, null);
    }

    @Test
    void keysAreServedFromMemoryAndStored() {
        index.add(key("aaaa", "hello"));
        index.add(key("bbbb", "other"));

        assertThat(index.find("aaaa").functionName()).isEqualTo("hello");
        assertThat(index.find("nope")).isNull();
        assertThat(index.ofFunction("hello")).extracting(KeyIndex.IndexedKey::keyId).containsExactly("aaaa");

        reopen();

        assertThat(index.find("aaaa").toRecord()).isEqualTo(key("aaaa", "hello"));
        assertThat(index.find("bbbb").functionName()).isEqualTo("other");
    }

    @Test
    void aRemovedKeyIsGoneAtOnceAndForGood() {
        index.add(key("aaaa", "hello"));
        index.add(key("bbbb", "hello"));
        index.add(key("cccc", "other"));

        assertThat(index.remove("other", "aaaa")).as("not other's key").isFalse();
        assertThat(index.find("aaaa")).isNotNull();
        assertThat(index.remove("hello", "aaaa")).isTrue();
        assertThat(index.find("aaaa")).isNull();
        assertThat(index.remove("hello", "aaaa")).isFalse();
        assertThat(index.removeAllOf("hello")).isEqualTo(1);
        assertThat(index.find("bbbb")).isNull();

        reopen();

        assertThat(index.find("aaaa")).isNull();
        assertThat(index.find("bbbb")).isNull();
        assertThat(index.find("cccc")).isNotNull();
    }

    @Test
    void usesAreKeptInMemoryAndWrittenBehindInOneBatch() {
        index.add(key("aaaa", "hello"));
        index.add(key("bbbb", "hello"));
        for (int i = 0; i < 1000; i++) {
            index.used(index.find("aaaa"), T0.plusMillis(i));
        }
        index.used(index.find("bbbb"), T0.plusSeconds(9));

        assertThat(index.find("aaaa").lastUsedAt()).isEqualTo(T0.plusMillis(999));
        assertThat(repository.lastUsedWrites).as("nothing written per use").isZero();
        assertThat(repository.findAll()).extracting(InvokeKeyRecord::lastUsedAt).containsOnlyNulls();

        index.flush();
        index.flush(); // nothing new: nothing written

        assertThat(repository.lastUsedWrites).isEqualTo(1);
        assertThat(repository.findAll()).extracting(InvokeKeyRecord::lastUsedAt)
                .containsExactly(T0.plusMillis(999), T0.plusSeconds(9));
    }

    @Test
    void anEarlierUseNeverMovesTheTimeBack() {
        index.add(key("aaaa", "hello"));
        index.used(index.find("aaaa"), T0.plusSeconds(5));
        index.used(index.find("aaaa"), T0.plusSeconds(1));

        assertThat(index.find("aaaa").lastUsedAt()).isEqualTo(T0.plusSeconds(5));
    }

    @Test
    void aFailedFlushIsRetriedByTheNextOne() {
        index.add(key("aaaa", "hello"));
        index.used(index.find("aaaa"), T0.plusSeconds(5));
        repository.failing = true;

        assertThatThrownBy(index::flush).hasMessageContaining("disk full");
        repository.failing = false;
        index.flush();

        assertThat(repository.findAll()).extracting(InvokeKeyRecord::lastUsedAt).containsExactly(T0.plusSeconds(5));
    }

    @Test
    void closeWritesTheLastUses() {
        index.add(key("aaaa", "hello"));
        index.used(index.find("aaaa"), T0.plusSeconds(5));

        reopen();

        assertThat(index.find("aaaa").lastUsedAt()).isEqualTo(T0.plusSeconds(5));
    }
}
