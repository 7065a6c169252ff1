package io.glambdar.store;

import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.CodeReader.CheckedCode;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.store.metadata.DuplicateFunctionException;
import io.glambdar.store.metadata.FunctionRecord;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.settings.SettingsParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Makes the repository and the code folders agree at start-up, whatever a crash, a hand edit or an earlier Glambdar
 * left:
 * <ul>
 *   <li>a row whose code is gone is dropped;</li>
 *   <li>a row whose code is still a plain folder {@code functions/<name>/} (the layout before deployment folders,
 *       or an adoption cut short) has that folder moved into {@code deployments/}, keeping the row and its
 *       statistics;</li>
 *   <li>a plain folder {@code functions/<name>/} without a row (copied in by hand) is adopted if it is a valid
 *       function: a new row, then the folder moves into {@code deployments/};</li>
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

    /** @return the rows of the functions to serve, by name */
    List<FunctionRecord> reconcile() {
        folders.deleteLeftovers();
        Map<String, FunctionRecord> live = new TreeMap<>();
        for (FunctionRecord record : repository.findAll()) {
            if (restoreCode(record)) {
                live.put(record.name(), record);
            }
        }
        for (String entry : folders.functionEntries()) {
            if (!live.containsKey(entry)) {
                adopt(entry).ifPresent(record -> live.put(record.name(), record));
            }
        }
        Map<String, String> keep = new TreeMap<>();
        live.values().forEach(record -> keep.put(record.name(), record.deploymentId()));
        folders.deleteDeploymentsExcept(keep);
        return List.copyOf(live.values());
    }

    /** Whether the row's code is (now) in its deployment folder; drops the row when its code is gone. */
    private boolean restoreCode(FunctionRecord record) {
        String name = record.name();
        String deploymentId = record.deploymentId();
        if (!folders.isInstalled(name, deploymentId)) {
            if (!folders.isPlainFolder(name)) {
                repository.delete(name, deploymentId);
                log.warn("Forgot function {}: its code folder {} is gone", name,
                        folders.deploymentDir(name, deploymentId));
                return false;
            }
            try {
                folders.installFromFunctionsFolder(name, deploymentId);
            } catch (IOException e) {
                log.warn("Function {} is not served: could not move {} into {} ({}); it is tried again at the next"
                        + " start", name, folders.functionEntry(name), folders.deploymentDir(name, deploymentId),
                        e.toString());
                return false;
            }
            log.info("Moved the code of function {} from {} into {}", name, folders.functionEntry(name),
                    folders.deploymentDir(name, deploymentId));
        }
        link(name, deploymentId);
        return true;
    }

    /** Something in {@code functions/} that no row owns: a folder copied in by hand is taken in if it is valid. */
    private Optional<FunctionRecord> adopt(String name) {
        Path entry = folders.functionEntry(name);
        try {
            if (Files.isSymbolicLink(entry)) {
                removeStaleLink(name, entry);
                return Optional.empty();
            }
            FunctionName.validate(name);
            if (!folders.isPlainFolder(name)) {
                throw DeployRejectedException.badRequest("not a folder");
            }
            CheckedCode code = codeReader.read(entry);
            FunctionRecord record = FunctionRecord.newlyDeployed(name, Deployment.newId(),
                    Files.getLastModifiedTime(entry).toInstant(), code.codeRoot(), code.totalBytes(), code.fileCount(),
                    SettingsParser.toJson(code.settings()));
            // The row first: after a crash from here on, the next start finds a row and a plain folder, and moves it.
            repository.insert(record);
            try {
                folders.installFromFunctionsFolder(name, record.deploymentId());
            } catch (IOException e) {
                repository.delete(name, record.deploymentId());
                throw e;
            }
            link(name, record.deploymentId());
            log.info("Adopted function {} found in {}", name, entry);
            return Optional.of(record);
        } catch (DeployRejectedException | DuplicateFunctionException | IOException e) {
            log.warn("Ignoring {}: {}", entry, e.getMessage());
            return Optional.empty();
        }
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
