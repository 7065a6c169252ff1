package io.glambdar.store;

import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.CodeReader.CheckedCode;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.store.metadata.DuplicateFunctionException;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.VersionRecord;
import io.glambdar.store.settings.SettingsParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Makes the repository and the code folders agree at start-up, whatever a crash, a hand edit or an earlier Glambdar
 * left:
 * <ul>
 *   <li>a version whose code is gone is dropped (and a function with no version left); when the active one is gone
 *       (its code, or its row), the newest remaining version becomes active;</li>
 *   <li>an active version whose code is still a plain folder {@code functions/<name>/} (the layout before deployment folders,
 *       or an adoption cut short) has that folder moved into {@code deployments/}, keeping the row and its
 *       statistics;</li>
 *   <li>a plain folder {@code functions/<name>/} without a row (copied in by hand) is adopted if it is a valid
 *       function: a new row, then the folder moves into {@code deployments/}; so is a link {@code functions/<name>}
 *       to a deployment folder that no row knows (a lost or replaced database), as version 1, in place;</li>
 *   <li>{@code functions/<name>} is made the link to each function's deployment; links nobody owns are removed;</li>
 *   <li>deployment folders no row refers to, and half-done deploys in {@code staging/}, are deleted.</li>
 * </ul>
 * Each step is ordered so that a crash part-way is finished by the next start.
 */
final class StartupReconciler {

    private static final Logger log = LoggerFactory.getLogger(StartupReconciler.class);

    private final DeploymentFolders folders;
    private final FunctionRepository repository;
    private final CodeReader codeReader;

    StartupReconciler(DeploymentFolders folders, FunctionRepository repository, CodeReader codeReader) {
        this.folders = folders;
        this.repository = repository;
        this.codeReader = codeReader;
    }

    /** A function to serve: its row and its kept versions (newest first), each with its code in place. */
    record Loaded(FunctionRecord function, List<VersionRecord> versions) {
    }

    /** @return the functions to serve, by name */
    List<Loaded> reconcile() {
        folders.deleteLeftovers();
        Map<String, Loaded> live = new TreeMap<>();
        Map<String, List<VersionRecord>> versions = repository.findAllVersions().stream()
                .collect(Collectors.groupingBy(VersionRecord::functionName));
        for (FunctionRecord record : repository.findAll()) {
            restoreCode(record, versions.getOrDefault(record.name(), List.of()))
                    .ifPresent(loaded -> live.put(record.name(), loaded));
        }
        for (String entry : folders.functionEntries()) {
            if (!live.containsKey(entry)) {
                adopt(entry).ifPresent(loaded -> live.put(entry, loaded));
            }
        }
        Map<String, Set<String>> keep = new TreeMap<>();
        live.values().forEach(loaded -> keep.put(loaded.function().name(), loaded.versions().stream()
                .map(VersionRecord::deploymentId).collect(Collectors.toSet())));
        folders.deleteDeploymentsExcept(keep);
        return List.copyOf(live.values());
    }

    /**
     * The function with the versions (newest first) whose code is (now) in place. Versions whose code is gone are forgotten (if the
     * active one is among them, the newest remaining one becomes active); a function with none left is forgotten.
     */
    private Optional<Loaded> restoreCode(FunctionRecord record, List<VersionRecord> versions) {
        String name = record.name();
        List<VersionRecord> kept = new ArrayList<>();
        List<Integer> missing = new ArrayList<>();
        for (VersionRecord version : versions) {
            String deploymentId = version.deploymentId();
            if (folders.isInstalled(name, deploymentId)) {
                kept.add(version);
            } else if (version.version() == record.activeVersion() && folders.isPlainFolder(name)) {
                try {
                    folders.installFromFunctionsFolder(name, deploymentId);
                } catch (IOException e) {
                    log.warn("Function {} is not served: could not move {} into {} ({}); it is tried again at the"
                            + " next start", name, folders.functionEntry(name),
                            folders.deploymentDir(name, deploymentId), e.toString());
                    return Optional.empty();
                }
                log.info("Moved the code of function {} from {} into {}", name, folders.functionEntry(name),
                        folders.deploymentDir(name, deploymentId));
                kept.add(version);
            } else {
                missing.add(version.version());
            }
        }
        if (kept.isEmpty()) {
            repository.delete(name, record.functionId());
            log.warn("Forgot function {}: the code of every version is gone from {}", name,
                    folders.deploymentDir(name, "").getParent());
            return Optional.empty();
        }
        FunctionRecord loaded = record;
        // Its code is gone, or (after a hand edit of the database) its row: either way it cannot be served.
        if (kept.stream().noneMatch(version -> version.version() == record.activeVersion())) {
            int newest = kept.getFirst().version();
            repository.activate(name, record.functionId(), newest);
            loaded = record.withActiveVersion(newest);
            log.warn("Function {}: its active version {} is gone ({}); version {} is active instead", name,
                    record.activeVersion(), missing.contains(record.activeVersion()) ? "its code" : "its row",
                    newest);
        }
        if (!missing.isEmpty()) {
            repository.deleteVersions(name, missing);
            log.warn("Function {}: forgot versions {}, whose code is gone", name, missing);
        }
        int activeVersion = loaded.activeVersion();
        kept.stream().filter(version -> version.version() == activeVersion).findFirst()
                .ifPresent(version -> link(name, version.deploymentId()));
        return Optional.of(new Loaded(loaded, List.copyOf(kept)));
    }

