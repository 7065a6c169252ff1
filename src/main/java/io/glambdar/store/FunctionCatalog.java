package io.glambdar.store;

import io.glambdar.function.FunctionSettings;
import io.glambdar.store.DeployRejectedException.Reason;
import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.CodeReader.CheckedCode;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.store.invocations.RecentInvocations;
import io.glambdar.store.metadata.DuplicateFunctionException;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.store.stats.InvocationCounters;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

/**
 * The functions deployed right now, each with its kept versions and the active one. Keeps three things in step: the
 * code folders, the repository's rows and this in-memory catalog, which invocations read without touching either. A
 * deploy, an update or a rollback is either wholly there or not at all.
 *
 * <p>Changes to one name (deploy, update, rollback, delete) take turns on a lock for the name, so two updates each
 * get their own version number and none is lost; the slow part of a deploy (unzipping and checking) happens before,
 * outside the lock.
 */
public final class FunctionCatalog {

    private static final Logger log = LoggerFactory.getLogger(FunctionCatalog.class);
    /** Locks for names, shared by hash: bounded whatever names are tried; enough for changes to run side by side. */
    private static final int NAME_LOCKS = 64;

    /** A new version of a function, deployed and made active. */
    public record Update(StoredFunction function, Deployment deployed, Deployment previous, List<Deployment> pruned) {
    }

    /**
     * Another kept version made active.
     *
     * @param pruned versions no longer kept: the one active before, when it is not among the newest kept ones (their
     *               code stays until {@link #discard}ed)
     */
    public record Switch(StoredFunction function, Deployment active, Deployment previous, List<Deployment> pruned) {
    }

    private final DeploymentFolders folders;
    private final FunctionRepository repository;
    private final CodeReader codeReader;
    private final Clock clock;
    private final int keepVersions;
    private final Map<String, StoredFunction> active = new ConcurrentHashMap<>();
    private final ReentrantLock[] nameLocks = new ReentrantLock[NAME_LOCKS];

    private FunctionCatalog(DeploymentFolders folders, FunctionRepository repository, CodeReader codeReader,
                            Clock clock, int keepVersions) {
        if (keepVersions < 1) {
            throw new IllegalArgumentException("keepVersions must be at least 1, got " + keepVersions);
        }
        this.folders = folders;
        this.repository = repository;
        this.codeReader = codeReader;
        this.clock = clock;
        this.keepVersions = keepVersions;
        for (int i = 0; i < NAME_LOCKS; i++) {
            nameLocks[i] = new ReentrantLock(true);
        }
    }

    /**
     * Makes folders and repository agree ({@link StartupReconciler}), then serves the functions they hold.
     *
     * @param keepVersions how many of each function's newest versions are kept (the active one always is)
     */
    public static FunctionCatalog open(DeploymentFolders folders, FunctionRepository repository, CodeReader codeReader,
                                       Clock clock, int keepVersions) {
        FunctionCatalog catalog = new FunctionCatalog(folders, repository, codeReader, clock, keepVersions);
        for (StartupReconciler.Loaded loaded : new StartupReconciler(folders, repository, codeReader).reconcile()) {
            List<Deployment> versions = loaded.versions().stream().map(catalog::deployment).toList();
            String name = loaded.function().name();
            FunctionVersions kept = catalog.pruneAtStart(name,
                    FunctionVersions.of(versions, loaded.function().activeVersion()));
            catalog.active.put(name, new StoredFunction(name, loaded.function().functionId(),
                    loaded.function().createdAt(), new InvocationCounters(loaded.function()), kept));
        }
        log.info("{} functions deployed", catalog.active.size());
        return catalog;
    }

    /**
     * Versions beyond the newest kept ones, as at a deploy: a lowered {@code GLAMBDAR_KEEP_VERSIONS} holds from the
     * start, and a prune an earlier run could not record is finished. Nothing runs yet, so their code goes at once.
     */
    private FunctionVersions pruneAtStart(String name, FunctionVersions versions) {
        List<Deployment> pruned = versions.beyond(keepVersions);
        if (!forgetPruned(name, pruned)) {
            return versions; // the next start-up tries again
        }
        pruned.forEach(this::discard);
        return versions.without(pruned);
    }

    private void relink(String name, String deploymentId) {
        try {
            folders.activate(name, deploymentId);
        } catch (IOException | UncheckedIOException e) {
            log.warn("Could not restore the link functions/{} (the next start-up does): {}", name, e.toString());
        }
    }

