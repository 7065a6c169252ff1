package io.glambdar.store;

import io.glambdar.function.FunctionSettings;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One deploy of a function: immutable, like its code.
 *
 * @param deploymentId  changes with every deploy of the name
 * @param codeDir       the folder holding its {@code index.js}, inside the deployment's own folder (never through
 *                      {@code functions/<name>}, which a later deploy may point elsewhere)
 * @param codeSizeBytes bytes of code on disk (uncompressed)
 */
public record Deployment(String name, String deploymentId, Instant createdAt, Path codeDir, long codeSizeBytes,
                         int fileCount, FunctionSettings settings) {

    private static final SecureRandom random = new SecureRandom();

    /** 16 hex digits: unique per deploy, and safe as a folder name. */
    static String newId() {
        byte[] bytes = new byte[8];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
