package io.glambdar.store.metadata;

import java.time.Instant;
import java.util.Objects;

/**
 * One immutable version of a function in the {@link FunctionRepository}: its code and settings, as deployed.
 *
 * @param functionName  the function it belongs to
 * @param version       1 for the first deploy of the function, then one more for each new version
 * @param deploymentId  names the version's code folder; unique per deploy
 * @param deployedAt    when it was deployed (whole milliseconds)
 * @param sha256        hex SHA-256 of the uploaded zip; null for code deployed before versions existed
 * @param codeRoot      where {@code index.js} is inside the code: {@code ""} for its root, else the name of the single
 *                      folder that wraps everything
 * @param codeSizeBytes total size of the unzipped code
 * @param fileCount     number of files in the upload
 * @param settingsJson  its settings, serialized by the caller
 */
public record VersionRecord(String functionName, int version, String deploymentId, Instant deployedAt, String sha256,
                            String codeRoot, long codeSizeBytes, int fileCount, String settingsJson) {

    public VersionRecord {
        Objects.requireNonNull(functionName, "functionName");
        Objects.requireNonNull(deploymentId, "deploymentId");
        Objects.requireNonNull(deployedAt, "deployedAt");
        Objects.requireNonNull(codeRoot, "codeRoot");
        Objects.requireNonNull(settingsJson, "settingsJson");
        if (version < 1) {
            throw new IllegalArgumentException("version must be at least 1, got " + version);
        }
        FunctionRecord.requireNonNegative(codeSizeBytes, "codeSizeBytes");
        FunctionRecord.requireNonNegative(fileCount, "fileCount");
        deployedAt = FunctionRecord.toMillis(deployedAt);
    }
}
