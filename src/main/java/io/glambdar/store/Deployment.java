package io.glambdar.store;

import io.glambdar.function.FunctionSettings;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One version of a function: immutable, like its code.
 *
 * @param version       1 for the function's first deploy, then one more for each new version
 * @param deploymentId  unique per deploy; names the code folder, and keeps the engine's containers of one version
 *                      from ever serving another
 * @param deployedAt    when this version was deployed
 * @param codeDir       the folder holding its {@code index.js}, inside the version's own folder (never through
 *                      {@code functions/<name>}, which another version may be linked to)
 * @param codeSizeBytes bytes of code on disk (uncompressed)
 * @param fileCount     files in the upload
 * @param sha256        hex SHA-256 of the uploaded zip; null for code that did not arrive as a zip (adopted folders,
 *                      code deployed before versions)
 */
public record Deployment(String name, int version, String deploymentId, Instant deployedAt, Path codeDir,
                         long codeSizeBytes, int fileCount, String sha256, FunctionSettings settings) {

    private static final SecureRandom random = new SecureRandom();

    /** 16 hex digits: unique per deploy (or per life of a function), and safe as a folder name. */
    static String newId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
