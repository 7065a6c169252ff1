package io.glambdar.store;

import io.glambdar.engine.DeployedFunction;
import io.glambdar.function.FunctionSettings;
import io.glambdar.engine.Invoker;
import io.glambdar.engine.InvocationRequest;
import io.glambdar.engine.InvocationResult;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.archive.ExtractedCode;
import io.glambdar.store.archive.ZipExtractor;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.MetadataDatabase;
import io.glambdar.store.metadata.StatsDelta;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The deployed functions: their code under {@code functions/<name>/}, their metadata, and their invocations.
 * Deploys are staged and then renamed into place, so a function is either fully there or not there at all.
 */
public final class FunctionStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FunctionStore.class);
    private static final SecureRandom random = new SecureRandom();
    private static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private final Path functionsDir;
    private final Path stagingDir;
    private final Path trashDir;
    private final MetadataDatabase db;
    private final Invoker invoker;
    private final SettingsParser settingsParser;
    private final ArchiveLimits archiveLimits;
    private final Clock clock;
    private final Map<String, StoredFunction> functions = new ConcurrentHashMap<>();
    /** Names being deployed or deleted right now: one operation per name at a time. */
    private final Set<String> busyNames = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService flusher;

    public FunctionStore(Path baseDir, MetadataDatabase db, Invoker invoker, SettingsParser settingsParser,
                         ArchiveLimits archiveLimits, Clock clock) {
        this.functionsDir = baseDir.resolve("functions");
        this.stagingDir = baseDir.resolve("staging");
        this.trashDir = baseDir.resolve("trash");
        this.db = db;
        this.invoker = invoker;
        this.settingsParser = settingsParser;
        this.archiveLimits = archiveLimits;
        this.clock = clock;
        try {
            for (Path dir : List.of(functionsDir, stagingDir, trashDir)) {
                Files.createDirectories(dir);
            }
            Files.setPosixFilePermissions(functionsDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folders under " + baseDir, e);
        }
        reconcile();
        this.flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "metadata-flusher");
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flushQuietly, FLUSH_INTERVAL.toMillis(), FLUSH_INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Deploys the zip uploaded as {@code uploadFileName}: the function is named after the file.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable, or the name is taken
     */
    public FunctionInfo deploy(String uploadFileName, Path zip) {
        String name = FunctionName.fromUploadFileName(uploadFileName);
        claim(name);
        Path staging = null;
        try {
            Path target = functionsDir.resolve(name);
            if (functions.containsKey(name) || Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw conflict(name);
            }
            staging = Files.createTempDirectory(stagingDir, name + "-");
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwxr-xr-x"));
            ExtractedCode code = ZipExtractor.extract(zip, staging, archiveLimits);
            FunctionSettings settings = settingsParser.readFrom(staging.resolve(code.codeRoot()));
            // A rename within one file system is atomic: readers see all of the code or none of it.
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            staging = null;
            FunctionRecord record = FunctionRecord.newlyDeployed(name, newDeploymentId(), clock.instant(),
                    code.codeRoot(), code.totalBytes(), code.fileCount(), SettingsParser.toJson(settings));
            try {
                db.insert(record);
            } catch (RuntimeException e) {
                FileTrees.delete(target);
                throw e;
            }
            StoredFunction stored = new StoredFunction(record, deployed(record, settings));
            functions.put(name, stored);
            try {
                invoker.warm(stored.deployed);
            } catch (RuntimeException e) { // warming is an optimisation: the function is deployed either way
                log.warn("Could not warm up {}: {}", name, e.toString());
            }
            log.info("Deployed {} ({} files, {} bytes, timeout {} s, memory {} MB, cpus {})", name, code.fileCount(),
                    code.totalBytes(), settings.timeout().toMillis() / 1000.0, settings.memoryMb(), settings.cpus());
            return info(stored);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw conflict(name);
        } catch (IOException e) {
            throw new UncheckedIOException("could not store function '" + name + "'", e);
        } finally {
            if (staging != null) {
                FileTrees.delete(staging);
            }
            busyNames.remove(name);
        }
    }

    /**
     * Deletes a function: it is gone for new invocations at once; its code is removed once its running invocations
     * have finished.
     */
    public void delete(String rawName) {
        String name = FunctionName.validate(rawName);
        claim(name);
        try {
            StoredFunction stored = functions.remove(name);
            if (stored == null) {
                throw new FunctionNotFoundException(name);
            }
            // Retire first, so no warm container starts for code that is about to move.
            CompletableFuture<Void> finished = invoker.retire(stored.deployed);
            Path trash = trashDir.resolve(name + "-" + stored.record.deploymentId());
            try {
                Files.move(functionsDir.resolve(name), trash, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                functions.put(name, stored);
                throw new UncheckedIOException("could not delete the code of function '" + name + "'", e);
            }
            db.delete(name);
            // Invocations still running keep reading the code (now in trash/) until they end.
            finished.orTimeout(stored.deployed.settings().timeout().toSeconds() + 30, TimeUnit.SECONDS)
                    .whenComplete((ignored, error) -> FileTrees.delete(trash));
            log.info("Deleted {}", name);
        } finally {
            busyNames.remove(name);
        }
    }

    public List<FunctionInfo> list() {
        return functions.values().stream()
                .sorted(Comparator.comparing(StoredFunction::name))
                .map(FunctionStore::info)
                .toList();
    }

    public FunctionInfo get(String rawName) {
        return info(find(rawName));
    }

    /** Runs the function; counts every invocation that reached it (whatever its outcome). */
    public InvocationResult invoke(String rawName, InvocationRequest request) {
        StoredFunction stored = find(rawName);
        Instant startedAt = clock.instant().truncatedTo(ChronoUnit.MILLIS); // as stored: millisecond precision
        InvocationResult result = invoker.invoke(stored.deployed, request);
        String status = status(result);
        if (status != null) {
            stored.recordInvocation(startedAt, status, result.durationMillis());
            stored.logs.add(new InvocationLogs.Entry(result.invocationId(), startedAt, result.durationMillis(),
                    status, result instanceof InvocationResult.Completed ok ? ok.statusCode() : null,
                    result instanceof InvocationResult.Failed failed ? failed.code() : null, result.logs()));
        }
        return result;
    }

    public List<InvocationLogs.Entry> recentInvocations(String rawName) {
        return find(rawName).logs.recent();
    }

    public Optional<InvocationLogs.Entry> invocation(String rawName, String invocationId) {
        return find(rawName).logs.find(invocationId);
    }

    private StoredFunction find(String rawName) {
        String name = FunctionName.validate(rawName);
        StoredFunction stored = functions.get(name);
        if (stored == null) {
            throw new FunctionNotFoundException(name);
        }
        return stored;
    }

    private DeployRejectedException conflict(String name) {
        if (functions.containsKey(name)) {
            return new DeployRejectedException(Reason.CONFLICT, "function '" + name + "' already exists;"
                    + " delete it first (DELETE /del/" + name + ") to deploy a new version");
        }
        // A folder we could not load at start-up (the server log says why): not ours to delete.
        return new DeployRejectedException(Reason.CONFLICT, "a folder functions/" + name + " that is not a deployed"
                + " function is in the way (the server log says why it was not loaded at start-up); remove it from"
                + " GLAMBDAR_DIR, or deploy under another name");
    }

    private void claim(String name) {
        if (!busyNames.add(name)) {
            throw new DeployRejectedException(Reason.CONFLICT, "function '" + name + "' is being deployed or deleted"
                    + " by another request right now; try again once that finished");
        }
    }

    /** {@code ok}, {@code error} or {@code timeout}; null when the function never ran (overloaded, unavailable). */
    private static String status(InvocationResult result) {
        return switch (result) {
            case InvocationResult.Completed ignored -> "ok";
            case InvocationResult.Failed failed -> switch (failed.failure()) {
                case FUNCTION_ERROR -> "error";
                case TIMEOUT -> "timeout";
                case OVERLOADED, UNAVAILABLE, GONE -> null;
            };
        };
    }

    private static FunctionInfo info(StoredFunction stored) {
        FunctionRecord record = stored.record;
        FunctionSettings settings = stored.deployed.settings();
        StoredFunction.Last last = stored.last();
        return new FunctionInfo(record.name(), record.createdAt(), last == null ? null : last.at(),
                stored.invocations(), stored.errors(), last == null ? null : last.status(),
                last == null ? null : last.durationMs(), record.deploymentId(), record.codeSizeBytes(),
                record.fileCount(), new FunctionInfo.Settings(settings.timeout().toMillis() / 1000.0,
                settings.memoryMb(), settings.cpus(), settings.env().keySet().stream().sorted().toList(),
                settings.reuse()));
    }

    private DeployedFunction deployed(FunctionRecord record, FunctionSettings settings) {
        Path codeDir = functionsDir.resolve(record.name());
        if (!record.codeRoot().isEmpty()) {
            codeDir = codeDir.resolve(record.codeRoot());
        }
        return new DeployedFunction(record.name(), record.deploymentId(), codeDir, settings);
    }

    /**
     * Makes the database and {@code functions/} agree after a restart or crash: rows whose code is gone are dropped,
     * code folders without a row are adopted, and half-done deploys and deletes are cleaned up.
     */
    private void reconcile() {
        FileTrees.deleteContents(stagingDir);
        FileTrees.deleteContents(trashDir);
        for (FunctionRecord record : db.findAll()) {
            if (!Files.isDirectory(functionsDir.resolve(record.name()))) {
                db.delete(record.name());
                log.warn("Forgot function {}: its code folder {} is gone", record.name(),
                        functionsDir.resolve(record.name()));
                continue;
            }
            FunctionSettings settings = SettingsParser.fromStoredJson(record.settingsJson());
            functions.put(record.name(), new StoredFunction(record, deployed(record, settings)));
        }
        try (Stream<Path> dirs = Files.list(functionsDir)) {
            for (Path dir : dirs.sorted().toList()) {
                String name = dir.getFileName().toString();
                if (!functions.containsKey(name)) {
                    adopt(name, dir);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + functionsDir, e);
        }
        log.info("{} functions deployed", functions.size());
    }

    /** A code folder without metadata (copied in by hand, or the database was lost): take it in if it is valid. */
    private void adopt(String name, Path dir) {
        try {
            FunctionName.validate(name);
            if (!Files.isDirectory(dir)) {
                throw new DeployRejectedException(Reason.BAD_REQUEST, "not a folder");
            }
            String codeRoot = CodeRoot.find(dir).orElseThrow(() -> new DeployRejectedException(Reason.BAD_REQUEST,
                    "no index.js at its root or inside a single top-level folder"));
            FunctionSettings settings = settingsParser.readFrom(codeRoot.isEmpty() ? dir : dir.resolve(codeRoot));
            FileTrees.Size size = FileTrees.size(dir);
            FunctionRecord record = FunctionRecord.newlyDeployed(name, newDeploymentId(),
                    Files.getLastModifiedTime(dir).toInstant(), codeRoot, size.bytes(), size.files(),
                    SettingsParser.toJson(settings));
            db.insert(record);
            functions.put(name, new StoredFunction(record, deployed(record, settings)));
            log.info("Adopted function {} found in {}", name, dir);
        } catch (DeployRejectedException | IOException e) {
            log.warn("Ignoring {}: {}", dir, e.getMessage());
        }
    }

    /** Writes the counters of the last second in one transaction. Runs on the flusher thread (and at close). */
    private synchronized void flush() {
        List<StoredFunction> changed = new ArrayList<>();
        List<StatsDelta> deltas = new ArrayList<>();
        for (StoredFunction stored : functions.values()) {
            stored.pendingDelta().ifPresent(delta -> {
                changed.add(stored);
                deltas.add(delta);
            });
        }
        if (!deltas.isEmpty()) {
            db.applyStats(deltas);
            changed.forEach(StoredFunction::flushed);
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (RuntimeException e) {
            log.warn("Could not save invocation statistics (will retry): {}", e.getMessage());
        }
    }

    private static String newDeploymentId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** Saves the last statistics. The database itself is closed by its owner. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        flushQuietly();
    }
}
