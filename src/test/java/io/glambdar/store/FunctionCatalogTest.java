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
import java.util.concurrent.ConcurrentHashMap;
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
import static org.assertj.core.api.Assertions.tuple;

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

        byte[] zip = Zips.ofBytes(files); // once: a zip holds its entries' times, so two builds may differ
        StoredFunction hello = catalog.deploy("hello.zip", store.upload(zip)).function();

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
        assertThat(deployment.sha256()).isEqualTo(sha256(zip));
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

        StoredFunction wrapped = catalog.deploy("wrapped.zip", store.upload(Zips.of(files))).function();

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
                    return catalog.deploy("race.zip", zip).function();
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

    // ---------------------------------------------------------------- versions

    @Test
    void everyUpdateIsANewVersionMadeActiveAndLinkedFromFunctions() throws Exception {
        byte[] zip1 = Zips.of("// v1");
        byte[] zip2 = Zips.of(Map.of("index.js", "// v2", "lib/a.js", "// a", "glambdar.json", "{\"memory\": 256}"));
        byte[] zip3 = Zips.of(Map.of("index.js", "// v3", "README", "x"));

        FunctionCatalog.Update first = catalog.update("f", store.upload(zip1));
        store.clock.advance(Duration.ofMinutes(1));
        FunctionCatalog.Update second = catalog.update("f", store.upload(zip2));
        store.clock.advance(Duration.ofMinutes(1));
        FunctionCatalog.Update third = catalog.update("f", store.upload(zip3));

        StoredFunction f = catalog.find("f");
        assertThat(List.of(first.function(), second.function(), third.function())).allMatch(fn -> fn == f);
        assertThat(List.of(first.deployed(), second.deployed(), third.deployed()))
                .extracting(Deployment::version).containsExactly(1, 2, 3);
        assertThat(first.previous()).isNull();
        assertThat(second.previous()).isEqualTo(first.deployed());
        assertThat(third.previous()).isEqualTo(second.deployed());
        assertThat(List.of(first.pruned(), second.pruned(), third.pruned())).allMatch(List::isEmpty);

        assertThat(f.active()).isEqualTo(third.deployed());
        assertThat(f.versions().active()).isEqualTo(3);
        assertThat(f.versions().newestFirst()).containsExactly(third.deployed(), second.deployed(), first.deployed());
        assertThat(f.version(2)).contains(second.deployed());
        assertThat(f.version(4)).isEmpty();

        Deployment v2 = second.deployed();
        assertThat(v2.deployedAt()).isEqualTo(T0.plusSeconds(60));
        assertThat(v2.sha256()).isEqualTo(sha256(zip2)).hasSize(64);
        assertThat(v2.fileCount()).isEqualTo(3);
        assertThat(v2.settings().memoryMb()).isEqualTo(256);
        assertThat(first.deployed().settings().memoryMb()).isNotEqualTo(256);
        assertThat(third.deployed().sha256()).isEqualTo(sha256(zip3));
        assertThat(third.deployed().fileCount()).isEqualTo(2);

        // Each version has a folder of its own; functions/f shows the active one.
        assertThat(names(dir.resolve("deployments/f"))).containsExactlyInAnyOrder(
                first.deployed().deploymentId(), v2.deploymentId(), third.deployed().deploymentId());
        assertThat(tree(store.deployment(v2))).containsEntry("index.js", "// v2");
        assertThat(Files.readSymbolicLink(dir.resolve("functions/f")))
                .isEqualTo(Path.of("../deployments/f", third.deployed().deploymentId()));
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3", "README", "x"));

        // The repository agrees.
        assertThat(store.repository.find("f")).get().satisfies(row -> {
            assertThat(row.activeVersion()).isEqualTo(3);
            assertThat(row.functionId()).isEqualTo(f.functionId());
            assertThat(row.createdAt()).isEqualTo(T0);
        });
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version, VersionRecord::deploymentId,
                VersionRecord::sha256, VersionRecord::fileCount).containsExactly(
                tuple(3, third.deployed().deploymentId(), sha256(zip3), 2),
                tuple(2, v2.deploymentId(), sha256(zip2), 3),
                tuple(1, first.deployed().deploymentId(), sha256(zip1), 1));
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void anUpdateOfANewNameIsItsVersionOne() {
        FunctionCatalog.Update update = store.update("fresh", "// first");

        assertThat(update.deployed().version()).isEqualTo(1);
        assertThat(update.previous()).isNull();
        assertThat(update.pruned()).isEmpty();
        assertThat(catalog.find("fresh")).isSameAs(update.function());
        assertThat(update.function().createdAt()).isEqualTo(T0);
        assertThat(tree(dir.resolve("functions/fresh"))).isEqualTo(Map.of("index.js", "// first"));
        assertThat(store.repository.find("fresh")).get().extracting(FunctionRecord::activeVersion).isEqualTo(1);
        assertThat(store.repository.findVersions("fresh")).extracting(VersionRecord::version).containsExactly(1);
    }

    @Test
    void anUpdateDoesNotResetTheStatistics() {
        StoredFunction f = store.deploy("f", "// v1");
        f.counters().record(T0.plusSeconds(1), "ok", 5);

        store.update("f", "// v2");

        assertThat(catalog.find("f").counters()).isSameAs(f.counters());
        assertThat(catalog.find("f").counters().invocations()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-zip", "no-index", "bad-settings", "too-large"})
    void anUpdateWhoseZipIsRefusedChangesNothing(String problem) throws Exception {
        store.deploy("f", "// v1");
        StoredFunction f = catalog.find("f");
        store.update("f", "// v2");
        FunctionVersions before = f.versions();
        List<String> folders = names(dir.resolve("deployments/f"));
        Path link = Files.readSymbolicLink(dir.resolve("functions/f"));
        List<VersionRecord> rows = store.repository.findVersions("f");
        byte[] zip = switch (problem) {
            case "not-a-zip" -> utf8("this is plain text, not a zip");
            case "no-index" -> Zips.of(Map.of("main.js", "// no index"));
            case "bad-settings" -> Zips.of(Map.of("index.js", "// ok", "glambdar.json", "{\"timeout\": \"soon\"}"));
            case "too-large" -> {
                byte[] big = new byte[(int) TestStore.LIMITS.maxUncompressedBytes() + 1];
                new Random(1).nextBytes(big);
                yield Zips.ofBytes(Map.of("index.js", utf8("// ok"), "big.bin", big));
            }
            default -> throw new IllegalArgumentException(problem);
        };
        Path upload = store.upload(zip);

        assertThatThrownBy(() -> catalog.update("f", upload)).isInstanceOf(DeployRejectedException.class);

        assertThat(catalog.find("f")).isSameAs(f);
        assertThat(f.versions()).isSameAs(before);
        assertThat(f.active().version()).isEqualTo(2);
        assertThat(names(dir.resolve("deployments/f"))).isEqualTo(folders);
        assertThat(Files.readSymbolicLink(dir.resolve("functions/f"))).isEqualTo(link);
        assertThat(store.repository.findVersions("f")).isEqualTo(rows);
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(2);
        assertThat(dir.resolve("staging")).isEmptyDirectory();
        // and the next version is still 3
        assertThat(store.update("f", "// v3").deployed().version()).isEqualTo(3);
    }

    @Test
    void versionsBeyondTheKeptOnesArePrunedButTheirCodeStaysUntilDiscarded() {
        keepVersions(3);
        List<Deployment> deployed = new ArrayList<>();
        List<List<Deployment>> pruned = new ArrayList<>();
        for (int v = 1; v <= 5; v++) {
            FunctionCatalog.Update update = store.update("f", "// v" + v);
            deployed.add(update.deployed());
            pruned.add(update.pruned());
        }

        assertThat(pruned).containsExactly(List.of(), List.of(), List.of(), List.of(deployed.get(0)),
                List.of(deployed.get(1)));
        StoredFunction f = catalog.find("f");
        assertThat(f.versions().kept().keySet()).containsExactly(3, 4, 5);
        assertThat(f.active().version()).isEqualTo(5);
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(5, 4, 3);
        assertThat(f.version(1)).isEmpty();
        // Invocations still running on versions 1 and 2 read their code: it stays until discarded.
        assertThat(tree(store.deployment(deployed.get(0)))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(tree(store.deployment(deployed.get(1)))).isEqualTo(Map.of("index.js", "// v2"));

        catalog.discard(deployed.get(0));
        catalog.discard(deployed.get(1));

        assertThat(names(dir.resolve("deployments/f"))).containsExactlyInAnyOrder(
                deployed.get(2).deploymentId(), deployed.get(3).deploymentId(), deployed.get(4).deploymentId());
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v5"));
    }

    @Test
    void aStartWithFewerVersionsKeptPrunesTheSurplusAtOnceKeepingTheActiveOne() {
        keepVersions(10);
        List<Deployment> deployed = new ArrayList<>();
        for (int v = 1; v <= 5; v++) {
            deployed.add(store.update("f", "// v" + v).deployed());
        }
        catalog.rollback("f", 1);

        keepVersions(2); // restarted with GLAMBDAR_KEEP_VERSIONS=2

        StoredFunction f = catalog.find("f");
        assertThat(f.versions().kept().keySet()).containsExactly(1, 4, 5); // the newest two, and the active one
        assertThat(f.active().version()).isEqualTo(1);
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(5, 4, 1);
        assertThat(names(dir.resolve("deployments/f"))).containsExactlyInAnyOrder(deployed.get(0).deploymentId(),
                deployed.get(3).deploymentId(), deployed.get(4).deploymentId());
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v1"));
        assertThat(store.update("f", "// v6").deployed().version()).isEqualTo(6);
    }

    @Test
    void theActiveVersionIsKeptWhileItIsActiveThenPrunedLikeAnyOther() {
        // GLAMBDAR_KEEP_VERSIONS=3: the last 3 are kept, and always the active one (SPEC, Versions). An update makes
        // its new version the active one, so a rolled-back-to version stays only while it is active.
        keepVersions(3);
        for (int v = 1; v <= 3; v++) {
            store.update("f", "// v" + v);
        }
        assertThat(catalog.rollback("f", 1).active().version()).isEqualTo(1);
        StoredFunction f = catalog.find("f");
        assertThat(f.versions().kept().keySet()).containsExactly(1, 2, 3);

        FunctionCatalog.Update fourth = store.update("f", "// v4");

        assertThat(fourth.previous().version()).isEqualTo(1);
        assertThat(fourth.pruned()).extracting(Deployment::version).containsExactly(1);
        assertThat(f.versions().kept().keySet()).containsExactly(2, 3, 4);
        assertThat(f.active().version()).isEqualTo(4);
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(4, 3, 2);
    }

    @Test
    void withOneVersionKeptEachUpdatePrunesThePreviousOne() {
        keepVersions(1);
        Deployment v1 = store.update("f", "// v1").deployed();

        FunctionCatalog.Update second = store.update("f", "// v2");

        assertThat(second.pruned()).containsExactly(v1);
        assertThat(catalog.find("f").versions().kept().keySet()).containsExactly(2);
        assertThatThrownBy(() -> catalog.rollback("f", null)).isInstanceOf(VersionNotFoundException.class);
    }

    @Test
    void rollbackWithoutAVersionGoesToTheHighestKeptBelowTheActiveOne() throws Exception {
        keepVersions(3);
        for (int v = 1; v <= 4; v++) { // version 1 is pruned
            store.update("f", "// v" + v);
        }
        StoredFunction f = catalog.find("f");

        FunctionCatalog.Switch back = catalog.rollback("f", null);

        assertThat(back.function()).isSameAs(f);
        assertThat(back.previous().version()).isEqualTo(4);
        assertThat(back.active().version()).isEqualTo(3);
        assertThat(f.active().version()).isEqualTo(3);
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));
        assertThat(Files.readSymbolicLink(dir.resolve("functions/f")))
                .isEqualTo(Path.of("../deployments/f", back.active().deploymentId()));
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(3);
        // Nothing is pruned or deleted by a rollback.
        assertThat(f.versions().kept().keySet()).containsExactly(2, 3, 4);

        assertThat(catalog.rollback("f", null).active().version()).isEqualTo(2);
        // 2 is the oldest kept: there is nothing below it (1 was pruned).
        assertThatThrownBy(() -> catalog.rollback("f", null))
                .isInstanceOf(VersionNotFoundException.class)
                .hasMessageContaining("no kept version below")
                .hasMessageContaining("4, 3, 2");
        assertThat(f.active().version()).isEqualTo(2);

        // Forward again, to a named version.
        assertThat(catalog.rollback("f", 4).active().version()).isEqualTo(4);
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v4"));
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(4);
        // To the active one: allowed, and nothing changes.
        assertThat(catalog.rollback("f", 4).active().version()).isEqualTo(4);
    }

    @Test
    void rollbackOfAFunctionWithOneVersionIsVersionNotFound() {
        store.deploy("f", "// v1");

        assertThatThrownBy(() -> catalog.rollback("f", null))
                .isInstanceOf(VersionNotFoundException.class)
                .hasMessageContaining("'f'");
        assertThat(catalog.find("f").active().version()).isEqualTo(1);
    }

    @Test
    void rollbackToAVersionThatIsNotKeptIsVersionNotFoundAndChangesNothing() {
        keepVersions(2);
        for (int v = 1; v <= 3; v++) {
            store.update("f", "// v" + v);
        }

        for (int version : List.of(1, 4, 99)) { // pruned, not yet deployed, never
            assertThatThrownBy(() -> catalog.rollback("f", version))
                    .isInstanceOf(VersionNotFoundException.class)
                    .hasMessageContaining("no version " + version)
                    .hasMessageContaining("GET /versions/f");
        }
        assertThat(catalog.find("f").active().version()).isEqualTo(3);
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(3);
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));
        assertThatThrownBy(() -> catalog.version(catalog.find("f"), 1)).isInstanceOf(VersionNotFoundException.class);
        assertThat(catalog.version(catalog.find("f"), 2).version()).isEqualTo(2);
    }

    @Test
    void rollbackOfAnUnknownFunctionIsNotFound() {
        assertThatThrownBy(() -> catalog.rollback("ghost", null)).isInstanceOf(FunctionNotFoundException.class);
        assertThatThrownBy(() -> catalog.rollback("ghost", 1)).isInstanceOf(FunctionNotFoundException.class);
    }

    @Test
    void concurrentUpdatesOfOneNameEachGetAVersionOfTheirOwn() throws Exception {
        int threads = 8;
        List<Path> uploads = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            uploads.add(store.upload(Zips.of("// from thread " + i)));
        }
        Map<Integer, Integer> threadOfVersion = new ConcurrentHashMap<>();

        Concurrently.run(threads, 1, (thread, call) -> {
            FunctionCatalog.Update update = catalog.update("race", uploads.get(thread));
            assertThat(threadOfVersion.putIfAbsent(update.deployed().version(), thread)).isNull();
        });

        assertThat(threadOfVersion.keySet()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(threadOfVersion.values()).containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
        StoredFunction race = catalog.find("race");
        assertThat(race.versions().kept().keySet()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
        assertThat(race.active().version()).isEqualTo(8);
        // Each version holds the code its own update sent.
        for (Deployment version : race.versions().newestFirst()) {
            assertThat(tree(store.deployment(version)))
                    .isEqualTo(Map.of("index.js", "// from thread " + threadOfVersion.get(version.version())));
        }
        assertThat(tree(dir.resolve("functions/race")))
                .isEqualTo(Map.of("index.js", "// from thread " + threadOfVersion.get(8)));
        assertThat(names(dir.resolve("deployments/race"))).hasSize(threads);
        // The repository agrees.
        assertThat(store.repository.find("race")).get().satisfies(row -> {
            assertThat(row.activeVersion()).isEqualTo(8);
            assertThat(row.functionId()).isEqualTo(race.functionId());
        });
        assertThat(store.repository.findVersions("race")).extracting(VersionRecord::version, VersionRecord::deploymentId)
                .containsExactlyElementsOf(race.versions().newestFirst().stream()
                        .map(v -> tuple(v.version(), v.deploymentId())).toList());
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void concurrentUpdatesRollbacksAndDeletesOfOneNameTakeTurnsAndLeaveEverythingInStep() throws Exception {
        // Before versions, a second deploy or delete of a name under way was refused (409 "being deployed or
        // deleted"); now changes to one name wait for each other. Whatever the interleaving: no conflict, and the
        // catalog, the repository and the folders agree at the end.
        List<Deployment> toDiscard = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Path> uploads = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            uploads.add(store.upload(Zips.of("// from thread " + i)));
        }

        Concurrently.run(6, 20, (thread, call) -> {
            try {
                switch ((thread + call) % 4) {
                    case 0, 1 -> toDiscard.addAll(catalog.update("mixed", uploads.get(thread)).pruned());
                    case 2 -> catalog.rollback("mixed", null);
                    default -> toDiscard.addAll(catalog.remove("mixed").versions().newestFirst());
                }
            } catch (FunctionNotFoundException | VersionNotFoundException expected) {
                // removed meanwhile, or nothing to roll back to
            }
        });

        toDiscard.forEach(catalog::discard);
        List<StoredFunction> all = catalog.all();
        if (all.isEmpty()) {
            assertThat(store.repository.findAll()).isEmpty();
            assertThat(names(dir.resolve("deployments"))).isEmpty();
            assertThat(dir.resolve("functions/mixed")).doesNotExist();
        } else {
            StoredFunction mixed = all.getFirst();
            assertThat(store.repository.find("mixed")).get().satisfies(row -> {
                assertThat(row.functionId()).isEqualTo(mixed.functionId());
                assertThat(row.activeVersion()).isEqualTo(mixed.active().version());
            });
            assertThat(store.repository.findVersions("mixed")).extracting(VersionRecord::version)
                    .containsExactlyElementsOf(mixed.versions().newestFirst().stream().map(Deployment::version)
                            .toList());
            assertThat(names(dir.resolve("deployments/mixed"))).containsExactlyInAnyOrderElementsOf(
                    mixed.versions().newestFirst().stream().map(Deployment::deploymentId).toList());
            assertThat(Files.readSymbolicLink(dir.resolve("functions/mixed")))
                    .isEqualTo(Path.of("../deployments/mixed", mixed.active().deploymentId()));
        }
        assertThat(dir.resolve("staging")).isEmptyDirectory();
    }

    @Test
    void aDeleteThenAnUpdateStartsAgainAtVersionOneWithANewLife() {
        store.update("f", "// v1");
        StoredFunction old = store.update("f", "// v2").function();

        catalog.remove("f");
        FunctionCatalog.Update again = store.update("f", "// again");

        assertThat(again.deployed().version()).isEqualTo(1);
        assertThat(again.previous()).isNull();
        assertThat(again.function().functionId()).isNotEqualTo(old.functionId());
        assertThat(again.function().versions().kept().keySet()).containsExactly(1);
        assertThat(store.repository.find("f")).get().satisfies(row -> {
            assertThat(row.functionId()).isEqualTo(again.function().functionId());
            assertThat(row.activeVersion()).isEqualTo(1);
        });
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(1);
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// again"));
    }

    @Test
    void aRemovedFunctionHandsBackEveryVersionToDiscard() {
        store.update("f", "// v1");
        store.update("f", "// v2");
        store.update("f", "// v3");
        catalog.rollback("f", 2);

        StoredFunction removed = catalog.remove("f");

        assertThat(removed.versions().newestFirst()).extracting(Deployment::version).containsExactly(3, 2, 1);
        assertThat(dir.resolve("functions/f")).doesNotExist();
        assertThat(store.repository.findVersions("f")).isEmpty();
        assertThat(names(dir.resolve("deployments/f"))).hasSize(3); // until discarded
        removed.versions().newestFirst().forEach(catalog::discard);
        assertThat(names(dir.resolve("deployments"))).isEmpty();
    }

    @Test
    void aRestartKeepsTheVersionsTheActiveOneAndTheStatistics() {
        keepVersions(3);
        for (int v = 1; v <= 4; v++) {
            store.clock.advance(Duration.ofSeconds(10));
            store.update("f", "// v" + v);
        }
        catalog.rollback("f", 3);
        StoredFunction before = catalog.find("f");
        before.counters().record(T0.plusSeconds(100), "error", 42);
        before.counters().record(T0.plusSeconds(90), "ok", 7);

        store.restart();
        catalog = store.catalog;

        StoredFunction after = catalog.find("f");
        assertThat(after.functionId()).isEqualTo(before.functionId());
        assertThat(after.createdAt()).isEqualTo(before.createdAt());
        assertThat(after.versions()).isEqualTo(before.versions());
        assertThat(after.active().version()).isEqualTo(3);
        assertThat(after.counters().invocations()).isEqualTo(2);
        assertThat(after.counters().errors()).isEqualTo(1);
        assertThat(after.counters().last().status()).isEqualTo("error");
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));
        assertThat(names(dir.resolve("deployments/f"))).hasSize(3); // the pruned one's code went with the restart
        // Numbering carries on after the newest kept version.
        assertThat(store.update("f", "// v5").deployed().version()).isEqualTo(5);
    }

    /** Closes the store opened for the test and opens it again keeping {@code keep} versions of each function. */
    private void keepVersions(int keep) {
        store.close();
        store = new TestStore(dir, keep);
        catalog = store.catalog;
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
