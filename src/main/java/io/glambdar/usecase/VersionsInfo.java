package io.glambdar.usecase;

import io.glambdar.store.FunctionVersions;
import io.glambdar.store.StoredFunction;

import java.time.Instant;
import java.util.List;

/**
 * {@code GET /versions/:name}: the kept versions of a function, newest first, and which one is active.
 */
public record VersionsInfo(String function, int active, List<Version> versions) {

    /**
     * @param sha256        of the uploaded zip; null for code that did not arrive as one (adopted from a folder, or
     *                      deployed before versions existed)
     * @param codeSizeBytes bytes of code on disk (uncompressed)
     * @param fileCount     files in the upload
     */
    public record Version(int version, Instant deployedAt, String sha256, long codeSizeBytes, int fileCount,
                          FunctionInfo.Settings settings) {
    }

    static VersionsInfo of(StoredFunction function) {
        FunctionVersions versions = function.versions();
        return new VersionsInfo(function.name(), versions.active(), versions.newestFirst().stream()
                .map(v -> new Version(v.version(), v.deployedAt(), v.sha256(), v.codeSizeBytes(), v.fileCount(),
                        FunctionInfo.Settings.of(v.settings())))
                .toList());
    }
}
