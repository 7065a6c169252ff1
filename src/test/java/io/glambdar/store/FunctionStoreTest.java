package io.glambdar.store;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.MetadataDatabase;
import io.glambdar.store.settings.SettingsParser;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.glambdar.engine.FakeInvoker.failed;
import static io.glambdar.engine.FakeInvoker.ok;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionStoreTest {

    private static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");
    private static final ArchiveLimits LIMITS = new ArchiveLimits(100, 64 * 1024);
    private static final InvocationRequest REQUEST = new InvocationRequest("POST", "/invoke/f", "a=1",
            Map.of("content-type", List.of("application/json")), "{\"name\":\"x\"}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private final MutableClock clock = new MutableClock(T0);
    private MetadataDatabase db;
    private FunctionStore store;

    @BeforeEach
    void open() {
        db = MetadataDatabase.open(dir.resolve("glambdar.db"));
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
        db.close();
    }

    private FunctionStore newStore() {
        return new FunctionStore(dir, db, invoker, new SettingsParser(), LIMITS, clock);
    }

    /** Closes store and database and opens both again on the same folder (a restart). */
    private void restart() {
        store.close();
        db.close();
        db = MetadataDatabase.open(dir.resolve("glambdar.db"));
        store = newStore();
    }

    // ---------------------------------------------------------------- deploy

    @Test
    void deployStoresExactlyTheUploadAndReportsAFreshFunction() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.js", utf8("exports.handler = async () => ({ body: 'hi' });"));
        files.put("lib/util.js", utf8("module.exports = 42;"));
        files.put("glambdar.json", utf8("{\"timeout\": 5, \"memory\": 256, \"env\": {\"B\": \"2\", \"A\": \"1\"}}"));
        files.put("data.bin", new byte[]{0, (byte) 0xff, (byte) 0xfe, 10, 13});

        FunctionInfo info = store.deploy("hello.zip", upload(Zips.ofBytes(files)));

        assertThat(tree(dir.resolve("functions/hello"))).isEqualTo(asText(files));
        assertThat(info.name()).isEqualTo("hello");
        assertThat(info.createdAt()).isEqualTo(T0);
        assertThat(info.lastInvokedAt()).isNull();
        assertThat(info.invokeCount()).isZero();
        assertThat(info.errorCount()).isZero();
        assertThat(info.lastStatus()).isNull();
        assertThat(info.fileCount()).isEqualTo(4);
        assertThat(info.settings()).isEqualTo(new FunctionInfo.Settings(5.0, 256, 0.5, List.of("A", "B"), null));
        assertThat(store.get("hello")).isEqualTo(info);
        assertThat(store.list()).containsExactly(info);

        assertThat(invoker.warmed).singleElement().satisfies(fn -> {
            assertThat(fn.name()).isEqualTo("hello");
            assertThat(fn.deploymentId()).isEqualTo(info.deploymentId());
            assertThat(fn.codeDir()).isEqualTo(dir.resolve("functions/hello"));
            assertThat(fn.settings().timeout()).isEqualTo(Duration.ofSeconds(5));
            assertThat(fn.settings().env()).isEqualTo(Map.of("A", "1", "B", "2"));
        });
        assertThat(db.find("hello")).get().satisfies(row -> {
            assertThat(row.deploymentId()).isEqualTo(info.deploymentId());
            assertThat(row.createdAt()).isEqualTo(T0);
        });
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void deployOfAZipWrappedInOneFolderRunsTheCodeInThatFolder() throws IOException {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("hello-1.0/index.js", "exports.handler = async () => ({ body: 1 });");
        files.put("hello-1.0/package.json", "{}");

        store.deploy("wrapped.zip", upload(Zips.of(files)));

        assertThat(tree(dir.resolve("functions/wrapped"))).isEqualTo(files);
        assertThat(invoker.warmed).singleElement()
                .extracting(DeployedFunction::codeDir).isEqualTo(dir.resolve("functions/wrapped/hello-1.0"));
        store.invoke("wrapped", REQUEST);
        assertThat(invoker.invocations).singleElement()
                .satisfies(call -> assertThat(call.fn().codeDir()).isEqualTo(dir.resolve("functions/wrapped/hello-1.0")));
    }

    @Test
    void deployOfAnExistingNameIsAConflictAndLeavesTheOriginalAlone() throws IOException {
        FunctionInfo original = store.deploy("hello.zip", upload(Zips.of("// v1")));
        clock.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> store.deploy("hello.zip", upload(Zips.of("// v2"))))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT))
                .hasMessageContaining("'hello' already exists");

        assertThat(tree(dir.resolve("functions/hello"))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(store.get("hello")).isEqualTo(original);
        assertThat(db.find("hello")).get().extracting(FunctionRecord::deploymentId).isEqualTo(original.deploymentId());
        assertThat(invoker.warmed).hasSize(1);
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-zip", "no-index", "bad-settings", "too-large", "bad-name", "dotted-name"})
    void aFailedDeployLeavesNothingBehind(String problem) throws IOException {
        String fileName = problem + ".zip";
        byte[] zip = Zips.of("exports.handler = async () => ({ body: 1 });");
        Reason expected = Reason.BAD_REQUEST;
        switch (problem) {
            case "not-a-zip" -> zip = utf8("this is plain text, not a zip");
            case "no-index" -> zip = Zips.of(Map.of("main.js", "// no index"));
            case "bad-settings" -> zip = Zips.of(Map.of("index.js", "// ok", "glambdar.json", "{\"timeout\": \"soon\"}"));
            case "too-large" -> {
                byte[] big = new byte[(int) LIMITS.maxUncompressedBytes() + 1];
                new Random(1).nextBytes(big);
                zip = Zips.ofBytes(Map.of("index.js", utf8("// ok"), "big.bin", big));
                expected = Reason.TOO_LARGE;
            }
            case "bad-name" -> fileName = "..zip";
            case "dotted-name" -> fileName = "a.b.zip";
            default -> throw new IllegalArgumentException(problem);
        }
        Path upload = upload(zip);
        Reason reason = expected;
        String uploadName = fileName;

        assertThatThrownBy(() -> store.deploy(uploadName, upload))
                .isInstanceOfSatisfying(DeployRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason));

        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("functions")).isEmptyDirectory();
        assertThat(store.list()).isEmpty();
        assertThat(db.findAll()).isEmpty();
        assertThat(invoker.warmed).isEmpty();
    }

    @Test
    void ofEightConcurrentDeploysOfOneNameExactlyOneSucceeds() throws Exception {
        int threads = 8;
        List<Path> uploads = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            uploads.add(upload(Zips.of("// version " + i)));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<FunctionInfo>> results = new ArrayList<>();
            for (Path zip : uploads) {
                results.add(pool.submit(() -> {
                    start.await();
                    return store.deploy("race.zip", zip);
                }));
            }
            start.countDown();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                try {
                    results.get(i).get(30, TimeUnit.SECONDS);
                    winners.add(i);
                } catch (java.util.concurrent.ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(DeployRejectedException.class,
                            rejected -> assertThat(rejected.reason()).isEqualTo(Reason.CONFLICT));
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(tree(dir.resolve("functions/race")))
                    .isEqualTo(Map.of("index.js", "// version " + winners.getFirst()));
            assertThat(invoker.warmed).hasSize(1);
            assertThat(db.findAll()).singleElement().extracting(FunctionRecord::deploymentId)
                    .isEqualTo(store.get("race").deploymentId());
            assertThat(dir.resolve("staging")).isEmptyDirectory();
        } finally {
            pool.shutdownNow();
        }
    }

    // ---------------------------------------------------------------- invoke and statistics

    @Test
    void invokeCountsWhatRanButNotWhatWasRefused() throws IOException {
        DeployedFunction fn = deploy("f");
        List<InvocationResult> answers = List.of(
                ok("i1", "{}"),
                failed("i2", Failure.FUNCTION_ERROR, "handler_threw"),
                failed("i3", Failure.TIMEOUT, "timeout"),
                failed("i4", Failure.OVERLOADED, "overloaded"),
                failed("i5", Failure.UNAVAILABLE, "unavailable"),
                new InvocationResult.Completed("i6", 500, Map.of(), utf8("\"oops\""), "", 9, false, 0));
        for (InvocationResult answer : answers) {
            invoker.answer((called, request) -> answer);
            assertThat(store.invoke("f", REQUEST)).isSameAs(answer);
        }

        assertThat(invoker.invocations).hasSize(6).allSatisfy(call -> {
            assertThat(call.fn()).isEqualTo(fn);
            assertThat(call.request()).isSameAs(REQUEST);
        });
        FunctionInfo info = store.get("f");
        assertThat(info.invokeCount()).isEqualTo(4);
        assertThat(info.errorCount()).isEqualTo(2);
        assertThat(info.lastStatus()).isEqualTo("ok"); // the function answered 500 itself: it ran fine
        assertThat(store.recentInvocations("f")).extracting(InvocationLogs.Entry::invocationId)
                .containsExactly("i6", "i3", "i2", "i1");
    }

    @Test
    void concurrentInvocationsLoseNoCount() throws Exception {
        deploy("busy");
        invoker.answer((fn, request) -> {
            String id = new String(request.body(), StandardCharsets.UTF_8);
            int j = Integer.parseInt(id.substring(id.indexOf('-') + 1));
            return switch (j % 10) {
                case 0 -> failed(id, Failure.FUNCTION_ERROR, "handler_threw");
                case 1 -> failed(id, Failure.TIMEOUT, "timeout");
                default -> ok(id, "{}");
            };
        });
        int threads = 16;
        int perThread = 250;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int j = 0; j < perThread; j++) {
                        store.invoke("busy", new InvocationRequest("POST", "/invoke/busy", "", Map.of(),
                                utf8(thread + "-" + j)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        long expectedErrors = (long) threads * perThread / 10 * 2;
        assertThat(store.get("busy").invokeCount()).isEqualTo(4000);
        assertThat(store.get("busy").errorCount()).isEqualTo(expectedErrors);
        restart();
        assertThat(store.get("busy").invokeCount()).isEqualTo(4000);
        assertThat(store.get("busy").errorCount()).isEqualTo(expectedErrors);
        assertThat(db.find("busy")).get().satisfies(row -> {
            assertThat(row.invokeCount()).isEqualTo(4000);
            assertThat(row.errorCount()).isEqualTo(expectedErrors);
        });
    }

    @Test
    void lastInvocationFieldsDescribeTheLatestCall() throws IOException {
        deploy("f");
        clock.set(T0.plusSeconds(10));
        invoker.answer((fn, request) -> new InvocationResult.Completed("a", 200, Map.of(), new byte[0], "", 12, false, 0));
        store.invoke("f", REQUEST);
        assertThat(store.get("f")).satisfies(info -> {
            assertThat(info.lastInvokedAt()).isEqualTo(T0.plusSeconds(10));
            assertThat(info.lastStatus()).isEqualTo("ok");
            assertThat(info.lastDurationMs()).isEqualTo(12);
        });

        clock.set(T0.plusSeconds(20));
        invoker.answer((fn, request) -> new InvocationResult.Failed("b", Failure.TIMEOUT, "timeout", "too slow", "",
                30_000, 0, false, 0));
        store.invoke("f", REQUEST);
        clock.set(T0.plusSeconds(30)); // refused: not a call of the function
        invoker.answer((fn, request) -> failed("c", Failure.OVERLOADED, "overloaded"));
        store.invoke("f", REQUEST);

        FunctionInfo info = store.get("f");
        assertThat(info.lastInvokedAt()).isEqualTo(T0.plusSeconds(20));
        assertThat(info.lastStatus()).isEqualTo("timeout");
        assertThat(info.lastDurationMs()).isEqualTo(30_000);
        assertThat(info.invokeCount()).isEqualTo(2);
        assertThat(info.errorCount()).isEqualTo(1);
    }

    @Test
    void statisticsSurviveARestart() throws IOException {
        deploy("kept");
        clock.set(T0.plusSeconds(5));
        store.invoke("kept", REQUEST);
        clock.set(T0.plusSeconds(6));
        invoker.answer((fn, request) -> failed("x", Failure.FUNCTION_ERROR, "handler_threw"));
        store.invoke("kept", REQUEST);
        FunctionInfo before = store.get("kept");
        assertThat(before.invokeCount()).isEqualTo(2);

        restart();

        assertThat(store.get("kept")).isEqualTo(before);
        assertThat(before.lastInvokedAt()).isEqualTo(T0.plusSeconds(6));
        assertThat(before.lastStatus()).isEqualTo("error");
        assertThat(before.lastDurationMs()).isEqualTo(7);
    }

    // ---------------------------------------------------------------- delete

    @Test
    void deleteFreesTheNameAtOnceAndRemovesTheCodeOnceRetired() throws IOException {
        DeployedFunction old = deploy("f", "// v1");
        store.invoke("f", REQUEST);
        assertThat(store.recentInvocations("f")).hasSize(1);

        store.delete("f");

        assertThatThrownBy(() -> store.get("f")).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> store.invoke("f", REQUEST)).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> store.recentInvocations("f")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(invoker.invocations).hasSize(1);
        assertThat(invoker.retired).containsExactly(old);
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(db.find("f")).isEmpty();
        Path trash = dir.resolve("trash");
        assertThat(children(trash)).singleElement()
                .satisfies(moved -> assertThat(tree(moved)).isEqualTo(Map.of("index.js", "// v1")));

        // A new deploy of the name works while the old one is still retiring.
        DeployedFunction fresh = deploy("f", "// v2");
        assertThat(fresh.deploymentId()).isNotEqualTo(old.deploymentId());
        assertThat(store.recentInvocations("f")).isEmpty();
        assertThat(store.get("f").invokeCount()).isZero();

        invoker.retirements.get(old.deploymentId()).complete(null);

        assertThat(trash).isEmptyDirectory();
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v2"));
        assertThat(store.get("f").deploymentId()).isEqualTo(fresh.deploymentId());
    }

    @Test
    void anInvocationThatEndsAfterItsFunctionWasDeletedDoesNotShowUpUnderANewDeployOfTheName() throws Exception {
        deploy("f", "// v1");
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        invoker.answer((fn, request) -> {
            arrived.countDown();
            await(release);
            return ok("late", "{}");
        });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<InvocationResult> late = pool.submit(() -> store.invoke("f", REQUEST));
            assertThat(arrived.await(30, TimeUnit.SECONDS)).isTrue();

            store.delete("f");
            deploy("f", "// v2");
            release.countDown();
            assertThat(late.get(30, TimeUnit.SECONDS).invocationId()).isEqualTo("late");
        } finally {
            pool.shutdownNow();
        }

        assertThat(store.recentInvocations("f")).isEmpty();
        assertThat(store.invocation("f", "late")).isEmpty();
        assertThat(store.get("f").invokeCount()).isZero();
        assertThat(store.get("f").lastInvokedAt()).isNull();
    }

    @Test
    void deleteOfAnUnknownFunctionIsNotFound() {
        assertThatThrownBy(() -> store.delete("ghost"))
                .isInstanceOf(FunctionNotFoundException.class)
                .hasMessageContaining("'ghost' not found");
        assertThat(invoker.retired).isEmpty();
    }

    // ---------------------------------------------------------------- names

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/b", "a.b", "", " x", "../functions"})
    void invalidNamesAreRejectedWithoutTouchingTheFileSystem(String name) throws IOException {
        deploy("real");
        Map<String, String> before = tree(dir.resolve("functions"));
        List<Path> topLevel = children(dir);

        for (Runnable call : List.<Runnable>of(() -> store.get(name), () -> store.invoke(name, REQUEST),
                () -> store.delete(name), () -> store.recentInvocations(name), () -> store.invocation(name, "x"))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(DeployRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
        }
        if (!name.contains("/")) { // an upload's file name may carry a directory part, which is ignored
            // The zip does not even exist: the name is refused before the upload is looked at.
            assertThatThrownBy(() -> store.deploy(name + ".zip", dir.resolve("missing.zip")))
                    .isInstanceOfSatisfying(DeployRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
        }

        assertThat(invoker.invocations).isEmpty();
        assertThat(invoker.retired).isEmpty();
        assertThat(tree(dir.resolve("functions"))).isEqualTo(before);
        assertThat(children(dir)).isEqualTo(topLevel);
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("trash")).isEmptyDirectory();
    }

    // ---------------------------------------------------------------- reconcile at start-up

    @Test
    void startUpMakesTheDatabaseAndTheFoldersAgree() throws IOException {
        FunctionInfo kept = store.deploy("kept.zip", upload(Zips.of("// kept")));
        store.deploy("lost.zip", upload(Zips.of("// lost")));
        store.close();
        db.close();

        Path functions = dir.resolve("functions");
        deleteTree(functions.resolve("lost"));
        Path adopted = write(functions.resolve("adopted"), Map.of("index.js", "// adopted",
                "glambdar.json", "{\"memory\": 512, \"timeout\": 3}"));
        Instant modified = Instant.parse("2024-12-24T18:30:00.125Z");
        Files.setLastModifiedTime(adopted, FileTime.from(modified));
        write(functions.resolve("wrapped"), Map.of("pkg/index.js", "// wrapped"));
        write(functions.resolve("a.b"), Map.of("index.js", "// bad name"));
        write(functions.resolve("noindex"), Map.of("main.js", "// no index.js"));
        write(functions.resolve("badsettings"), Map.of("index.js", "//", "glambdar.json", "{\"bogus\": 1}"));
        write(dir.resolve("staging/half-1234"), Map.of("index.js", "// half a deploy"));
        write(dir.resolve("trash/gone-abcd"), Map.of("index.js", "// half a delete"));

        db = MetadataDatabase.open(dir.resolve("glambdar.db"));
        store = newStore();

        assertThat(store.list()).extracting(FunctionInfo::name).containsExactly("adopted", "kept", "wrapped");
        assertThat(db.findAll()).extracting(FunctionRecord::name).containsExactly("adopted", "kept", "wrapped");
        assertThat(store.get("kept")).isEqualTo(kept);
        assertThatThrownBy(() -> store.get("lost")).isInstanceOf(FunctionNotFoundException.class);

        FunctionInfo adoptedInfo = store.get("adopted");
        assertThat(adoptedInfo.createdAt()).isEqualTo(modified);
        assertThat(adoptedInfo.lastInvokedAt()).isNull();
        assertThat(adoptedInfo.invokeCount()).isZero();
        assertThat(adoptedInfo.settings().memory()).isEqualTo(512);
        assertThat(adoptedInfo.settings().timeout()).isEqualTo(3.0);
        // Ignored, but left for the operator to look at.
        assertThat(functions.resolve("a.b/index.js")).hasContent("// bad name");
        assertThat(functions.resolve("noindex/main.js")).hasContent("// no index.js");
        assertThat(functions.resolve("badsettings/index.js")).exists();
        assertThatThrownBy(() -> store.get("noindex")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("trash")).isEmptyDirectory();

        // Adopted functions keep their row (and creation time) across the next restart.
        restart();
        assertThat(store.get("adopted")).isEqualTo(adoptedInfo);

        // Their code runs from where index.js is: the folder itself, or its single sub-folder.
        store.invoke("adopted", REQUEST);
        store.invoke("wrapped", REQUEST);
        assertThat(invoker.invocations).extracting(call -> call.fn().codeDir())
                .containsExactly(functions.resolve("adopted"), functions.resolve("wrapped/pkg"));
    }

    // ---------------------------------------------------------------- invocation logs

    @Test
    void theLastFiftyInvocationsAreKeptNewestFirstAndFoundById() throws IOException {
        deploy("f");
        int[] n = {0};
        invoker.answer((fn, request) -> {
            int i = n[0]++;
            if (i == 59) {
                return new InvocationResult.Failed("inv-59", Failure.FUNCTION_ERROR, "handler_threw", "boom",
                        "printed 59\n", 3, 0, false, 0);
            }
            return new InvocationResult.Completed("inv-" + i, 201, Map.of(), new byte[0], "printed " + i + "\n", i, false, 0);
        });
        for (int i = 0; i < 60; i++) {
            clock.set(T0.plusSeconds(i));
            store.invoke("f", REQUEST);
        }

        List<InvocationLogs.Entry> recent = store.recentInvocations("f");
        assertThat(recent).hasSize(50);
        assertThat(recent.getFirst().invocationId()).isEqualTo("inv-59");
        assertThat(recent.getLast().invocationId()).isEqualTo("inv-10");
        assertThat(recent).extracting(InvocationLogs.Entry::startedAt).isSortedAccordingTo((a, b) -> b.compareTo(a));

        assertThat(store.invocation("f", "inv-42")).contains(new InvocationLogs.Entry("inv-42", T0.plusSeconds(42), 42,
                "ok", 201, null, "printed 42\n"));
        assertThat(store.invocation("f", "inv-59")).contains(new InvocationLogs.Entry("inv-59", T0.plusSeconds(59), 3,
                "error", null, "handler_threw", "printed 59\n"));
        assertThat(store.invocation("f", "inv-9")).isEmpty();
        assertThat(store.invocation("f", "nope")).isEmpty();
        assertThatThrownBy(() -> store.invocation("ghost", "inv-1")).isInstanceOf(FunctionNotFoundException.class);
    }

    // ---------------------------------------------------------------- helpers

    private DeployedFunction deploy(String name) throws IOException {
        return deploy(name, "exports.handler = async () => ({ body: 1 });");
    }

    private DeployedFunction deploy(String name, String indexJs) throws IOException {
        FunctionInfo info = store.deploy(name + ".zip", upload(Zips.of(indexJs)));
        return invoker.warmed.stream().filter(fn -> fn.deploymentId().equals(info.deploymentId()))
                .findFirst().orElseThrow();
    }

    private Path upload(byte[] zip) throws IOException {
        Path uploads = Files.createDirectories(dir.resolve("uploads"));
        return Files.write(Files.createTempFile(uploads, "upload-", ".zip"), zip);
    }

    /** Every regular file under {@code root}, by relative path, with its content (bytes as ISO-8859-1). */
    private static Map<String, String> tree(Path root) {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                files.put(root.relativize(file).toString(),
                        new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Map<String, String> asText(Map<String, byte[]> files) {
        Map<String, String> text = new TreeMap<>();
        files.forEach((name, bytes) -> text.put(name, new String(bytes, StandardCharsets.ISO_8859_1)));
        return text;
    }

    private static Path write(Path root, Map<String, String> files) throws IOException {
        for (var file : files.entrySet()) {
            Path path = root.resolve(file.getKey());
            Files.createDirectories(path.getParent());
            Files.writeString(path, file.getValue());
        }
        return root;
    }

    private static List<Path> children(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.sorted().toList();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted((a, b) -> b.compareTo(a)).toList()) {
                Files.delete(path);
            }
        }
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

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A clock the test moves by hand. */
    private static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
