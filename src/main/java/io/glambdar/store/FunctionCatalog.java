package io.glambdar.store;

import io.glambdar.function.FunctionSettings;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.CodeReader.CheckedCode;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.store.metadata.DuplicateFunctionException;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.store.stats.InvocationCounters;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The functions deployed right now, each with its active deployment. Keeps three things in step: the code folders,
 * the repository's rows and this in-memory catalog, which invocations read without touching either. A deploy is
 * either wholly there or not at all.
 */
public final class FunctionCatalog {

    private static final Logger log = LoggerFactory.getLogger(FunctionCatalog.class);

    private final DeploymentFolders folders;
    private final FunctionRepository repository;
    private final CodeReader codeReader;
    private final Clock clock;
    private final Map<String, StoredFunction> active = new ConcurrentHashMap<>();
    /**
     * Names with a deploy or delete under way in this process. Only a shortcut: it refuses a second operation on a
     * name before any work is done, but the repository's unique name decides between deploys, also across nodes.
     */
    private final Set<String> busyNames = ConcurrentHashMap.newKeySet();

    private FunctionCatalog(DeploymentFolders folders, FunctionRepository repository, CodeReader codeReader,
                            Clock clock) {
        this.folders = folders;
        this.repository = repository;
        this.codeReader = codeReader;
        this.clock = clock;
    }

    /** Makes folders and repository agree ({@link StartupReconciler}), then serves the functions they hold. */
    public static FunctionCatalog open(DeploymentFolders folders, FunctionRepository repository, CodeReader codeReader,
                                       Clock clock) {
        FunctionCatalog catalog = new FunctionCatalog(folders, repository, codeReader, clock);
        for (FunctionRecord record : new StartupReconciler(folders, repository, codeReader).reconcile()) {
            catalog.active.put(record.name(),
                    catalog.stored(record, SettingsParser.fromStoredJson(record.settingsJson())));
        }
        log.info("{} functions deployed", catalog.active.size());
        return catalog;
    }

    /**
     * Deploys the zip uploaded as {@code uploadFileName}: the function is named after the file.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable, or the name is taken
     */
    public StoredFunction deploy(String uploadFileName, Path zip) {
        String name = FunctionName.fromUploadFileName(uploadFileName);
        claim(name);
        try {
            if (active.containsKey(name)) {
                throw exists(name);
            }
            if (folders.isPlainFolder(name)) {
                throw inTheWay(name);
            }
            String deploymentId = Deployment.newId();
            CheckedCode code = install(name, deploymentId, zip);
            FunctionRecord record = FunctionRecord.newlyDeployed(name, deploymentId, clock.instant(), code.codeRoot(),
                    code.totalBytes(), code.fileCount(), SettingsParser.toJson(code.settings()));
            publish(record);
            FunctionSettings settings = code.settings();
            StoredFunction stored = stored(record, settings);
            active.put(name, stored);
            log.info("Deployed {} ({} files, {} bytes, timeout {} s, memory {} MB, cpus {})", name, code.fileCount(),
                    code.totalBytes(), settings.timeout().toMillis() / 1000.0, settings.memoryMb(), settings.cpus());
            return stored;
        } finally {
            busyNames.remove(name);
        }
    }

    /** Extracts the zip in {@code staging/}, checks it, and renames it into its deployment folder. */
    private CheckedCode install(String name, String deploymentId, Path zip) {
        Path staged = null;
        try {
            staged = folders.newStagingFolder(name);
            CheckedCode code = codeReader.unpack(zip, staged);
            folders.install(staged, name, deploymentId);
            staged = null;
            return code;
        } catch (IOException e) {
            throw new UncheckedIOException("could not store function '" + name + "'", e);
        } finally {
            if (staged != null) {
                FileTrees.delete(staged);
            }
        }
    }

    /** Inserts the row, then points {@code functions/<name>} at the code; on a failure of either, undoes both. */
    private void publish(FunctionRecord record) {
        String name = record.name();
        String deploymentId = record.deploymentId();
        try {
            repository.insert(record);
        } catch (RuntimeException e) {
            folders.discard(name, deploymentId);
            throw e instanceof DuplicateFunctionException ? exists(name) : e;
        }
        try {
            folders.activate(name, deploymentId);
        } catch (IOException | RuntimeException e) {
            try {
                repository.delete(name, deploymentId);
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            folders.discard(name, deploymentId);
            if (e instanceof FileAlreadyExistsException) { // a folder was put there by hand since the check
                throw inTheWay(name);
            }
            throw e instanceof IOException io
                    ? new UncheckedIOException("could not link functions/" + name + " to its code", io)
                    : (RuntimeException) e;
        }
    }

    /**
     * Takes a function out: from here on it is not found, and its name is free for a new deploy. Its code stays in
     * its deployment folder for the invocations still running; {@link #discard} it once they are done.
     *
     * @return the function as it was
     */
    public StoredFunction remove(String rawName) {
        String name = FunctionName.validate(rawName);
        claim(name);
        try {
            StoredFunction stored = active.get(name);
            if (stored == null) {
                throw new FunctionNotFoundException(name);
            }
            String deploymentId = stored.deployment().deploymentId();
            repository.delete(name, deploymentId); // first: when it fails, nothing has changed
            active.remove(name);
            try {
                folders.deactivate(name, deploymentId);
            } catch (IOException | UncheckedIOException e) {
                log.warn("Could not remove the link functions/{} (the next start-up does): {}", name, e.toString());
            }
            log.info("Deleted {}", name);
            return stored;
        } finally {
            busyNames.remove(name);
        }
    }

    /** Deletes the code of a deployment that was removed, once nothing runs it any more. */
    public void discard(Deployment deployment) {
        folders.discard(deployment.name(), deployment.deploymentId());
    }

    /**
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws DeployRejectedException   ({@code BAD_REQUEST}) when the name is not a valid one
     */
    public StoredFunction find(String rawName) {
        String name = FunctionName.validate(rawName);
        StoredFunction stored = active.get(name);
        if (stored == null) {
            throw new FunctionNotFoundException(name);
        }
        return stored;
    }

    /** Sorted by name. */
    public List<StoredFunction> all() {
        return active.values().stream().sorted(Comparator.comparing(StoredFunction::name)).toList();
    }

    /** The statistics of the functions deployed now: what the statistics writer saves. */
    public List<InvocationCounters> counters() {
        return active.values().stream().map(StoredFunction::counters).toList();
    }

    private StoredFunction stored(FunctionRecord record, FunctionSettings settings) {
        Path codeDir = folders.codeDir(record.name(), record.deploymentId(), record.codeRoot());
        return new StoredFunction(new Deployment(record.name(), record.deploymentId(), record.createdAt(), codeDir,
                record.codeSizeBytes(), record.fileCount(), settings), new InvocationCounters(record));
    }

    private void claim(String name) {
        if (!busyNames.add(name)) {
            throw new DeployRejectedException(Reason.CONFLICT, "function '" + name + "' is being deployed or deleted"
                    + " by another request right now; try again once that finished");
        }
    }

    private static DeployRejectedException exists(String name) {
        return new DeployRejectedException(Reason.CONFLICT, "function '" + name + "' already exists;"
                + " delete it first (DELETE /del/" + name + ") to deploy a new version");
    }

    /** A folder start-up could not load (the server log says why): not ours to delete. */
    private static DeployRejectedException inTheWay(String name) {
        return new DeployRejectedException(Reason.CONFLICT, "a folder functions/" + name + " that is not a deployed"
                + " function is in the way (the server log says why it was not loaded at start-up); remove it from"
                + " GLAMBDAR_DIR, or deploy under another name");
    }
}
