package io.glambdar.store.sqlite;

import io.glambdar.engine.fake.Until;
import io.glambdar.store.Concurrently;
import io.glambdar.store.metadata.MetadataException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteCommitListener;
import org.sqlite.SQLiteConnection;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Group commit on a real SQLite file: which items share a transaction is read from SQLite's own commit hook, so a
 * "batch" here is what was committed together, not what the code meant to commit.
 */
class GroupCommitTest {

    private static final String COMMIT = "<commit>";
    private static final String ROLLBACK = "<rollback>";

    @TempDir
    Path dir;

    private SqliteDatabase db;
    /** Items as they are written, and each commit and rollback, in order. */
    private final List<String> events = Collections.synchronizedList(new ArrayList<>());
    /** The thread that wrote each item. */
    private final Map<String, Thread> writers = new ConcurrentHashMap<>();
    /** Items whose write fails, and how. */
    private final Map<String, RuntimeException> failing = new ConcurrentHashMap<>();
    private final Set<String> failingWithSql = ConcurrentHashMap.newKeySet();
    private final Map<String, Error> erroring = new ConcurrentHashMap<>();
    /** The write of this item waits for {@link #release} (the leader holds its lead meanwhile). */
    private volatile String held;
    private final CountDownLatch holding = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);

    @BeforeEach
    void open() {
        db = SqliteDatabase.open(dir.resolve("glambdar.db"));
        db.withConnection("prepare", c -> {
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE items (item TEXT NOT NULL PRIMARY KEY)");
            }
            c.unwrap(SQLiteConnection.class).addCommitListener(new SQLiteCommitListener() {
                @Override
                public void onCommit() {
                    events.add(COMMIT);
                }

                @Override
                public void onRollback() {
                    events.add(ROLLBACK);
                }
            });
            return null;
        });
    }

    @AfterEach
    void close() {
        release.countDown();
        db.close();
    }

    private GroupCommit<String, String> groupCommit(int maxBatch) {
        return new GroupCommit<>(db, "write items", maxBatch, this::write);
    }

    private String write(Connection c, String item) throws SQLException {
        writers.put(item, Thread.currentThread());
        if (item.equals(held)) {
            holding.countDown();
            await(release);
        }
        if (failingWithSql.contains(item)) {
            throw new SQLException("item " + item + " is refused");
        }
        RuntimeException failure = failing.get(item);
        if (failure != null) {
            throw failure;
        }
        Error error = erroring.get(item);
        if (error != null) {
            throw error;
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO items (item) VALUES (?)")) {
            ps.setString(1, item);
            ps.executeUpdate();
        }
        events.add(item);
        return "written " + item;
    }

    /** The items of each commit, in order; transactions that wrote nothing are left out. */
    private List<List<String>> committedBatches() {
        List<List<String>> batches = new ArrayList<>();
        List<String> current = new ArrayList<>();
        synchronized (events) {
            for (String event : events) {
                if (event.equals(COMMIT)) {
                    if (!current.isEmpty()) {
                        batches.add(current);
                    }
                    current = new ArrayList<>();
                } else if (event.equals(ROLLBACK)) {
                    current = new ArrayList<>();
                } else {
                    current.add(event);
                }
            }
        }
        assertThat(current).as("items written but never committed nor rolled back").isEmpty();
        return batches;
    }

    private List<String> stored() {
        return db.withConnection("read items", c -> {
            List<String> items = new ArrayList<>();
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                    "SELECT item FROM items ORDER BY item")) {
                while (rs.next()) {
                    items.add(rs.getString(1));
                }
            }
            return items;
        });
    }

    /**
     * Submits {@code leaderItem} on a thread of its own and holds its write; then submits every one of
     * {@code others}, each on its own thread, and returns once they are all waiting for a commit (queued behind the
     * held leader). {@link #release} lets the leader go on.
     *
     * @return each item's outcome: what the submit returned, or the exception it threw
     */
    private Map<String, CompletableFuture<String>> pileUpBehindAHeldLeader(GroupCommit<String, String> commits,
                                                                           String leaderItem, List<String> others) {
        held = leaderItem;
        Map<String, CompletableFuture<String>> outcomes = new ConcurrentHashMap<>();
        outcomes.put(leaderItem, submitOnItsOwnThread(commits, leaderItem, null));
        await(holding);
        List<Thread> waiting = new ArrayList<>();
        CountDownLatch submitting = new CountDownLatch(others.size());
        for (String item : others) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            outcomes.put(item, submitOnItsOwnThread(commits, item, () -> {
                thread.set(Thread.currentThread());
                submitting.countDown();
            }));
            waiting.add(awaitSet(thread));
        }
        await(submitting);
        // After the count-down the only place a submitter waits (not runs, not blocks on the queue's monitor) is
        // for its commit.
        Until.holds("every submitter waits for its commit",
                () -> waiting.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
        return outcomes;
    }

    private static CompletableFuture<String> submitOnItsOwnThread(GroupCommit<String, String> commits, String item,
                                                                  Runnable before) {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        Thread.ofPlatform().name("submit-" + item).start(() -> {
            if (before != null) {
                before.run();
            }
            try {
                outcome.complete(commits.submit(item));
            } catch (Throwable e) {
                outcome.completeExceptionally(e);
            }
        });
        return outcome;
    }

    private static Thread awaitSet(AtomicReference<Thread> thread) {
        Until.holds("the submitter started", () -> thread.get() != null);
        return thread.get();
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("not released within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static String outcome(CompletableFuture<String> future) throws Exception {
        return future.get(30, TimeUnit.SECONDS);
    }

    private static Throwable failure(CompletableFuture<String> future) throws Exception {
        try {
            String value = future.get(30, TimeUnit.SECONDS);
            throw new AssertionError("expected a failure, got " + value);
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    private static List<String> items(String prefix, int count) {
        List<String> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            items.add(String.format("%s%02d", prefix, i));
        }
        return items;
    }

    // ---------------------------------------------------------------- batching

    @Test
    void aLoneSubmitIsCommittedAtOnceInATransactionOfItsOwn() {
        GroupCommit<String, String> commits = groupCommit(10);

        assertThat(commits.submit("a")).isEqualTo("written a");
        assertThat(commits.submit("b")).isEqualTo("written b");

        assertThat(committedBatches()).containsExactly(List.of("a"), List.of("b"));
        assertThat(stored()).containsExactly("a", "b");
        assertThat(writers.get("a")).isSameAs(Thread.currentThread());
    }

    @Test
    void submitsThatArriveWhileALeaderWritesAreCommittedTogetherByIt() throws Exception {
        GroupCommit<String, String> commits = groupCommit(100);
        List<String> others = items("item", 19);

        Map<String, CompletableFuture<String>> outcomes = pileUpBehindAHeldLeader(commits, "first", others);
        release.countDown();

        for (String item : outcomes.keySet()) {
            assertThat(outcome(outcomes.get(item))).as("what %s's caller got", item).isEqualTo("written " + item);
        }
        List<List<String>> batches = committedBatches();
        assertThat(batches).as("20 submits, 2 commits").hasSize(2);
        assertThat(batches.get(0)).containsExactly("first");
        assertThat(batches.get(1)).containsExactlyInAnyOrderElementsOf(others);
        Thread leader = writers.get("first");
        assertThat(leader.getName()).isEqualTo("submit-first");
        assertThat(writers.values()).as("the leader wrote them all").allSatisfy(t -> assertThat(t).isSameAs(leader));
        assertThat(stored()).hasSize(20);
    }

    @Test
    void aBatchHoldsAtMostMaxBatchItems() throws Exception {
        GroupCommit<String, String> commits = groupCommit(5);
        List<String> others = items("item", 12);

        Map<String, CompletableFuture<String>> outcomes = pileUpBehindAHeldLeader(commits, "first", others);
        release.countDown();

        for (String item : outcomes.keySet()) {
            assertThat(outcome(outcomes.get(item))).isEqualTo("written " + item);
        }
        assertThat(committedBatches()).extracting(List::size).containsExactly(1, 5, 5, 2);
        assertThat(stored()).hasSize(13);
    }

    @Test
    void everyCallerGetsItsOwnResultUnderConcurrentLoad() throws Exception {
        GroupCommit<String, String> commits = groupCommit(16);
        Map<String, String> got = new ConcurrentHashMap<>();

        Concurrently.run(8, 50, (thread, call) -> {
            String item = "t" + thread + "-" + call;
            got.put(item, commits.submit(item));
        });

        assertThat(got).hasSize(400);
        got.forEach((item, result) -> assertThat(result).isEqualTo("written " + item));
        List<List<String>> batches = committedBatches();
        assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(400);
        assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 16));
        assertThat(stored()).hasSize(400);
    }

    // ---------------------------------------------------------------- failures

    @Test
    void aFailingItemFailsOnlyItsOwnCallerAndTheRestOfItsBatchIsWrittenOneByOne() throws Exception {
        GroupCommit<String, String> commits = groupCommit(100);
        List<String> others = new ArrayList<>(items("item", 6));
        others.add("bad");
        failingWithSql.add("bad");

        Map<String, CompletableFuture<String>> outcomes = pileUpBehindAHeldLeader(commits, "first", others);
        release.countDown();

        Throwable bad = failure(outcomes.get("bad"));
        assertThat(bad).isInstanceOf(MetadataException.class).hasMessageContaining("write items")
                .hasMessageContaining("item bad is refused");
        for (String item : items("item", 6)) {
            assertThat(outcome(outcomes.get(item))).isEqualTo("written " + item);
        }
        assertThat(outcome(outcomes.get("first"))).isEqualTo("written first");
        assertThat(events).as("the shared batch was rolled back before the items were written alone")
                .contains(ROLLBACK);
        List<List<String>> batches = committedBatches();
        assertThat(batches.getFirst()).containsExactly("first");
        assertThat(batches.subList(1, batches.size())).as("each good item alone")
                .allSatisfy(batch -> assertThat(batch).hasSize(1))
                .flatExtracting(batch -> batch).containsExactlyInAnyOrderElementsOf(items("item", 6));
        assertThat(stored()).as("each once: the failed batch left nothing behind")
                .containsExactlyInAnyOrderElementsOf(concat(List.of("first"), items("item", 6)));
    }

    @Test
    void aRuntimeExceptionOfTheWriteReachesItsCallerAsItIs() throws Exception {
        GroupCommit<String, String> commits = groupCommit(100);
        IllegalArgumentException refusal = new IllegalArgumentException("no such item");
        failing.put("odd", refusal);

        Map<String, CompletableFuture<String>> outcomes = pileUpBehindAHeldLeader(commits, "first",
                List.of("a", "odd", "b"));
        release.countDown();

        assertThat(failure(outcomes.get("odd"))).isSameAs(refusal);
        assertThat(outcome(outcomes.get("a"))).isEqualTo("written a");
        assertThat(outcome(outcomes.get("b"))).isEqualTo("written b");
        assertThat(stored()).containsExactly("a", "b", "first");
    }

    /** Thrown by a write as the JVM would throw an OutOfMemoryError or a StackOverflowError. */
    private static final class WriteError extends Error {
        WriteError() {
            super("the JVM gave up");
        }
    }

    @Test
    void anErrorInOneWriteFailsOnlyItsCallerLeavesNothingHalfCommittedAndNoOneWaitingForEver() throws Exception {
        GroupCommit<String, String> commits = groupCommit(100);
        WriteError error = new WriteError();
        erroring.put("boom", error);

        Map<String, CompletableFuture<String>> outcomes = pileUpBehindAHeldLeader(commits, "first",
                List.of("a", "boom", "b"));
        release.countDown();

        assertThat(failure(outcomes.get("boom"))).isSameAs(error);
        assertThat(outcome(outcomes.get("a"))).isEqualTo("written a");
        assertThat(outcome(outcomes.get("b"))).isEqualTo("written b");
        assertThat(outcome(outcomes.get("first"))).isEqualTo("written first");
        assertThat(commits.submit("later")).as("the lead was given up").isEqualTo("written later");
        assertThat(stored()).as("each once: the batch the Error broke was rolled back, not committed in part")
                .containsExactly("a", "b", "first", "later");
    }

    @Test
    void aLoneFailureIsThrownToItsCallerAndTheNextSubmitLeadsAgain() {
        GroupCommit<String, String> commits = groupCommit(10);
        failingWithSql.add("bad");

        assertThatThrownBy(() -> commits.submit("bad")).isInstanceOf(MetadataException.class)
                .hasMessageContaining("item bad is refused");
        assertThat(commits.submit("good")).isEqualTo("written good");

        assertThat(committedBatches()).containsExactly(List.of("good"));
        assertThat(stored()).containsExactly("good");
    }

    @Test
    void aClosedDatabaseFailsTheCallerClearly() {
        GroupCommit<String, String> commits = groupCommit(10);
        db.close();

        assertThatThrownBy(() -> commits.submit("a")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }
}
