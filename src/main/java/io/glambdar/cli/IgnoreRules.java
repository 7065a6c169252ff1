package io.glambdar.cli;

import org.eclipse.jgit.ignore.IgnoreNode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What {@code deploy} leaves out of a folder: the patterns of its {@code .glambdarignore}, in {@code .gitignore}
 * syntax and with git's own semantics (JGit's matcher: {@code !} negation, {@code dir/}, {@code **}, anchored
 * {@code /x}, last match wins), plus {@code .git/} and the {@code .glambdarignore} file itself.
 */
final class IgnoreRules {

    static final String FILE_NAME = ".glambdarignore";

    private final IgnoreNode patterns;

    private IgnoreRules(IgnoreNode patterns) {
        this.patterns = patterns;
    }

    /** The rules of {@code folder}'s {@code .glambdarignore}; only the defaults when it has none. */
    static IgnoreRules of(Path folder) throws IOException {
        IgnoreNode patterns = new IgnoreNode();
        Path file = folder.resolve(FILE_NAME);
        if (Files.isRegularFile(file)) {
            try (InputStream in = Files.newInputStream(file)) {
                patterns.parse(in);
            }
        }
        return new IgnoreRules(patterns);
    }

    /**
     * @param path      relative to the folder, with {@code /} between names
     * @param directory whether it is a folder: a folder left out takes everything under it along, as in git
     */
    boolean excludes(String path, boolean directory) {
        if (path.equals(".git") || path.equals(FILE_NAME) && !directory) {
            return true;
        }
        return patterns.isIgnored(path, directory) == IgnoreNode.MatchResult.IGNORED;
    }
}
