package io.glambdar.store;

import io.glambdar.it.Zips;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.store.jobs.SqliteJobRepository;
import io.glambdar.store.keys.KeyIndex;
import io.glambdar.store.keys.SqliteKeyRepository;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.settings.SettingsLimits;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.store.sqlite.SqliteDatabase;
import io.glambdar.store.stats.StatisticsWriter;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The store as the server wires it, on a temporary folder and a real SQLite file: repository, catalog and statistics
 * writer (which flushes only when told to, or at close, so tests decide when counts reach the repository), and the
 * invoke keys' index (likewise: last uses are written when told to, or at close).
 */
public final class TestStore implements AutoCloseable {

    public static final Instant T0 = Instant.parse("2025-04-01T12:00:00.250Z");
    /** Small, so "too large" is quick to make. */
    public static final ArchiveLimits LIMITS = new ArchiveLimits(100, 64 * 1024);
    /** As the server's default (GLAMBDAR_KEEP_VERSIONS). */
    public static final int KEEP_VERSIONS = 10;

    public final Path dir;
    public final MutableClock clock = new MutableClock(T0);
    private final SettingsLimits settingsLimits;
    private final ArchiveLimits archiveLimits;
    private final int keepVersions;
    public SqliteFunctionRepository repository;
    public FunctionCatalog catalog;
    public StatisticsWriter statistics;
    /** Functions, versions and keys: one database, as in the server. */
    public SqliteDatabase database;
    public KeyIndex keyIndex;
    /** The asynchronous jobs, in the same database. */
    public SqliteJobRepository jobs;

    public TestStore(Path dir) {
        this(dir, SettingsLimits.defaults(), LIMITS);
    }

    public TestStore(Path dir, SettingsLimits settingsLimits, ArchiveLimits archiveLimits) {
        this(dir, settingsLimits, archiveLimits, KEEP_VERSIONS);
    }

    /** @param keepVersions how many of each function's newest versions the catalog keeps */
    public TestStore(Path dir, int keepVersions) {
        this(dir, SettingsLimits.defaults(), LIMITS, keepVersions);
    }

    public TestStore(Path dir, SettingsLimits settingsLimits, ArchiveLimits archiveLimits, int keepVersions) {
        this.dir = dir;
        this.settingsLimits = settingsLimits;
        this.archiveLimits = archiveLimits;
        this.keepVersions = keepVersions;
        open();
    }

    /** Opens the database, repository, catalog (reconciling), statistics writer and key index on {@link #dir}. */
    public void open() {
        database = SqliteDatabase.open(dir.resolve("glambdar.db"));
        jobs = new SqliteJobRepository(database);
        repository = new SqliteFunctionRepository(database);
        catalog = FunctionCatalog.open(new DeploymentFolders(dir), repository,
                new CodeReader(new SettingsParser(settingsLimits), archiveLimits), clock, keepVersions);
        statistics = new StatisticsWriter(repository, catalog::counters, Duration.ofHours(1));
        keyIndex = KeyIndex.load(new SqliteKeyRepository(database), Duration.ofHours(1));
    }

    /** Closes everything and opens it again on the same folder: a restart. */
    public void restart() {
        close();
        open();
    }

    /** As at shutdown: the last statistics and key uses, then the database. */
    @Override
    public void close() {
        statistics.close();
        keyIndex.close();
        database.close();
    }

    /** Deploys {@code index.js} as function {@code name} ({@code POST /deploy}): its version 1. */
    public StoredFunction deploy(String name, String indexJs) {
        return catalog.deploy(name + ".zip", upload(Zips.of(indexJs))).function();
    }

    /** Deploys {@code index.js} as a new version of function {@code name} ({@code PUT /deploy/:name}). */
    public FunctionCatalog.Update update(String name, String indexJs) {
        return catalog.update(name, upload(Zips.of(indexJs)));
    }

    /** The zip as an uploaded file. */
    public Path upload(byte[] zip) {
        try {
            Path uploads = Files.createDirectories(dir.resolve("uploads"));
            return Files.write(Files.createTempFile(uploads, "upload-", ".zip"), zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path functions() {
        return dir.resolve("functions");
    }

    /** The folder of the function's active version. */
    public Path deployment(StoredFunction function) {
        return deployment(function.active());
    }

    /** The folder of one version. */
    public Path deployment(Deployment version) {
        return dir.resolve("deployments").resolve(version.name()).resolve(version.deploymentId());
    }

    /** Every regular file under {@code root} (a link is followed), by relative path, with its content (ISO-8859-1). */
    public static Map<String, String> tree(Path root) {
        Map<String, String> files = new TreeMap<>();
        try {
            Path real = root.toRealPath();
            try (Stream<Path> walk = Files.walk(real)) {
                for (Path file : walk.filter(Files::isRegularFile).toList()) {
                    files.put(real.relativize(file).toString(),
                            new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    public static Path write(Path root, Map<String, String> files) {
        try {
            for (var file : files.entrySet()) {
                Path path = root.resolve(file.getKey());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.getValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** The names in a folder, sorted; empty when it does not exist. */
    public static List<String> names(Path folder) {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(folder)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a tree, failing on anything it cannot delete. */
    public static void deleteTree(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path path : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
