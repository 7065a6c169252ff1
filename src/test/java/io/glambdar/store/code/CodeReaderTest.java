package io.glambdar.store.code;

import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.code.CodeReader.CheckedCode;
import io.glambdar.store.settings.SettingsLimits;
import io.glambdar.store.settings.SettingsParser;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** What the store records about code with symbolic links in it: links are neither files nor followed out. */
class CodeReaderTest {

    private static final String INDEX = "exports.handler = async () => ({ body: 1 });";

    @TempDir
    Path dir;

    private final CodeReader reader = new CodeReader(new SettingsParser(SettingsLimits.defaults()),
            ArchiveLimits.DEFAULTS);

    private static void put(ZipArchiveOutputStream zip, String name, String content, int unixMode) throws IOException {
        ZipArchiveEntry entry = new ZipArchiveEntry(name);
        entry.setUnixMode(unixMode);
        zip.putArchiveEntry(entry);
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeArchiveEntry();
    }

    @Test
    void anUploadWithLinksCountsItsFilesAsTheFolderDoesAndReadsSettingsThroughALink() throws IOException {
        Path zipFile = dir.resolve("f.zip");
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(zipFile)) {
            put(zip, "index.js", INDEX, 0100644);
            put(zip, "config/settings.json", "{\"timeout\": 7}", 0100644);
            put(zip, "glambdar.json", "config/settings.json", 0120777);
            put(zip, "node_modules/t/cli.js", "t", 0100755);
            put(zip, "node_modules/.bin/t", "../t/cli.js", 0120777);
        }
        Path into = Files.createDirectory(dir.resolve("into"));

        CheckedCode unpacked = reader.unpack(zipFile, into);
        CheckedCode read = reader.read(into);

        assertThat(unpacked.settings().timeout()).isEqualTo(Duration.ofSeconds(7));
        assertThat(unpacked.fileCount()).isEqualTo(3);
        assertThat(unpacked.totalBytes()).isEqualTo(INDEX.length() + "{\"timeout\": 7}".length() + 1);
        assertThat(read).isEqualTo(unpacked);
    }

    @Test
    void aFolderOnDiskIsMeasuredWithoutFollowingALinkOut(@TempDir Path outside) throws IOException {
        Files.writeString(outside.resolve("big.bin"), "x".repeat(10_000));
        Path code = Files.createDirectory(dir.resolve("code"));
        Files.writeString(code.resolve("index.js"), INDEX);
        Files.createSymbolicLink(code.resolve("out"), outside);
        Files.createSymbolicLink(code.resolve("big"), outside.resolve("big.bin"));

        CheckedCode read = reader.read(code);

        assertThat(read.fileCount()).isEqualTo(1);
        assertThat(read.totalBytes()).isEqualTo(INDEX.length());
    }
}
