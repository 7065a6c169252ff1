package io.glambdar.store;

import io.glambdar.it.Zips;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.VersionRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.store.TestStore.names;
import static io.glambdar.store.TestStore.tree;
import static io.glambdar.store.TestStore.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FunctionCatalogTest {

    @TempDir
    Path dir;

    private TestStore store;
    private FunctionCatalog catalog;

    @BeforeEach
    void open() {
        store = new TestStore(dir);
        catalog = store.catalog;
    }

    @AfterEach
    void close() {
        store.close();
    }

    // ---------------------------------------------------------------- deploy

    @Test
    void deployExtractsIntoADeploymentFolderOfItsOwnAndLinksFunctionsNameToIt() throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("index.js", utf8("exports.handler = async () => ({ body: 'hi' });"));
        files.put("lib/util.js", utf8("module.exports = 42;"));
        files.put("glambdar.json", utf8("{\"timeout\": 5, \"memory\": 256, \"env\": {\"B\": \"2\", \"A\": \"1\"}}"));
        files.put("data.bin", new byte[]{0, (byte) 0xff, (byte) 0xfe, 10, 13});

        StoredFunction hello = catalog.deploy("hello.zip", store.upload(Zips.ofBytes(files)));

        Deployment deployment = hello.active();
        Path folder = dir.resolve("deployments/hello/" + deployment.deploymentId());
        assertThat(deployment.codeDir()).isEqualTo(folder);
        assertThat(tree(folder)).isEqualTo(asText(files));
        // functions/<name> shows exactly the upload, through a relative link to the deployment's folder
        Path link = dir.resolve("functions/hello");
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../deployments/hello", deployment.deploymentId()));
        assertThat(tree(link)).isEqualTo(asText(files));

        assertThat(deployment.name()).isEqualTo("hello");
        assertThat(deployment.version()).isEqualTo(1);
        assertThat(deployment.deployedAt()).isEqualTo(T0);
        assertThat(deployment.sha256()).isEqualTo(sha256(Zips.ofBytes(files)));
        assertThat(hello.createdAt()).isEqualTo(T0);
        assertThat(hello.versions().active()).isEqualTo(1);
        assertThat(hello.versions().newestFirst()).containsExactly(deployment);
        assertThat(deployment.fileCount()).isEqualTo(4);
        assertThat(deployment.settings().timeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(deployment.settings().memoryMb()).isEqualTo(256);
        assertThat(deployment.settings().env()).isEqualTo(Map.of("A", "1", "B", "2"));
        assertThat(hello.counters().invocations()).isZero();
        assertThat(hello.counters().last()).isNull();
        assertThat(catalog.find("hello")).isSameAs(hello);
        assertThat(catalog.all()).containsExactly(hello);
        assertThat(store.repository.find("hello")).get().satisfies(row -> {
            assertThat(row.functionId()).isEqualTo(hello.functionId());
            assertThat(row.createdAt()).isEqualTo(T0);
            assertThat(row.activeVersion()).isEqualTo(1);
        });
        assertThat(store.repository.findVersions("hello")).singleElement().satisfies(row -> {
            assertThat(row.version()).isEqualTo(1);
            assertThat(row.deploymentId()).isEqualTo(deployment.deploymentId());
            assertThat(row.deployedAt()).isEqualTo(T0);
            assertThat(row.codeRoot()).isEmpty();
            assertThat(row.sha256()).isEqualTo(deployment.sha256());
            assertThat(row.fileCount()).isEqualTo(4);
            assertThat(row.codeSizeBytes()).isEqualTo(deployment.codeSizeBytes());
        });
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void theCodeOfAZipWrappedInOneFolderIsThatFolder() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("hello-1.0/index.js", "exports.handler = async () => ({ body: 1 });");
        files.put("hello-1.0/package.json", "{}");

        StoredFunction wrapped = catalog.deploy("wrapped.zip", store.upload(Zips.of(files)));

        assertThat(tree(dir.resolve("functions/wrapped"))).isEqualTo(files);
        assertThat(wrapped.active().codeDir()).isEqualTo(store.deployment(wrapped).resolve("hello-1.0"));
    }

    @Test
    void deployOfAnExistingNameIsAConflictAndLeavesTheOriginalAlone() {
        StoredFunction original = store.deploy("hello", "// v1");
        store.clock.advance(Duration.ofMinutes(1));

        assertThatThrownBy(() -> store.deploy("hello", "// v2"))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT))
                .hasMessageContaining("'hello' already exists")
                .hasMessageContaining("PUT /deploy/hello"); // a new version is deployed with PUT

        assertThat(tree(dir.resolve("functions/hello"))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(names(dir.resolve("deployments/hello"))).containsExactly(original.active().deploymentId());
        assertThat(catalog.find("hello")).isSameAs(original);
        assertThat(original.versions().newestFirst()).containsExactly(original.active());
        assertThat(store.repository.find("hello")).get().extracting(FunctionRecord::functionId)
                .isEqualTo(original.functionId());
        assertThat(store.repository.findVersions("hello")).extracting(VersionRecord::deploymentId)
                .containsExactly(original.active().deploymentId());
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-zip", "no-index", "bad-settings", "too-large", "bad-name", "dotted-name"})
    void aFailedDeployLeavesNothingBehind(String problem) {
        String fileName = problem + ".zip";
        byte[] zip = Zips.of("exports.handler = async () => ({ body: 1 });");
        Reason expected = Reason.BAD_REQUEST;
        switch (problem) {
            case "not-a-zip" -> zip = utf8("this is plain text, not a zip");
            case "no-index" -> zip = Zips.of(Map.of("main.js", "// no index"));
            case "bad-settings" -> zip = Zips.of(Map.of("index.js", "// ok",
                    "glambdar.json", "{\"timeout\": \"soon\"}"));
            case "too-large" -> {
                byte[] big = new byte[(int) TestStore.LIMITS.maxUncompressedBytes() + 1];
                new Random(1).nextBytes(big);
                zip = Zips.ofBytes(Map.of("index.js", utf8("// ok"), "big.bin", big));
                expected = Reason.TOO_LARGE;
            }
            case "bad-name" -> fileName = "..zip";
            case "dotted-name" -> fileName = "a.b.zip";
            default -> throw new IllegalArgumentException(problem);
        }
        Path upload = store.upload(zip);
        Reason reason = expected;
        String uploadName = fileName;

        assertThatThrownBy(() -> catalog.deploy(uploadName, upload))
                .isInstanceOfSatisfying(DeployRejectedException.class, e -> assertThat(e.reason()).isEqualTo(reason));

        assertNothingStored();
    }

    @Test
    void ofEightConcurrentDeploysOfOneNameExactlyOneSucceeds() throws Exception {
        int threads = 8;
        List<Path> uploads = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            uploads.add(store.upload(Zips.of("// version " + i)));
        }
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<StoredFunction>> results = new ArrayList<>();
            for (Path zip : uploads) {
                results.add(pool.submit(() -> {
                    start.await();
                    return catalog.deploy("race.zip", zip);
                }));
            }
            start.countDown();
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                try {
                    results.get(i).get(30, TimeUnit.SECONDS);
                    winners.add(i);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOfSatisfying(DeployRejectedException.class,
                            rejected -> assertThat(rejected.reason()).isEqualTo(Reason.CONFLICT));
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(tree(dir.resolve("functions/race")))
                    .isEqualTo(Map.of("index.js", "// version " + winners.getFirst()));
            StoredFunction race = catalog.find("race");
            String deploymentId = race.active().deploymentId();
            assertThat(names(dir.resolve("deployments/race"))).containsExactly(deploymentId);
            assertThat(store.repository.findAll()).singleElement().extracting(FunctionRecord::functionId)
                    .isEqualTo(race.functionId());
            assertThat(store.repository.findVersions("race")).singleElement()
                    .extracting(VersionRecord::deploymentId).isEqualTo(deploymentId);
            assertThat(dir.resolve("staging")).isEmptyDirectory();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theRepositoryDecidesARaceThisProcessCannotSee() {
        // Another node deployed the name first: its row is there, this catalog has not seen it.
        store.repository.insert(FunctionRecord.newlyDeployed("shared", "elsewhere", T0),
                new VersionRecord("shared", 1, "elsewhere-v1", T0, null, "", 1, 1, "{}"));

        assertThatThrownBy(() -> store.deploy("shared", "// mine"))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT))
                .hasMessageContaining("'shared' already exists");

        assertThat(store.repository.find("shared")).get().extracting(FunctionRecord::functionId)
                .isEqualTo("elsewhere");
        assertThat(store.repository.findVersions("shared")).extracting(VersionRecord::deploymentId)
                .containsExactly("elsewhere-v1");
        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(names(dir.resolve("functions"))).isEmpty();
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void aFolderPutInFunctionsByHandIsNeverReplaced() {
        TestStore.write(dir.resolve("functions/stray"), Map.of("index.js", "// by hand"));

        assertThatThrownBy(() -> store.deploy("stray", "// deployed"))
                .isInstanceOfSatisfying(DeployRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.CONFLICT))
                .hasMessageContaining("functions/stray")
                .hasMessageContaining("in the way");

        assertThat(dir.resolve("functions/stray/index.js")).hasContent("// by hand");
        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(store.repository.findAll()).isEmpty();
    }

    // ---------------------------------------------------------------- remove and discard

    @Test
    void aRemovedFunctionIsGoneAtOnceWhileItsCodeStaysUntilDiscarded() {
        StoredFunction old = store.deploy("f", "// v1");
        Path oldCode = store.deployment(old);

        assertThat(catalog.remove("f")).isSameAs(old);

        assertThatThrownBy(() -> catalog.find("f")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(catalog.all()).isEmpty();
        assertThat(catalog.counters()).isEmpty();
        assertThat(store.repository.find("f")).isEmpty();
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(tree(oldCode)).isEqualTo(Map.of("index.js", "// v1")); // invocations still running read it

        // The name is free at once; the new deploy gets a folder of its own.
        StoredFunction fresh = store.deploy("f", "// v2");
        assertThat(fresh.active().deploymentId()).isNotEqualTo(old.active().deploymentId());
        assertThat(fresh.functionId()).isNotEqualTo(old.functionId());
        assertThat(fresh.counters()).isNotSameAs(old.counters());
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v2"));

        catalog.discard(old.active());

        assertThat(oldCode).doesNotExist();
        assertThat(names(dir.resolve("deployments/f"))).containsExactly(fresh.active().deploymentId());
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v2"));
    }

    @Test
    void discardingTheLastDeploymentOfANameLeavesNoFolder() {
        StoredFunction f = store.deploy("f", "// v1");
        catalog.remove("f");

        catalog.discard(f.active());

        assertThat(names(dir.resolve("deployments"))).isEmpty();
        assertThat(names(dir.resolve("functions"))).isEmpty();
    }

    @Test
    void removeOfAnUnknownFunctionIsNotFound() {
        assertThatThrownBy(() -> catalog.remove("ghost"))
                .isInstanceOf(FunctionNotFoundException.class)
                .hasMessageContaining("'ghost' not found");
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- names

    @ParameterizedTest
    @ValueSource(strings = {"..", "a/b", "a.b", "", " x", "../functions"})
    void invalidNamesAreRejectedWithoutTouchingTheFileSystem(String name) {
        store.deploy("real", "// real");
        List<String> topLevel = names(dir);
        List<String> functions = names(dir.resolve("functions"));
        Map<String, String> code = tree(dir.resolve("deployments"));

        Path missingZip = dir.resolve("missing.zip");
        for (Runnable call : List.<Runnable>of(() -> catalog.find(name), () -> catalog.remove(name),
                () -> catalog.rollback(name, null), () -> catalog.rollback(name, 1),
                // the name comes from the path: refused before the (missing) upload is looked at
                () -> catalog.update(name, missingZip))) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(DeployRejectedException.class,
                    e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
        }
        if (!name.contains("/")) { // an upload's file name may carry a directory part, which is ignored
            // The zip does not even exist: the name is refused before the upload is looked at.
            assertThatThrownBy(() -> catalog.deploy(name + ".zip", missingZip))
                    .isInstanceOfSatisfying(DeployRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.BAD_REQUEST));
        }

        assertThat(names(dir)).isEqualTo(topLevel);
        assertThat(names(dir.resolve("functions"))).isEqualTo(functions);
        assertThat(tree(dir.resolve("deployments"))).isEqualTo(code);
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(catalog.all()).extracting(StoredFunction::name).containsExactly("real");
    }

    private void assertNothingStored() {
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        assertThat(dir.resolve("functions")).isEmptyDirectory();
        assertThat(dir.resolve("deployments")).isEmptyDirectory();
        assertThat(catalog.all()).isEmpty();
        assertThat(store.repository.findAll()).isEmpty();
    }

    private static Map<String, String> asText(Map<String, byte[]> files) {
        Map<String, String> text = new TreeMap<>();
        files.forEach((name, bytes) -> text.put(name, new String(bytes, StandardCharsets.ISO_8859_1)));
        return text;
    }
}
