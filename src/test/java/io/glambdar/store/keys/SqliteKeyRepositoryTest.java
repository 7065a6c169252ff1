package io.glambdar.store.keys;

import io.glambdar.store.sqlite.SqliteDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class SqliteKeyRepositoryTest {

    private static final Instant T0 = Instant.parse("2026-01-02T03:04:05.678Z");

    @TempDir
    Path dir;

    private SqliteDatabase db;
    private SqliteKeyRepository repository;

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("glambdar.db"));
        repository = new SqliteKeyRepository(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    private static InvokeKeyRecord key(String id, String function, Instant createdAt) {
        return new InvokeKeyRecord(id, function, "life-" + function, "hash-" + id, createdAt, null);
    }

    @Test
    void keysAreStoredAndReadBackByFunctionAndAll() {
        InvokeKeyRecord a = key("aaaa", "hello", T0);
        InvokeKeyRecord b = key("bbbb", "hello", T0.plusSeconds(1));
        InvokeKeyRecord c = key("cccc", "other", T0.plusSeconds(2));
        repository.insert(b);
        repository.insert(c);
        repository.insert(a);

        assertThat(repository.findByFunction("hello")).containsExactly(a, b);
        assertThat(repository.findByFunction("other")).containsExactly(c);
        assertThat(repository.findByFunction("ghost")).isEmpty();
        assertThat(repository.findAll()).containsExactly(a, b, c);
    }

    @Test
    void keysSurviveReopening() {
        InvokeKeyRecord a = key("aaaa", "hello", T0);
        repository.insert(a);
        repository.recordLastUsed(Map.of("aaaa", T0.plusSeconds(5)));
        db.close();

        open();

        assertThat(repository.findAll()).containsExactly(a.withLastUsedAt(T0.plusSeconds(5)));
    }

    @Test
    void oneKeyOrAllOfAFunctionAreDeleted() {
        repository.insert(key("aaaa", "hello", T0));
        repository.insert(key("bbbb", "hello", T0));
        repository.insert(key("cccc", "other", T0));

        assertThat(repository.delete("other", "aaaa")).as("another function's key").isFalse();
        assertThat(repository.delete("hello", "aaaa")).isTrue();
        assertThat(repository.delete("hello", "aaaa")).isFalse();
        assertThat(repository.findByFunction("hello")).extracting(InvokeKeyRecord::keyId).containsExactly("bbbb");

        assertThat(repository.deleteAllOf("hello")).isEqualTo(1);
        assertThat(repository.deleteAllOf("hello")).isZero();
        assertThat(repository.findAll()).extracting(InvokeKeyRecord::keyId).containsExactly("cccc");
    }

    @Test
    void lastUsedTimesAreWrittenInOneBatchAndNeverGoBack() {
        repository.insert(key("aaaa", "hello", T0));
        repository.insert(key("bbbb", "hello", T0));
        Map<String, Instant> used = new LinkedHashMap<>();
        used.put("aaaa", T0.plusSeconds(10));
        used.put("bbbb", T0.plusSeconds(20));
        used.put("gone", T0.plusSeconds(30)); // deleted in the meantime: skipped

        repository.recordLastUsed(used);
        repository.recordLastUsed(Map.of("aaaa", T0.plusSeconds(5)));
        repository.recordLastUsed(Map.of());

        assertThat(repository.findAll()).extracting(InvokeKeyRecord::lastUsedAt)
                .containsExactly(T0.plusSeconds(10), T0.plusSeconds(20));
    }
}