    /**
     * {@code POST /deploy}: deploys a new function from the zip uploaded as {@code uploadFileName}, named after the
     * file, as its version 1.
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable, or the name is taken
     */
    public Update deploy(String uploadFileName, Path zip) {
        String name = FunctionName.fromUploadFileName(uploadFileName);
        if (active.containsKey(name)) { // a shortcut before unzipping; decided again under the lock
            throw exists(name);
        }
        return withStagedCode(name, zip, staged -> withNameLock(name, () -> {
            if (active.containsKey(name)) {
                throw exists(name);
            }
            return created(create(name, staged));
        }));
    }

    /**
     * {@code PUT /deploy/:name}: deploys the zip as a new version of the function and makes it active, or as version 1
     * of a new function. Versions beyond the newest kept ones are pruned (see {@link Update#pruned()}: their code stays
     * until {@link #discard}ed).
     *
     * @throws DeployRejectedException when the name, the zip or its settings are not acceptable
     */
    public Update update(String rawName, Path zip) {
        String name = FunctionName.validate(rawName);
        return withStagedCode(name, zip, staged -> withNameLock(name, () -> {
            StoredFunction existing = active.get(name);
            if (existing == null) {
                return created(create(name, staged));
            }
            return addVersion(existing, staged);
        }));
    }

    /**
     * {@code POST /rollback/:name}: makes a kept version the active one.
     *
     * @param version the version to make active; null for the highest kept version below the active one
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when that version is not kept (or there is none below the active one)
     */
    public Switch rollback(String rawName, Integer version) {
        String name = FunctionName.validate(rawName);
        return withNameLock(name, () -> {
            StoredFunction function = find(name);
            FunctionVersions versions = function.versions();
            Deployment previous = versions.activeDeployment();
            Deployment target = version == null
                    ? versions.below(previous.version()).orElseThrow(() -> new VersionNotFoundException(
                    "function '" + name + "' has no kept version below its active version " + previous.version()
                            + " to roll back to; kept: " + keptList(versions)))
                    : function.version(version).orElseThrow(() -> notKept(name, version, versions));
            if (!repository.activate(name, function.functionId(), target.version())) {
                throw new FunctionNotFoundException(name);
            }
            FunctionVersions switched = versions.activate(target.version());
            List<Deployment> pruned = switched.beyond(keepVersions);
            function.replaceVersions(switched.without(pruned));
            linkActive(name, target);
            log.info("Function {}: version {} active (was {})", name, target.version(), previous.version());
            forgetPruned(name, pruned);
            return new Switch(function, target, previous, pruned);
        });
    }

    /**
     * Takes a function out, every version of it: from here on it is not found, and its name is free for a new
     * deploy. Its code stays in the version folders for the invocations still running; {@link #discard} each version
     * once they are done.
     *
     * @return the function as it was
     */
    public StoredFunction remove(String rawName) {
        String name = FunctionName.validate(rawName);
        return withNameLock(name, () -> {
            StoredFunction stored = active.get(name);
            if (stored == null) {
                throw new FunctionNotFoundException(name);
            }
            // The link first, then the row: a link to a deployment no row knows means a lost database to the next
            // start-up, which serves that code again, so a crash in between must not leave one.
            String deploymentId = stored.active().deploymentId();
            try {
                folders.deactivate(name, deploymentId);
            } catch (IOException | UncheckedIOException e) {
                log.warn("Could not remove the link functions/{}: {}", name, e.toString());
            }
            try {
                repository.delete(name, stored.functionId());
            } catch (RuntimeException e) {
                relink(name, deploymentId); // nothing has changed after all
                throw e;
            }
            active.remove(name);
            log.info("Deleted {}", name);
            return stored;
        });
    }

    /** Deletes the code of a version that was removed or pruned, once nothing runs it any more. */
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

    /** The names of the functions deployed now (a live view). */
    public Set<String> names() {
        return Collections.unmodifiableSet(active.keySet());
    }

    /** Whether a function of that name is deployed now (an invalid name never is). */
    public boolean isDeployed(String name) {
        return active.containsKey(name);
    }

    /**
     * A kept version of a function.
     *
     * @throws FunctionNotFoundException when no function of that name is deployed
     * @throws VersionNotFoundException  when the version is not kept
     */
    public Deployment version(StoredFunction function, int version) {
        return function.version(version)
                .orElseThrow(() -> notKept(function.name(), version, function.versions()));
    }

