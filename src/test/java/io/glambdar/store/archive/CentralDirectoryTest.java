package io.glambdar.store.archive;

import static io.glambdar.store.archive.TestZip.withIndex;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import org.apache.commons.compress.archivers.zip.Zip64Mode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CentralDirectoryTest {

    @TempDir
    Path tmp;

    @Test
    void countsAnOrdinaryZipsEntries() throws IOException {
        Path zip = withIndex().dir("lib/").file("lib/a.js", "a").writeTo(tmp.resolve("a.zip"));

        assertThat(CentralDirectory.count(zip, 100)).isEqualTo(new CentralDirectory.Count(3, 3));
    }

    @Test
    void stopsCountingAtTheLimitItIsGiven() throws IOException {
        Path zip = RawZip.entries(1000).writeTo(tmp.resolve("many.zip"));

        assertThat(CentralDirectory.count(zip, 11).headers()).isEqualTo(11);
    }

    @Test
    void countsTheHeadersThereNotTheTotalTheEndRecordDeclares() throws IOException {
        Path understated = RawZip.entries(20).declaring(5).writeTo(tmp.resolve("understated.zip"));
        Path overstated = RawZip.entries(5).declaring(1000).writeTo(tmp.resolve("overstated.zip"));

        assertThat(CentralDirectory.count(understated, 100)).isEqualTo(new CentralDirectory.Count(20, 5));
        assertThat(CentralDirectory.count(overstated, 100)).isEqualTo(new CentralDirectory.Count(5, 1000));
        assertThat(commonsCompressCount(understated)).as("what ZipFile will read").isEqualTo(20);
    }

    @Test
    void findsTheDirectoryThroughZip64EndRecords() throws IOException {
        Path raw = RawZip.entries(40).zip64().writeTo(tmp.resolve("raw64.zip"));
        Path written = tmp.resolve("written64.zip");
        try (ZipArchiveOutputStream out = new ZipArchiveOutputStream(written)) {
            out.setUseZip64(Zip64Mode.Always);
            for (String name : new String[] {"index.js", "a.js"}) {
                out.putArchiveEntry(new ZipArchiveEntry(name));
                out.write(name.getBytes());
                out.closeArchiveEntry();
            }
        }

        assertThat(CentralDirectory.count(raw, 100)).isEqualTo(new CentralDirectory.Count(40, 40));
        assertThat(commonsCompressCount(raw)).isEqualTo(40);
        assertThat(CentralDirectory.count(written, 100).headers()).isEqualTo(2);
    }

    @Test
    void allowsForAPreambleAsZipFileDoes() throws IOException {
        Path zip = RawZip.entries(30).preamble(1000).writeTo(tmp.resolve("sfx.zip"));

        assertThat(CentralDirectory.count(zip, 100).headers()).isEqualTo(30);
        assertThat(commonsCompressCount(zip)).isEqualTo(30);
    }

    @Test
    void whatIsNotAZipHasNoHeaders() throws IOException {
        Path text = Files.writeString(tmp.resolve("text.zip"), "not a zip at all, just some text");
        Path empty = Files.createFile(tmp.resolve("empty.zip"));
        Path endRecordOnly = Files.write(tmp.resolve("lying.zip"),
                new byte[] {0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 9, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});

        assertThat(CentralDirectory.count(text, 100).headers()).isZero();
        assertThat(CentralDirectory.count(empty, 100).headers()).isZero();
        assertThat(CentralDirectory.count(endRecordOnly, 100)).isEqualTo(new CentralDirectory.Count(0, 9));
    }

    private static int commonsCompressCount(Path zip) throws IOException {
        try (ZipFile file = ZipFile.builder().setPath(zip).get()) {
            return Collections.list(file.getEntries()).size();
        }
    }
}