    /** Something in {@code functions/} that no row owns: a folder copied in by hand is taken in if it is valid. */
    private Optional<Loaded> adopt(String name) {
        Path entry = folders.functionEntry(name);
        try {
            if (Files.isSymbolicLink(entry)) {
                Optional<String> linked = folders.linkedDeployment(name);
                if (linked.isPresent() && folders.isInstalled(name, linked.get())) {
                    return adoptDeployment(name, linked.get());
                }
                removeStaleLink(name, entry);
                return Optional.empty();
            }
            FunctionName.validate(name);
            if (!folders.isPlainFolder(name)) {
                throw DeployRejectedException.badRequest("not a folder");
            }
            Loaded loaded = insertVersionOne(name, Deployment.newId(), entry);
            FunctionRecord record = loaded.function();
            VersionRecord first = loaded.versions().getFirst();
            // The rows first: after a crash from here on, the next start finds rows and a plain folder, and moves it.
            try {
                folders.installFromFunctionsFolder(name, first.deploymentId());
            } catch (IOException e) {
                repository.delete(name, record.functionId());
                throw e;
            }
            link(name, first.deploymentId());
            log.info("Adopted function {} found in {}", name, entry);
            return Optional.of(loaded);
        } catch (DeployRejectedException | DuplicateFunctionException | IOException e) {
            log.warn("Ignoring {}: {}", entry, e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Our link to a deployment whose rows are gone (the metadata database was lost, or moved away): the code the
     * function served is still there, so it is served again as version 1 rather than deleted with the folders no row
     * refers to. Its other versions, unknown without their rows, are not kept.
     */
    private Optional<Loaded> adoptDeployment(String name, String deploymentId)
            throws IOException, DeployRejectedException, DuplicateFunctionException {
        Path dir = folders.deploymentDir(name, deploymentId);
        Loaded loaded = insertVersionOne(name, deploymentId, dir);
        log.warn("Adopted function {} as version 1 from {}: the metadata database had no record of it (its"
                + " statistics, other versions and invoke keys are not known)", name, dir);
        return Optional.of(loaded);
    }

    /** New rows for a function found without any: the code in {@code dir} as its version 1, dated by the folder. */
    private Loaded insertVersionOne(String name, String deploymentId, Path dir)
            throws IOException, DeployRejectedException, DuplicateFunctionException {
        CheckedCode code = codeReader.read(dir);
        Instant modified = Files.getLastModifiedTime(dir).toInstant();
        FunctionRecord record = FunctionRecord.newlyDeployed(name, Deployment.newId(), modified);
        VersionRecord first = new VersionRecord(name, 1, deploymentId, modified, null, code.codeRoot(),
                code.totalBytes(), code.fileCount(), SettingsParser.toJson(code.settings()));
        repository.insert(record, first);
        return new Loaded(record, List.of(first));
    }

    private void removeStaleLink(String name, Path entry) throws IOException {
        if (folders.linkedDeployment(name).isPresent()) { // ours, to a deployment that is gone
            folders.removeLink(name);
        } else {
            log.warn("Ignoring {}: a symbolic link Glambdar did not make", entry);
        }
    }

    /** Points {@code functions/<name>} at the deployment unless it already does. */
    private void link(String name, String deploymentId) {
        if (folders.linkedDeployment(name).filter(deploymentId::equals).isPresent()) {
            return;
        }
        try {
            folders.activate(name, deploymentId);
        } catch (IOException e) {
            // The function runs from its deployment folder either way.
            log.warn("Function {} runs from {}, but {} could not be made a link to it ({}); remove what is there to"
                    + " see its code in functions/", name, folders.deploymentDir(name, deploymentId),
                    folders.functionEntry(name), e.toString());
        }
    }
}