    /** Sorted by name. */
    public List<StoredFunction> all() {
        return active.values().stream().sorted(Comparator.comparing(StoredFunction::name)).toList();
    }

    /** The statistics of the functions deployed now: what the statistics writer saves. */
    public List<InvocationCounters> counters() {
        return active.values().stream().map(StoredFunction::counters).toList();
    }

    /** The recent invocations of the functions deployed now: what the invocation log writer saves. */
    public List<RecentInvocations> recentInvocations() {
        return active.values().stream().map(StoredFunction::invocations).toList();
    }

    // ---------------------------------------------------------------- deploying

    /** Checked code in {@code staging/}, not yet anyone's. */
    private record StagedCode(Path folder, CheckedCode code, String sha256) {
    }

    @FunctionalInterface
    private interface StagedWork<T> {
        T apply(StagedCode staged) throws IOException;
    }

    /** Extracts and checks the zip in {@code staging/} (outside any lock), runs {@code work}, then cleans up. */
    private <T> T withStagedCode(String name, Path zip, StagedWork<T> work) {
        Path staged = null;
        try {
            staged = folders.newStagingFolder(name);
            CheckedCode code = codeReader.unpack(zip, staged);
            return work.apply(new StagedCode(staged, code, sha256(zip)));
        } catch (IOException e) {
            throw new UncheckedIOException("could not store function '" + name + "'", e);
        } finally {
            if (staged != null) {
                FileTrees.delete(staged); // gone already when it was installed
            }
        }
    }

    /** A new function's first version, as an update: nothing before it, nothing pruned. */
    private static Update created(StoredFunction function) {
        return new Update(function, function.active(), null, List.of());
    }

    /** Under the name's lock: the function's first version, its row, and the link to its code. */
    private StoredFunction create(String name, StagedCode staged) throws IOException {
        if (folders.isPlainFolder(name)) {
            throw inTheWay(name);
        }
        FunctionRecord record = FunctionRecord.newlyDeployed(name, Deployment.newId(), clock.instant());
        VersionRecord first = versionRecord(name, 1, Deployment.newId(), staged);
        folders.install(staged.folder(), name, first.deploymentId());
        try {
            repository.insert(record, first);
        } catch (RuntimeException e) {
            folders.discard(name, first.deploymentId());
            throw e instanceof DuplicateFunctionException ? exists(name) : e;
        }
        Deployment deployment = deployment(first);
        try {
            activateLink(name, deployment);
        } catch (RuntimeException e) {
            try {
                repository.delete(name, record.functionId());
            } catch (RuntimeException undo) {
                e.addSuppressed(undo);
            }
            folders.discard(name, first.deploymentId());
            throw e;
        }
        StoredFunction stored = new StoredFunction(name, record.functionId(), record.createdAt(),
                new InvocationCounters(record), FunctionVersions.of(List.of(deployment), 1));
        active.put(name, stored);
        logDeployed(deployment);
        return stored;
    }

    /** Under the name's lock: a new version made active, and the versions beyond the kept ones pruned. */
    private Update addVersion(StoredFunction function, StagedCode staged) throws IOException {
        String name = function.name();
        FunctionVersions versions = function.versions();
        String deploymentId = Deployment.newId();
        folders.install(staged.folder(), name, deploymentId);
        Optional<VersionRecord> added;
        try {
            added = repository.addVersion(name, function.functionId(),
                    number -> versionRecord(name, number, deploymentId, staged));
        } catch (RuntimeException e) {
            folders.discard(name, deploymentId);
            throw e;
        }
        if (added.isEmpty()) { // deleted on another node
            folders.discard(name, deploymentId);
            throw new FunctionNotFoundException(name);
        }
        VersionRecord record = added.get();
        Deployment deployment = deployment(record);
        Deployment previous = versions.activeDeployment();
        FunctionVersions withNew = versions.plus(deployment);
        List<Deployment> pruned = withNew.beyond(keepVersions);
        function.replaceVersions(withNew.without(pruned));
        linkActive(name, deployment);
        logDeployed(deployment);
        forgetPruned(name, pruned);
        return new Update(function, deployment, previous, pruned);
    }

