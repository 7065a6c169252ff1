package io.glambdar.cli;

import org.eclipse.jgit.ignore.IgnoreNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code deploy} leaves out of a folder: the patterns of its {@code .glambdarignore} files, in
 * {@code .gitignore} syntax and with git's own semantics (JGit's matcher: {@code !} negation, {@code dir/},
 * {@code **}, anchored {@code /x}, last match wins), plus {@code .git/} and the {@code .glambdarignore} files
 * themselves (deploy tooling, not the function's code). As with git's nested {@code .gitignore}, a sub-folder's file
 * holds patterns relative to that sub-folder, and its verdict on a path wins over the files of the folders above it.
 */
final class IgnoreRules {

    static final String FILE_NAME = ".glambdarignore";

    /** The rules of the folders above; null at the deployed folder. */
    private final IgnoreRules above;
    /** Where this file's folder is, relative to the deployed folder: {@code ""} or {@code "lib/sub/"}. */
    private final String prefix;
    private final IgnoreNode patterns;

    private IgnoreRules(IgnoreRules above, String prefix, IgnoreNode patterns) {
        this.above = above;
        this.prefix = prefix;
        this.patterns = patterns;
    }

    /** The rules of {@code folder}'s {@code .glambdarignore}; only the defaults when it has none. */
    static IgnoreRules of(Path folder) throws IOException {
        IgnoreNode patterns = read(folder);
        return new IgnoreRules(null, "", patterns == null ? new IgnoreNode() : patterns);
    }

    /**
     * The rules inside a sub-folder: its own {@code .glambdarignore}, if it has one, over these.
     *
     * @param folder the sub-folder on disk
     * @param path   the sub-folder relative to the deployed folder, with {@code /} between names
     */
    IgnoreRules within(Path folder, String path) throws IOException {
        IgnoreNode patterns = read(folder);
        return patterns == null ? this : new IgnoreRules(this, path + "/", patterns);
    }

    /**
     * @param path      relative to the deployed folder, with {@code /} between names
     * @param directory whether it is a folder: a folder left out takes everything under it along, as in git
     */
    boolean excludes(String path, boolean directory) {
        if (path.equals(".git") || !directory && (path.equals(FILE_NAME) || path.endsWith("/" + FILE_NAME))) {
            return true;
        }
        for (IgnoreRules rules = this; rules != null; rules = rules.above) {
            if (path.startsWith(rules.prefix)) {
                Boolean ignored = rules.patterns.checkIgnored(path.substring(rules.prefix.length()), directory);
                if (ignored != null) { // the deepest file with a pattern for the path decides
                    return ignored;
                }
            }
        }
        return false;
    }

    /** The patterns of {@code folder}'s {@code .glambdarignore}, or null when it has none. */
    private static IgnoreNode read(Path folder) throws IOException {
        Path file = folder.resolve(FILE_NAME);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        IgnoreNode patterns = new IgnoreNode();
        try (InputStream in = Files.newInputStream(file)) {
            patterns.parse(in);
        }
        return patterns;
    }
}
