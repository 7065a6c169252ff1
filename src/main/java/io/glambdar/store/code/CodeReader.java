package io.glambdar.store.code;

import io.glambdar.function.FunctionSettings;
import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.archive.ExtractedCode;
import io.glambdar.store.archive.ZipExtractor;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.util.FileTrees;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Checks a function's code and reads what the store records about it, whether it arrives as an uploaded zip or as a
 * folder already on disk.
 */
public final class CodeReader {

    /**
     * Code that passed every check.
     *
     * @param codeRoot   where {@code index.js} is: {@code ""} for the folder itself, else its single sub-folder's name
     * @param totalBytes bytes of all its files
     * @param fileCount  regular files
     * @param settings   from its {@code glambdar.json}, or the defaults
     */
    public record CheckedCode(String codeRoot, long totalBytes, int fileCount, FunctionSettings settings) {
    }

    private final SettingsParser settingsParser;
    private final ArchiveLimits archiveLimits;

    public CodeReader(SettingsParser settingsParser, ArchiveLimits archiveLimits) {
        this.settingsParser = settingsParser;
        this.archiveLimits = archiveLimits;
    }

    /**
     * Extracts an uploaded zip into an empty folder and checks it.
     *
     * @throws DeployRejectedException when the zip or its settings are not acceptable
     * @throws IOException             when writing fails (a server problem, not the upload's)
     */
    public CheckedCode unpack(Path zip, Path into) throws IOException {
        ExtractedCode code = ZipExtractor.extract(zip, into, archiveLimits);
        FunctionSettings settings = settingsParser.readFrom(CodeRoot.resolve(into, code.codeRoot()));
        return new CheckedCode(code.codeRoot(), code.totalBytes(), code.fileCount(), settings);
    }

    /**
     * Checks a folder already on disk as an upload would be checked (except for the zip's own limits).
     *
     * @throws DeployRejectedException saying what is wrong with it
     */
    public CheckedCode read(Path dir) throws IOException {
        String codeRoot = CodeRoot.find(dir).orElseThrow(() -> DeployRejectedException.badRequest(
                "no index.js at its root or inside a single top-level folder"));
        FunctionSettings settings = settingsParser.readFrom(CodeRoot.resolve(dir, codeRoot));
        FileTrees.Size size = FileTrees.size(dir);
        return new CheckedCode(codeRoot, size.bytes(), size.files(), settings);
    }
}