    /**
     * The repository forgets pruned versions (their code is the caller's to retire).
     *
     * @return whether it did (also when there were none)
     */
    private boolean forgetPruned(String name, List<Deployment> pruned) {
        if (pruned.isEmpty()) {
            return true;
        }
        List<Integer> numbers = pruned.stream().map(Deployment::version).toList();
        try {
            repository.deleteVersions(name, numbers);
        } catch (RuntimeException e) { // still in the repository: the next start-up prunes again
            log.warn("Could not forget the pruned versions {} of {}: {}", numbers, name, e.toString());
            return false;
        }
        log.info("Function {}: pruned versions {} (GLAMBDAR_KEEP_VERSIONS={})", name, numbers, keepVersions);
        return true;
    }

    private VersionRecord versionRecord(String name, int version, String deploymentId, StagedCode staged) {
        CheckedCode code = staged.code();
        return new VersionRecord(name, version, deploymentId, clock.instant(), staged.sha256(),
                code.codeRoot(), code.totalBytes(), code.fileCount(), SettingsParser.toJson(code.settings()));
    }

    /** Points {@code functions/<name>} at a new function's code; failing that, the deploy fails. */
    private void activateLink(String name, Deployment deployment) {
        try {
            folders.activate(name, deployment.deploymentId());
        } catch (FileAlreadyExistsException e) { // a folder was put there by hand since the check
            throw inTheWay(name);
        } catch (IOException e) {
            throw new UncheckedIOException("could not link functions/" + name + " to its code", e);
        }
    }

    /**
     * Points {@code functions/<name>} at the new active version. Invocations run from the version folders, not the
     * link, so a failure here only leaves {@code functions/} showing an older version until the next start-up.
     */
    private void linkActive(String name, Deployment deployment) {
        try {
            folders.activate(name, deployment.deploymentId());
        } catch (IOException | UncheckedIOException e) {
            log.warn("Function {} runs version {}, but functions/{} could not be linked to it ({}); the next start-up"
                    + " links it", name, deployment.version(), name, e.toString());
        }
    }

    private Deployment deployment(VersionRecord record) {
        Path codeDir = folders.codeDir(record.functionName(), record.deploymentId(), record.codeRoot());
        return new Deployment(record.functionName(), record.version(), record.deploymentId(), record.deployedAt(),
                codeDir, record.codeSizeBytes(), record.fileCount(), record.sha256(),
                SettingsParser.fromStoredJson(record.settingsJson()));
    }

    private static void logDeployed(Deployment deployment) {
        FunctionSettings settings = deployment.settings();
        log.info("Deployed {} version {} ({} files, {} bytes, timeout {} s, memory {} MB, cpus {})", deployment.name(),
                deployment.version(), deployment.fileCount(), deployment.codeSizeBytes(),
                settings.timeout().toMillis() / 1000.0, settings.memoryMb(), settings.cpus());
    }

    private static String sha256(Path zip) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java has SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(zip), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @FunctionalInterface
    private interface NameWork<T> {
        T run() throws IOException;
    }

    private <T> T withNameLock(String name, NameWork<T> work) {
        ReentrantLock lock = nameLocks[Math.floorMod(name.hashCode(), NAME_LOCKS)];
        lock.lock();
        try {
            return work.run();
        } catch (IOException e) {
            throw new UncheckedIOException("could not store function '" + name + "'", e);
        } finally {
            lock.unlock();
        }
    }

    private static VersionNotFoundException notKept(String name, int version, FunctionVersions versions) {
        return new VersionNotFoundException("function '" + name + "' has no version " + version
                + " (kept: " + keptList(versions) + "; see GET /versions/" + name + ")");
    }

    private static String keptList(FunctionVersions versions) {
        return versions.kept().descendingKeySet().stream().map(String::valueOf).collect(Collectors.joining(", "));
    }

    private static DeployRejectedException exists(String name) {
        return new DeployRejectedException(Reason.CONFLICT, "function '" + name + "' already exists; deploy a new"
                + " version with PUT /deploy/" + name + ", or delete it first (DELETE /del/" + name + ")");
    }

    /** A folder start-up could not load (the server log says why): not ours to delete. */
    private static DeployRejectedException inTheWay(String name) {
        return new DeployRejectedException(Reason.CONFLICT, "a folder functions/" + name + " that is not a deployed"
                + " function is in the way (the server log says why it was not loaded at start-up); remove it from"
                + " GLAMBDAR_DIR, or deploy under another name");
    }
}
