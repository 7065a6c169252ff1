package io.glambdar.store.archive;

import java.util.Objects;

/**
 * What {@link ZipExtractor#extract} wrote.
 *
 * @param codeRoot   where {@code index.js} is, relative to the target folder: {@code ""} when it is at the zip's root,
 *                   else the name of the single top-level folder that wraps everything (never contains a slash)
 * @param totalBytes bytes written, all files together
 * @param fileCount  the upload's regular files: those written, and those of macOS metadata left out (folders and
 *                   symbolic links not counted)
 */
public record ExtractedCode(String codeRoot, long totalBytes, int fileCount) {

    public ExtractedCode {
        Objects.requireNonNull(codeRoot, "codeRoot");
    }
}
