package io.glambdar.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** .glambdarignore has .gitignore's syntax and git's semantics. */
class IgnoreRulesTest {

    @TempDir
    Path folder;

    private void write(String path, String content) throws IOException {
        Path file = folder.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    /** The rules of a {@code .glambdarignore} holding {@code patterns}. */
    private IgnoreRules rules(String patterns) throws IOException {
        write(IgnoreRules.FILE_NAME, patterns);
        return IgnoreRules.of(folder);
    }

    @Test
    void patternsMatchNamesAnywhereUnlessAnchored() throws IOException {
        IgnoreRules rules = rules("""
                # a comment
                *.log
                /secret.txt
                """);

        assertThat(rules.excludes("debug.log", false)).isTrue();
        assertThat(rules.excludes("lib/deep/debug.log", false)).isTrue();
        assertThat(rules.excludes("secret.txt", false)).isTrue();
        assertThat(rules.excludes("lib/secret.txt", false)).isFalse();
        assertThat(rules.excludes("index.js", false)).isFalse();
        assertThat(rules.excludes("# a comment", false)).isFalse();
    }

    @Test
    void aTrailingSlashMatchesOnlyFolders() throws IOException {
        IgnoreRules rules = rules("build/\n");

        assertThat(rules.excludes("build", true)).isTrue();
        assertThat(rules.excludes("src/build", true)).isTrue();
        assertThat(rules.excludes("build", false)).isFalse();
    }

    @Test
    void doubleStarMatchesAnyDepth() throws IOException {
        IgnoreRules rules = rules("docs/**/*.md\n**/fixtures\n");

        assertThat(rules.excludes("docs/a.md", false)).isTrue();
        assertThat(rules.excludes("docs/x/y/z.md", false)).isTrue();
        assertThat(rules.excludes("docs/x/y/z.txt", false)).isFalse();
        assertThat(rules.excludes("test/unit/fixtures", true)).isTrue();
        assertThat(rules.excludes("fixtures", false)).isTrue();
    }

    @Test
    void negationReincludesAndTheLastMatchingPatternWins() throws IOException {
        IgnoreRules rules = rules("*.json\n!package.json\nconfig/*\n!config/keep.js\n");

        assertThat(rules.excludes("data.json", false)).isTrue();
        assertThat(rules.excludes("package.json", false)).isFalse();
        assertThat(rules.excludes("config/drop.js", false)).isTrue();
        assertThat(rules.excludes("config/keep.js", false)).isFalse();
    }

    @Test
    void gitAndTheIgnoreFileItselfAreLeftOut() throws IOException {
        IgnoreRules rules = rules("");

        assertThat(rules.excludes(".git", true)).isTrue();
        assertThat(rules.excludes(IgnoreRules.FILE_NAME, false)).isTrue();
        assertThat(rules.excludes(".github", true)).isFalse();
        assertThat(rules.excludes("lib/.git", true)).isFalse();
    }

    @Test
    void aFolderLeftOutTakesItsFilesAlongEvenWhenANegationNamesThem() throws IOException {
        write("index.js", "exports.handler = async () => ({ body: 1 });");
        write("node_modules/dep/index.js", "");
        write("node_modules/keep/index.js", "");
        write("cache/a.bin", "");
        write("cache/keep.txt", "");
        write("lib/util.js", "");
        write("lib/util.test.js", "");
        write(".git/HEAD", "");
        write(IgnoreRules.FILE_NAME, """
                node_modules/*
                !node_modules/keep/
                cache/
                !cache/keep.txt
                *.test.js
                """);

        assertThat(FolderZip.files(folder, IgnoreRules.of(folder)))
                .containsExactly("index.js", "lib/util.js", "node_modules/keep/index.js");
    }

    @Test
    void aSubFoldersIgnoreFileHoldsPatternsRelativeToItAndWinsOverTheFilesAbove() throws IOException {
        write("index.js", "");
        write("keep.tmp", "");
        write("sub/drop.tmp", "");
        write("sub/keep.js", "");
        write("sub/deep/drop.tmp", "");
        write("sub/deep/local.log", "");
        write("sub/only-here.txt", "");
        write("only-here.txt", "");
        write("logs/sub/local.log", "");
        write(IgnoreRules.FILE_NAME, "*.log\n");
        write("sub/" + IgnoreRules.FILE_NAME, "*.tmp\n/only-here.txt\n");
        write("sub/deep/" + IgnoreRules.FILE_NAME, "!*.log\n");

        assertThat(FolderZip.files(folder, IgnoreRules.of(folder))).containsExactly("index.js", "keep.tmp",
                "only-here.txt", "sub/deep/local.log", "sub/keep.js");
    }

    @Test
    void withoutAnIgnoreFileEverythingButGitGoes() throws IOException {
        write("index.js", "");
        write(".env", "");
        write(".git/config", "");

        assertThat(FolderZip.files(folder, IgnoreRules.of(folder))).containsExactly(".env", "index.js");
    }
}
