package io.glambdar.store;

import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
import io.glambdar.store.sqlite.SchemaOne;
import io.glambdar.store.stats.InvocationCounters;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.glambdar.store.TestStore.T0;
import static io.glambdar.store.TestStore.names;
import static io.glambdar.store.TestStore.tree;
import static io.glambdar.store.TestStore.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What {@link FunctionCatalog#open} makes of a base directory: the repository and the folders agree. */
class StartupReconcilerTest {

    @TempDir
    Path dir;

    private TestStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void rowsWithoutCodeAreDroppedAndFoldersCopiedInByHandAreAdopted() throws IOException {
        store = new TestStore(dir);
        StoredFunction kept = store.deploy("kept", "// kept");
        StoredFunction lost = store.deploy("lost", "// lost");
        store.close();

        TestStore.deleteTree(store.deployment(lost));
        Path functions = dir.resolve("functions");
        Path adopted = write(functions.resolve("adopted"), Map.of("index.js", "// adopted",
                "glambdar.json", "{\"memory\": 512, \"timeout\": 3}"));
        Instant modified = Instant.parse("2024-12-24T18:30:00.125Z");
        Files.setLastModifiedTime(adopted, FileTime.from(modified));
        write(functions.resolve("wrapped"), Map.of("pkg/index.js", "// wrapped"));
        write(functions.resolve("a.b"), Map.of("index.js", "// bad name"));
        write(functions.resolve("noindex"), Map.of("main.js", "// no index.js"));
        write(functions.resolve("badsettings"), Map.of("index.js", "//", "glambdar.json", "{\"timeout\": -1}"));
        write(dir.resolve("staging/half-1234"), Map.of("index.js", "// half a deploy"));

        store.open();

        FunctionCatalog catalog = store.catalog;
        assertThat(catalog.all()).extracting(StoredFunction::name).containsExactly("adopted", "kept", "wrapped");
        assertThat(store.repository.findAll()).extracting(FunctionRecord::name)
                .containsExactly("adopted", "kept", "wrapped");
        assertThat(catalog.find("kept").versions()).isEqualTo(kept.versions());
        assertThatThrownBy(() -> catalog.find("lost")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(functions.resolve("lost")).doesNotExist(); // its link went with it
        assertThat(names(dir.resolve("deployments"))).containsExactly("adopted", "kept", "wrapped");

        // Adopted: moved into a deployment folder of its own, with functions/<name> a link to it.
        StoredFunction adoptedFunction = catalog.find("adopted");
        assertThat(adoptedFunction.createdAt()).isEqualTo(modified);
        assertThat(adoptedFunction.active().deployedAt()).isEqualTo(modified);
        assertThat(adoptedFunction.active().version()).isEqualTo(1);
        assertThat(adoptedFunction.active().sha256()).isNull(); // it did not arrive as a zip
        assertThat(adoptedFunction.versions().kept().keySet()).containsExactly(1);
        assertThat(adoptedFunction.counters().invocations()).isZero();
        assertThat(adoptedFunction.active().settings().memoryMb()).isEqualTo(512);
        assertThat(adoptedFunction.active().codeDir()).isEqualTo(store.deployment(adoptedFunction));
        assertThat(store.repository.findVersions("adopted")).extracting(VersionRecord::version).containsExactly(1);
        assertThat(Files.isSymbolicLink(functions.resolve("adopted"))).isTrue();
        assertThat(tree(functions.resolve("adopted"))).containsEntry("index.js", "// adopted");
        // Its code runs from where index.js is: the folder itself, or its single sub-folder.
        StoredFunction wrapped = catalog.find("wrapped");
        assertThat(wrapped.active().codeDir()).isEqualTo(store.deployment(wrapped).resolve("pkg"));

        // Ignored, but left for the operator to look at.
        assertThat(functions.resolve("a.b/index.js")).hasContent("// bad name");
        assertThat(functions.resolve("noindex/main.js")).hasContent("// no index.js");
        assertThat(functions.resolve("badsettings/index.js")).exists();
        assertThatThrownBy(() -> catalog.find("noindex")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(dir.resolve("staging")).isEmptyDirectory();

        // Adopted functions keep their row, folder and creation time across the next restart.
        store.restart();
        assertThat(store.catalog.find("adopted").versions()).isEqualTo(adoptedFunction.versions());
        assertThat(store.catalog.find("adopted").createdAt()).isEqualTo(modified);
        assertThat(store.catalog.find("wrapped").versions()).isEqualTo(wrapped.versions());
    }

    /** A lost (or moved-away) database must not cost the code: each function's active code is served again. */
    @Test
    void withTheDatabaseGoneEachFunctionsActiveCodeIsAdoptedAsVersionOneNotDeleted() throws IOException {
        store = new TestStore(dir);
        store.deploy("hello", "// hello v1");
        store.update("hello", "// hello v2");
        StoredFunction other = store.deploy("other", "// other");
        Deployment helloActive = store.catalog.find("hello").active();
        store.close();
        for (String file : List.of("glambdar.db", "glambdar.db-wal", "glambdar.db-shm")) {
            Files.deleteIfExists(dir.resolve(file));
        }

        store.open();

        assertThat(store.catalog.all()).extracting(StoredFunction::name).containsExactly("hello", "other");
        StoredFunction hello = store.catalog.find("hello");
        assertThat(hello.active().version()).isEqualTo(1);
        assertThat(hello.versions().kept().keySet()).containsExactly(1);
        assertThat(hello.active().deploymentId()).isEqualTo(helloActive.deploymentId());
        assertThat(tree(dir.resolve("functions/hello"))).containsEntry("index.js", "// hello v2");
        assertThat(tree(store.deployment(store.catalog.find("other")))).containsEntry("index.js", "// other");
        assertThat(store.catalog.find("other").active().deploymentId()).isEqualTo(other.active().deploymentId());
        // Only the older version, which no row can say anything about now, is gone.
        assertThat(names(dir.resolve("deployments/hello"))).containsExactly(helloActive.deploymentId());

        store.restart();
        assertThat(store.catalog.find("hello").versions()).isEqualTo(hello.versions());
        assertThat(tree(dir.resolve("functions/hello"))).containsEntry("index.js", "// hello v2");
    }

    @Test
    void aBaseDirectoryOfThePreviousVersionMovesIntoDeploymentFoldersWithItsStatistics() throws Exception {
        // As the version before deployment folders left it: the code in functions/<name>/ itself, a schema-1
        // database (one row per function, no versions), and deletes waiting in trash/.
        try (SchemaOne old = SchemaOne.create(dir.resolve("glambdar.db"))) {
            old.insert(new SchemaOne.Row("plain", "0123456789abcdef", T0, T0.plusSeconds(60), 7, 2, "", 10, 2,
                    "{\"timeout\":7.0,\"memory\":256,\"cpus\":0.5,\"env\":{},\"reuse\":null}", "error", 12L));
            old.insert(SchemaOne.Row.fresh("wrapped", "fedcba9876543210", T0, "pkg", 10, 1, "{}"));
        }
        write(dir.resolve("functions/plain"), Map.of("index.js", "// plain", "lib/a.js", "// a"));
        write(dir.resolve("functions/wrapped"), Map.of("pkg/index.js", "// wrapped"));
        write(dir.resolve("trash/gone-abcd"), Map.of("index.js", "// half a delete"));

        store = new TestStore(dir);

        StoredFunction plain = store.catalog.find("plain");
        assertThat(plain.functionId()).isEqualTo("0123456789abcdef");
        assertThat(plain.createdAt()).isEqualTo(T0);
        assertThat(plain.versions().kept().keySet()).containsExactly(1);
        assertThat(plain.active().version()).isEqualTo(1);
        assertThat(plain.active().deploymentId()).isEqualTo("0123456789abcdef");
        assertThat(plain.active().deployedAt()).isEqualTo(T0);
        assertThat(plain.active().sha256()).isNull();
        assertThat(plain.active().fileCount()).isEqualTo(2);
        assertThat(plain.active().settings().memoryMb()).isEqualTo(256);
        assertThat(plain.counters().invocations()).isEqualTo(7);
        assertThat(plain.counters().errors()).isEqualTo(2);
        assertThat(plain.counters().last()).isEqualTo(new InvocationCounters.Last(
                T0.plusSeconds(60), "error", 12));
        Path plainCode = dir.resolve("deployments/plain/0123456789abcdef");
        assertThat(plain.active().codeDir()).isEqualTo(plainCode);
        assertThat(tree(plainCode)).isEqualTo(Map.of("index.js", "// plain", "lib/a.js", "// a"));
        assertThat(Files.isSymbolicLink(dir.resolve("functions/plain"))).isTrue();
        assertThat(tree(dir.resolve("functions/plain"))).isEqualTo(tree(plainCode));
        assertThat(store.catalog.find("wrapped").active().codeDir())
                .isEqualTo(dir.resolve("deployments/wrapped/fedcba9876543210/pkg"));
        assertThat(dir.resolve("trash")).doesNotExist();
        assertThat(store.repository.find("plain")).get().extracting(FunctionRecord::activeVersion).isEqualTo(1);

        // Nothing more to do the next time, and nothing lost.
        store.restart();
        assertThat(store.catalog.find("plain").versions()).isEqualTo(plain.versions());
        assertThat(store.catalog.find("plain").counters().invocations()).isEqualTo(7);
        assertThat(tree(dir.resolve("functions/plain"))).isEqualTo(Map.of("index.js", "// plain", "lib/a.js", "// a"));
        // and it takes new versions like any other function
        assertThat(store.update("plain", "// v2").deployed().version()).isEqualTo(2);
    }

    @Test
    void whatACrashLeftHalfDoneIsFinishedOrRemoved() throws IOException {
        store = new TestStore(dir);
        StoredFunction unlinked = store.deploy("unlinked", "// unlinked");
        StoredFunction relinked = store.deploy("relinked", "// relinked");
        StoredFunction orphan = store.deploy("orphan", "// orphan");
        store.close();
        Path functions = dir.resolve("functions");
        // a crash between installing the code and linking it
        Files.delete(functions.resolve("unlinked"));
        // a link pointing at some other deployment of the name
        Files.delete(functions.resolve("relinked"));
        Files.createSymbolicLink(functions.resolve("relinked"), Path.of("../deployments/relinked/0000"));
        // a deployment whose link and row are gone (a crash during a delete, before its folder went)
        Files.delete(functions.resolve("orphan"));
        try (SqliteFunctionRepository repository = SqliteFunctionRepository.open(dir.resolve("glambdar.db"))) {
            repository.delete("orphan", orphan.functionId());
        }
        // an older deployment folder of a live name, and a link nobody made
        write(dir.resolve("deployments/unlinked/feedfeedfeedfeed"), Map.of("index.js", "// older"));
        Path elsewhere = write(dir.resolve("elsewhere"), Map.of("index.js", "// not ours"));
        Files.createSymbolicLink(functions.resolve("foreign"), elsewhere);

        store.open();

        assertThat(store.catalog.all()).extracting(StoredFunction::name).containsExactly("relinked", "unlinked");
        assertThat(tree(functions.resolve("unlinked"))).isEqualTo(Map.of("index.js", "// unlinked"));
        assertThat(Files.readSymbolicLink(functions.resolve("relinked")))
                .isEqualTo(Path.of("../deployments/relinked", relinked.active().deploymentId()));
        assertThat(names(dir.resolve("deployments/unlinked"))).containsExactly(unlinked.active().deploymentId());
        assertThat(functions.resolve("orphan")).doesNotExist();
        assertThat(dir.resolve("deployments/orphan")).doesNotExist();
        assertThat(Files.isSymbolicLink(functions.resolve("foreign"))).isTrue(); // not ours to remove
        assertThat(elsewhere.resolve("index.js")).hasContent("// not ours");
    }

    @Test
    void anAdoptionCutShortByACrashIsFinishedAtTheNextStart() {
        // The row is written first; the folder had not moved yet.
        try (SqliteFunctionRepository repository = SqliteFunctionRepository.open(dir.resolve("glambdar.db"))) {
            repository.insert(FunctionRecord.newlyDeployed("half", "00000000000000ff", T0),
                    new VersionRecord("half", 1, "00000000000000aa", T0, null, "", 1, 1, "{}"));
        }
        write(dir.resolve("functions/half"), Map.of("index.js", "// half"));

        store = new TestStore(dir);

        assertThat(store.catalog.find("half").active().codeDir())
                .isEqualTo(dir.resolve("deployments/half/00000000000000aa"));
        assertThat(tree(dir.resolve("functions/half"))).isEqualTo(Map.of("index.js", "// half"));
    }

    // ---------------------------------------------------------------- versions

    /** Versions 1, 2 and 3 of {@code f}, deployed with {@link FunctionCatalog#update}; the store is closed after. */
    private List<Deployment> threeVersions() {
        store = new TestStore(dir);
        List<Deployment> versions = List.of(store.update("f", "// v1").deployed(),
                store.update("f", "// v2").deployed(), store.update("f", "// v3").deployed());
        return versions;
    }

    @Test
    void aVersionWhoseCodeIsGoneIsForgotten() {
        List<Deployment> versions = threeVersions();
        store.close();
        TestStore.deleteTree(store.deployment(versions.get(1)));

        store.open();

        StoredFunction f = store.catalog.find("f");
        assertThat(f.versions().kept().keySet()).containsExactly(1, 3);
        assertThat(f.active().version()).isEqualTo(3);
        assertThat(f.version(1)).contains(versions.get(0));
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(3, 1);
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(3);
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));
    }

    @Test
    void whenTheActiveVersionsCodeIsGoneTheNewestRemainingOneBecomesActive() {
        List<Deployment> versions = threeVersions();
        store.catalog.rollback("f", 2);
        store.close();
        TestStore.deleteTree(store.deployment(versions.get(1)));

        store.open();

        StoredFunction f = store.catalog.find("f");
        assertThat(f.active().version()).isEqualTo(3); // the newest remaining, not the one below
        assertThat(f.versions().kept().keySet()).containsExactly(1, 3);
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(3);
        assertThat(store.repository.findVersions("f")).extracting(VersionRecord::version).containsExactly(3, 1);
        assertThat(Files.isSymbolicLink(dir.resolve("functions/f"))).isTrue();
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));

        // and it stays so across the next restart
        store.restart();
        assertThat(store.catalog.find("f").active().version()).isEqualTo(3);
        assertThat(store.catalog.find("f").versions().kept().keySet()).containsExactly(1, 3);
    }

    @Test
    void aFunctionWithNoVersionLeftIsForgotten() {
        List<Deployment> versions = threeVersions();
        store.deploy("other", "// other");
        store.close();
        versions.forEach(version -> TestStore.deleteTree(store.deployment(version)));

        store.open();

        assertThatThrownBy(() -> store.catalog.find("f")).isInstanceOf(FunctionNotFoundException.class);
        assertThat(store.repository.find("f")).isEmpty();
        assertThat(store.repository.findVersions("f")).isEmpty();
        assertThat(dir.resolve("functions/f")).doesNotExist(); // its link went with it
        assertThat(dir.resolve("deployments/f")).doesNotExist();
        assertThat(store.catalog.all()).extracting(StoredFunction::name).containsExactly("other");
        // The name is free: a new deploy starts again at version 1.
        assertThat(store.update("f", "// new").deployed().version()).isEqualTo(1);
    }

    @Test
    void theFoldersOfEveryKeptVersionSurviveAndNoOthers() {
        List<Deployment> versions = threeVersions();
        store.close();
        write(dir.resolve("deployments/f/feedfeedfeedfeed"), Map.of("index.js", "// no row"));
        write(dir.resolve("deployments/nobody/0000000000000000"), Map.of("index.js", "// no function"));

        store.open();

        assertThat(names(dir.resolve("deployments"))).containsExactly("f");
        assertThat(names(dir.resolve("deployments/f"))).containsExactlyInAnyOrderElementsOf(
                versions.stream().map(Deployment::deploymentId).toList());
        for (Deployment version : versions) {
            assertThat(tree(store.deployment(version)))
                    .isEqualTo(Map.of("index.js", "// v" + version.version()));
        }
        assertThat(store.catalog.find("f").versions().kept().keySet()).containsExactly(1, 2, 3);
    }

    @Test
    void aPlainFolderInPlaceOfTheActiveVersionIsMovedInAsThatVersion() throws IOException {
        // Schema 2 rows for versions 1 and 2 (active); version 2's code is still the plain folder functions/f/, as
        // a Glambdar from before deployment folders (or an adoption cut short) left it.
        try (SqliteFunctionRepository repository = SqliteFunctionRepository.open(dir.resolve("glambdar.db"))) {
            repository.insert(FunctionRecord.newlyDeployed("f", "00000000000000ff", T0),
                    new VersionRecord("f", 1, "0000000000000001", T0, null, "", 1, 1, "{}"));
            repository.addVersion("f", "00000000000000ff", number ->
                    new VersionRecord("f", number, "0000000000000002", T0.plusSeconds(1), null, "", 1, 1, "{}"));
        }
        write(dir.resolve("deployments/f/0000000000000001"), Map.of("index.js", "// v1"));
        write(dir.resolve("functions/f"), Map.of("index.js", "// v2"));

        store = new TestStore(dir);

        StoredFunction f = store.catalog.find("f");
        assertThat(f.active().version()).isEqualTo(2);
        assertThat(f.versions().kept().keySet()).containsExactly(1, 2);
        assertThat(f.active().codeDir()).isEqualTo(dir.resolve("deployments/f/0000000000000002"));
        assertThat(tree(f.active().codeDir())).isEqualTo(Map.of("index.js", "// v2"));
        assertThat(Files.isSymbolicLink(dir.resolve("functions/f"))).isTrue();
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v2"));
        assertThat(tree(f.version(1).orElseThrow().codeDir())).isEqualTo(Map.of("index.js", "// v1"));
    }

    @Test
    void anActiveVersionWithoutItsRowIsReplacedByTheNewestRemainingOne() throws Exception {
        List<Deployment> versions = threeVersions();
        store.close();
        // A hand edit (or a tool) removed the active version's row: its folder is there, its row is not.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("glambdar.db"));
             Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE functions SET active_version = 2 WHERE name = 'f'");
            st.executeUpdate("DELETE FROM versions WHERE function_name = 'f' AND version = 2");
        }

        store.open();

        StoredFunction f = store.catalog.find("f");
        assertThat(f.active().version()).isEqualTo(3);
        assertThat(f.versions().kept().keySet()).containsExactly(1, 3);
        assertThat(store.repository.find("f")).get().extracting(FunctionRecord::activeVersion).isEqualTo(3);
        assertThat(store.deployment(versions.get(1))).doesNotExist(); // no row owns it
        assertThat(tree(dir.resolve("functions/f"))).isEqualTo(Map.of("index.js", "// v3"));
    }
}
