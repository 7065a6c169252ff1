package io.glambdar.store.archive;

import static io.glambdar.store.archive.TestZip.withIndex;
import static io.glambdar.store.archive.TestZip.zip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.glambdar.store.DeployRejectedException;
import io.glambdar.store.DeployRejectedException.Reason;
import com.sun.management.ThreadMXBean;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ZipExtractorTest {

    private static final String INDEX = "exports.handler = async () => ({ body: 'hi' });";

    @TempDir
    Path tmp;
    Path zipFile;
    Path target;

    @BeforeEach
    void setUp() throws IOException {
        zipFile = tmp.resolve("upload.zip");
        target = Files.createDirectory(tmp.resolve("target"));
    }

    private ExtractedCode extract() throws IOException {
        return ZipExtractor.extract(zipFile, target, ArchiveLimits.DEFAULTS);
    }

    private ExtractedCode extract(TestZip zip) throws IOException {
        zip.writeTo(zipFile);
        return extract();
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }

    private List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir))
                    .map(p -> dir.relativize(p).toString().replace('\\', '/') + (Files.isDirectory(p) ? "/" : ""))
                    .sorted()
                    .toList();
        }
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, LinkOption.NOFOLLOW_LINKS));
    }

    /** Asserts a rejection, that its message shows no host path, and returns it for further checks. */
    private DeployRejectedException rejected(Reason reason, ThrowingCallable call) {
        Throwable thrown = catchThrowable(call);
        assertThat(thrown).as("expected a rejection").isInstanceOf(DeployRejectedException.class);
        DeployRejectedException e = (DeployRejectedException) thrown;
        assertThat(e.reason()).isEqualTo(reason);
        assertThat(e.getMessage()).doesNotContain(tmp.toString()).doesNotContain("Exception").doesNotContain("\tat ");
        return e;
    }

    private DeployRejectedException rejectedZip(TestZip zip) throws IOException {
        zip.writeTo(zipFile);
        return rejected(Reason.BAD_REQUEST, this::extract);
    }

    private void assertTargetEmpty() throws IOException {
        assertThat(filesUnder(target)).as("nothing written").isEmpty();
    }

    // ---------------------------------------------------------------- valid layouts

    @Nested
    class Layouts {

        @Test
        void indexAtRoot() throws IOException {
            ExtractedCode code = extract(withIndex()
                    .file("package.json", "{\"name\":\"hello\"}")
                    .dir("lib/")
                    .file("lib/util.js", "module.exports = 42;"));

            assertThat(code.codeRoot()).isEmpty();
            assertThat(code.fileCount()).isEqualTo(3);
            assertThat(code.totalBytes()).isEqualTo(INDEX.length() + "{\"name\":\"hello\"}".length()
                    + "module.exports = 42;".length());
            assertThat(filesUnder(target)).containsExactly("index.js", "lib/", "lib/util.js", "package.json");
            assertThat(read(target.resolve("index.js"))).isEqualTo(INDEX);
            assertThat(read(target.resolve("lib/util.js"))).isEqualTo("module.exports = 42;");
        }

        @Test
        void wrappedInOneFolderKeepsTheFolder() throws IOException {
            ExtractedCode code = extract(zip()
                    .dir("hello/")
                    .file("hello/index.js", INDEX)
                    .file("hello/lib/a.js", "a"));

            assertThat(code.codeRoot()).isEqualTo("hello");
            assertThat(code.fileCount()).isEqualTo(2);
            assertThat(filesUnder(target)).containsExactly("hello/", "hello/index.js", "hello/lib/", "hello/lib/a.js");
            assertThat(read(target.resolve(code.codeRoot()).resolve("index.js"))).isEqualTo(INDEX);
        }

        @Test
        void wrappedWithoutFolderEntries() throws IOException {
            ExtractedCode code = extract(zip().file("my-fn/index.js", INDEX).file("my-fn/package.json", "{}"));

            assertThat(code.codeRoot()).isEqualTo("my-fn");
            assertThat(filesUnder(target)).containsExactly("my-fn/", "my-fn/index.js", "my-fn/package.json");
        }

        @Test
        void wrappedFolderWithASecondTopLevelEntryIsRejected() throws IOException {
            DeployRejectedException e = rejectedZip(zip()
                    .file("hello/index.js", INDEX)
                    .file("README.md", "# hello"));

            assertThat(e.getMessage())
                    .startsWith("no index.js found: the zip must contain index.js at its root "
                            + "(or inside a single top-level folder)")
                    .contains("found at the top level: \"README.md\", \"hello/\"")
                    .contains("there is an index.js at \"hello/index.js\"");
            assertTargetEmpty();
        }

        @Test
        void twoWrappingFoldersAreRejected() throws IOException {
            DeployRejectedException e = rejectedZip(zip().file("a/index.js", INDEX).file("b/index.js", INDEX));

            assertThat(e.getMessage()).startsWith("no index.js found").contains("\"a/\", \"b/\"");
        }

        @Test
        void indexTwoLevelsDownIsNotFound() throws IOException {
            DeployRejectedException e = rejectedZip(zip().file("outer/inner/index.js", INDEX));

            assertThat(e.getMessage()).startsWith("no index.js found")
                    .contains("found at the top level: \"outer/\"")
                    .contains("there is an index.js at \"outer/inner/index.js\"");
        }

        @Test
        void noIndexAnywhereListsTheFirstTopLevelNames() throws IOException {
            DeployRejectedException e = rejectedZip(zip()
                    .file("a.js", "").file("b.js", "").file("c.js", "").file("d.js", "").file("e.js", "")
                    .file("f.js", "").file("g/h.js", ""));

            assertThat(e.getMessage()).isEqualTo("no index.js found: the zip must contain index.js at its root "
                    + "(or inside a single top-level folder); found at the top level: "
                    + "\"a.js\", \"b.js\", \"c.js\", \"d.js\", \"e.js\" and 2 more");
            assertTargetEmpty();
        }

        @Test
        void indexJsThatIsAFolderDoesNotCount() throws IOException {
            DeployRejectedException e = rejectedZip(zip().dir("index.js/").file("index.js/x.js", "x"));

            assertThat(e.getMessage()).startsWith("no index.js found").contains("\"index.js/\"");
        }

        @Test
        void indexAtRootWinsOverNestedOnes() throws IOException {
            ExtractedCode code = extract(withIndex().file("sub/index.js", "nested"));

            assertThat(code.codeRoot()).isEmpty();
            assertThat(read(target.resolve("sub/index.js"))).isEqualTo("nested");
        }

        @Test
        void nodeModulesAreKept() throws IOException {
            ExtractedCode code = extract(withIndex()
                    .dir("node_modules/")
                    .dir("node_modules/left-pad/")
                    .file("node_modules/left-pad/package.json", "{\"main\":\"index.js\"}")
                    .file("node_modules/left-pad/index.js", "module.exports = s => s;")
                    .file("node_modules/.bin/left-pad", "#!/usr/bin/env node", 0100755));

            assertThat(code.fileCount()).isEqualTo(4);
            assertThat(read(target.resolve("node_modules/left-pad/index.js"))).isEqualTo("module.exports = s => s;");
            assertThat(target.resolve("node_modules/.bin/left-pad")).isRegularFile();
        }

        @Test
        void emptyFoldersAreKept() throws IOException {
            extract(withIndex().dir("data/").dir("data/cache/"));

            assertThat(target.resolve("data/cache")).isDirectory();
        }

        @Test
        void backslashesAndDotSegmentsAreNormalised() throws IOException {
            ExtractedCode code = extract(zip()
                    .file("./index.js", INDEX)
                    .file("lib\\util.js", "u")
                    .file("lib//./deep\\x.js", "x"));

            assertThat(code.codeRoot()).isEmpty();
            assertThat(filesUnder(target)).containsExactly("index.js", "lib/", "lib/deep/", "lib/deep/x.js",
                    "lib/util.js");
        }

        @Test
        void rootFolderEntryIsIgnored() throws IOException {
            ExtractedCode code = extract(zip().dir("./").file("index.js", INDEX));

            assertThat(code.codeRoot()).isEmpty();
            assertThat(filesUnder(target)).containsExactly("index.js");
        }

        @Test
        void unicodeNamesAreFine() throws IOException {
            extract(withIndex().file("données/héllo wörld.js", "ü"));

            assertThat(read(target.resolve("données/héllo wörld.js"))).isEqualTo("ü");
        }

        @Test
        void storedAndDeflatedEntriesBothWork() throws IOException {
            ExtractedCode code = extract(zip().stored("index.js", INDEX).file("b.js", "deflated"));

            assertThat(read(target.resolve("index.js"))).isEqualTo(INDEX);
            assertThat(read(target.resolve("b.js"))).isEqualTo("deflated");
            assertThat(code.totalBytes()).isEqualTo(INDEX.length() + "deflated".length());
        }

        @Test
        void zipMadeByJavaUtilZipWorks() throws IOException {
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zipFile))) {
                out.putNextEntry(new ZipEntry("fn/"));
                out.putNextEntry(new ZipEntry("fn/index.js"));
                out.write(INDEX.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }

            ExtractedCode code = extract();

            assertThat(code.codeRoot()).isEqualTo("fn");
            assertThat(read(target.resolve("fn/index.js"))).isEqualTo(INDEX);
        }

        @Test
        void zeroLengthFiles() throws IOException {
            ExtractedCode code = extract(withIndex().file("empty.txt", ""));

            assertThat(target.resolve("empty.txt")).isEmptyFile();
            assertThat(code.fileCount()).isEqualTo(2);
        }
    }

    // ---------------------------------------------------------------- macOS metadata

    @Nested
    class MacosMetadata {

        @Test
        void isLeftOutOfTheCodeButCountedAmongTheUploadsFiles() throws IOException {
            ExtractedCode code = extract(withIndex()
                    .dir("__MACOSX/")
                    .file("__MACOSX/._index.js", "apple double")
                    .file(".DS_Store", "ds")
                    .file("lib/.DS_Store", "ds")
                    .file("lib/a.js", "a"));

            assertThat(filesUnder(target)).containsExactly("index.js", "lib/", "lib/a.js");
            assertThat(code.fileCount()).as("every file of the upload, the metadata left out included").isEqualTo(5);
            assertThat(code.totalBytes()).isEqualTo(INDEX.length() + 1);
        }

        @Test
        void doesNotSpoilASingleWrappingFolder() throws IOException {
            ExtractedCode code = extract(zip()
                    .dir("hello/")
                    .file("hello/index.js", INDEX)
                    .file("hello/.DS_Store", "ds")
                    .dir("__MACOSX/")
                    .dir("__MACOSX/hello/")
                    .file("__MACOSX/hello/._index.js", "apple double")
                    .file(".DS_Store", "ds"));

            assertThat(code.codeRoot()).isEqualTo("hello");
            assertThat(filesUnder(target)).containsExactly("hello/", "hello/index.js");
        }

        @Test
        void aZipOfOnlyMetadataHasNoIndex() throws IOException {
            DeployRejectedException e = rejectedZip(zip().file("__MACOSX/._x", "x").file(".DS_Store", "ds"));

            assertThat(e.getMessage()).startsWith("no index.js found").contains("only macOS metadata");
        }

        @Test
        void aFolderNamedLikeDsStoreIsNotMetadata() throws IOException {
            extract(withIndex().file(".DS_Store/x.js", "x").file("MACOSX/y.js", "y"));

            assertThat(read(target.resolve(".DS_Store/x.js"))).isEqualTo("x");
            assertThat(read(target.resolve("MACOSX/y.js"))).isEqualTo("y");
        }
    }

    // ---------------------------------------------------------------- not a zip

    @Nested
    class NotAZip {

        private static final String NOT_A_ZIP = "the uploaded file is not a valid zip archive";

        @Test
        void textFile() throws IOException {
            Files.writeString(zipFile, "exports.handler = async () => ({});\n");

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage()).startsWith(NOT_A_ZIP);
        }

        @Test
        void emptyFile() throws IOException {
            Files.write(zipFile, new byte[0]);

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage()).startsWith(NOT_A_ZIP);
        }

        @Test
        void truncatedZip() throws IOException {
            withIndex().file("lib/a.js", "a".repeat(5000)).writeTo(zipFile);
            byte[] whole = Files.readAllBytes(zipFile);
            Files.write(zipFile, Arrays.copyOf(whole, whole.length / 2));

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage()).startsWith(NOT_A_ZIP);
            assertTargetEmpty();
        }

        @Test
        void gzipFile() throws IOException {
            try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(zipFile))) {
                out.write(INDEX.getBytes(StandardCharsets.UTF_8));
            }

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage()).startsWith(NOT_A_ZIP);
        }

        @Test
        void emptyZip() throws IOException {
            DeployRejectedException e = rejectedZip(zip());

            assertThat(e.getMessage()).startsWith("the zip archive is empty");
            assertTargetEmpty();
        }

        @Test
        void corruptEntryData() throws IOException {
            withIndex().file("big.js", "x".repeat(10_000)).writeTo(zipFile);
            TestZip.garbleData(zipFile, 1, 8);

            DeployRejectedException e = rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract);

            assertThat(e.getMessage()).isEqualTo("the zip entry \"big.js\" could not be read: the zip archive is "
                    + "corrupt; create it again and upload it anew");
        }

        @Test
        void crcMismatch() throws IOException {
            withIndex().file("a.js", "aaaa").writeTo(zipFile);
            TestZip.setCrc(zipFile, 1, 12345);

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage())
                    .startsWith("the zip entry \"a.js\" could not be read: the zip archive is corrupt");
        }

        @Test
        void declaredSizeThatLiesWithinTheLimitIsCorrupt() throws IOException {
            withIndex().file("a.js", "a".repeat(1000)).writeTo(zipFile);
            TestZip.lieAboutSize(zipFile, 1, 10);

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage())
                    .startsWith("the zip entry \"a.js\" could not be read: the zip archive is corrupt");
        }
    }

    // ---------------------------------------------------------------- entry count and size

    @Nested
    class Limits {

        @Test
        void tooManyEntries() throws IOException {
            withIndex().file("a", "").file("b", "").file("c", "").writeTo(zipFile);

            DeployRejectedException e = rejected(Reason.BAD_REQUEST,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(3, 1000)));

            assertThat(e.getMessage()).startsWith("the zip has 4 entries (files, folders and links); at most 3 are allowed");
            assertTargetEmpty();
        }

        @Test
        void aZipBombOfEmptyEntriesIsRejectedWithoutReadingItsDirectoryIntoMemory() throws IOException {
            // About 36 MB; ZIP64 end records, as zip tools write for more than 65,535 entries.
            RawZip.entries(400_000).zip64().writeTo(zipFile);

            assertThat(rejectedWithLittleHeap().getMessage())
                    .startsWith("the zip has 400,000 entries (files, folders and links); at most 10,000 are allowed");
            assertTargetEmpty();
        }

        @Test
        void anEndRecordUnderstatingTheCountIsNotBelieved() throws IOException {
            RawZip.entries(20_000).declaring(5).writeTo(zipFile);

            assertThat(rejectedWithLittleHeap().getMessage())
                    .startsWith("the zip has more than 10,000 entries (files, folders and links); at most 10,000 are allowed");
        }

        /** Rejected, with less heap allocated by this thread than the 400,000 entry objects would take. */
        private DeployRejectedException rejectedWithLittleHeap() {
            ThreadMXBean threads = (ThreadMXBean) ManagementFactory.getThreadMXBean();
            assertThat(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled())
                    .as("this JVM measures allocation per thread").isTrue();
            long before = threads.getCurrentThreadAllocatedBytes();
            DeployRejectedException e = rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract);
            assertThat(threads.getCurrentThreadAllocatedBytes() - before)
                    .as("heap allocated while rejecting the zip").isLessThan(16L * 1024 * 1024);
            return e;
        }

        @Test
        void metadataEntriesCountToo() throws IOException {
            withIndex().file("__MACOSX/._index.js", "x").writeTo(zipFile);

            rejected(Reason.BAD_REQUEST, () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(1, 1000)));
        }

        @Test
        void exactlyAtTheLimits() throws IOException {
            withIndex().file("b.js", "b".repeat(100)).writeTo(zipFile);
            long size = INDEX.length() + 100;

            ExtractedCode code = ZipExtractor.extract(zipFile, target, new ArchiveLimits(2, size));

            assertThat(code.totalBytes()).isEqualTo(size);
            assertThat(code.fileCount()).isEqualTo(2);
        }

        @Test
        void oneByteOverTheSizeLimit() throws IOException {
            withIndex().file("b.js", "b".repeat(100)).writeTo(zipFile);
            long size = INDEX.length() + 100;

            DeployRejectedException e = rejected(Reason.TOO_LARGE,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(2, size - 1)));

            assertThat(e.getMessage()).startsWith("the zip expands to more than " + (size - 1) + " bytes");
        }

        @Test
        void bigCompressibleEntryWithHonestHeadersIsRefusedBeforeWriting() throws IOException {
            withIndex().file("big.bin", new byte[4 * 1024 * 1024]).writeTo(zipFile);
            assertThat(Files.size(zipFile)).isLessThan(64 * 1024);

            DeployRejectedException e = rejected(Reason.TOO_LARGE,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(100, 1024 * 1024)));

            assertThat(e.getMessage()).startsWith("the zip expands to more than 1 MiB, the limit for a function's code");
            assertTargetEmpty();
        }

        @Test
        void manyFilesAddingUpOverTheLimit() throws IOException {
            TestZip zip = withIndex();
            for (int i = 0; i < 20; i++) {
                zip.file("f" + i + ".txt", new byte[10 * 1024]);
            }
            zip.writeTo(zipFile);

            DeployRejectedException e = rejected(Reason.TOO_LARGE,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(100, 100 * 1024)));

            assertThat(e.getMessage()).startsWith("the zip expands to more than 100 KiB");
        }

        @Test
        void entryWhoseHeadersUnderstateItsSizeIsStoppedByCountingBytes() throws IOException {
            withIndex().file("bomb.bin", new byte[8 * 1024 * 1024]).writeTo(zipFile);
            TestZip.lieAboutSize(zipFile, 1, 100); // the headers now claim 100 bytes

            DeployRejectedException e = rejected(Reason.TOO_LARGE,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(100, 1024 * 1024)));

            assertThat(e.getMessage()).startsWith("the zip expands to more than 1 MiB");
            // Never more than the limit on disk.
            long written;
            try (Stream<Path> walk = Files.walk(target)) {
                written = walk.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
            }
            assertThat(written).isLessThanOrEqualTo(1024 * 1024);
        }

        @Test
        void defaults() {
            assertThat(ArchiveLimits.DEFAULTS.maxEntries()).isEqualTo(10_000);
            assertThat(ArchiveLimits.DEFAULTS.maxUncompressedBytes()).isEqualTo(250L * 1024 * 1024);
            assertThat(ZipExtractor.formatBytes(ArchiveLimits.DEFAULTS.maxUncompressedBytes())).isEqualTo("250 MiB");
        }
    }

    // ---------------------------------------------------------------- entry names

    @Nested
    class Names {

        private static final String DOT_DOT = " has a '..' segment in its path; paths in the zip must stay inside it";
        private static final String ABSOLUTE = " is an absolute path; paths in the zip must be relative to its root";

        @Test
        void ourOwnBackslashNormalisationStopsMixedTraversal() throws IOException {
            // Has a '/', so commons-compress leaves the backslashes to us.
            DeployRejectedException e = rejectedZip(withIndex().file("lib/..\\..\\evil", "evil"));

            assertThat(e.getMessage()).isEqualTo("the zip entry \"lib/..\\\\..\\\\evil\"" + DOT_DOT);
        }

        @ParameterizedTest
        @ValueSource(strings = {"../evil", "a/../../evil", "a/..", "..", "\\..\\evil", "a\\..\\..\\evil",
                "lib/../index.js"})
        void dotDotSegmentsAreRejected(String name) throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file(name, "evil"));

            // commons-compress itself turns '\' into '/' in names without any '/' (zips made on Windows).
            assertThat(e.getMessage()).isIn(
                    "the zip entry " + DeployRejectedException.quote(name) + DOT_DOT,
                    "the zip entry " + DeployRejectedException.quote(name.replace('\\', '/')) + DOT_DOT,
                    "the zip entry " + DeployRejectedException.quote(name.replace('\\', '/')) + ABSOLUTE);
            assertTargetEmpty();
            assertThat(tmp.resolve("evil")).doesNotExist();
        }

        @ParameterizedTest
        @ValueSource(strings = {"/abs", "/etc/passwd", "//server/share/x", "C:/abs", "c:abs", "C:\\abs", "\\abs"})
        void absolutePathsAreRejected(String name) throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file(name, "evil"));

            assertThat(e.getMessage()).isIn(
                    "the zip entry " + DeployRejectedException.quote(name) + ABSOLUTE,
                    "the zip entry " + DeployRejectedException.quote(name.replace('\\', '/')) + ABSOLUTE);
            assertTargetEmpty();
        }

        @ParameterizedTest
        @ValueSource(strings = {"a\u0000b.js", "a\u0007.js", "lib/\n.js", "x\u007f", "x\u0085y"})
        void controlCharactersAreRejected(String name) throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file(name, "x"));

            assertThat(e.getMessage()).isEqualTo("the zip entry " + DeployRejectedException.quote(name)
                    + " has a control character in its name");
            assertThat(e.getMessage()).doesNotContain("\u0000").doesNotContain("\n");
        }

        @Test
        void overlongFileNameIsRejected() throws IOException {
            String name = "lib/" + "x".repeat(256) + ".js";

            DeployRejectedException e = rejectedZip(withIndex().file(name, "x"));

            assertThat(e.getMessage()).contains("longer than 255 bytes").contains("\"lib/xxxxx").contains("…");
        }

        @Test
        void overlongPathIsRejected() throws IOException {
            String name = ("d".repeat(200) + "/").repeat(11) + "x.js";

            assertThat(rejectedZip(withIndex().file(name, "x")).getMessage()).contains("path longer than 2048 bytes");
        }

        @Test
        void fileWithAnEmptyNameIsRejected() throws IOException {
            assertThat(rejectedZip(withIndex().file("./.", "x")).getMessage()).contains("has an empty file name");
        }
    }

    // ---------------------------------------------------------------- duplicates

    @Nested
    class Duplicates {

        @Test
        void sameNameTwice() throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file("a.js", "1").file("a.js", "2"));

            assertThat(e.getMessage()).isEqualTo("the zip has more than one entry for \"a.js\" (\"a.js\" and "
                    + "\"a.js\"); each file or folder may appear only once");
            assertTargetEmpty();
        }

        @Test
        void sameNameAfterNormalisation() throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file("lib/x/a.js", "1").file("lib/x\\a.js", "2"));

            assertThat(e.getMessage()).isEqualTo("the zip has more than one entry for \"lib/x/a.js\" "
                    + "(\"lib/x/a.js\" and \"lib/x\\\\a.js\"); each file or folder may appear only once");
        }

        @Test
        void indexJsTwiceViaDotSlash() throws IOException {
            assertThat(rejectedZip(withIndex().file("./index.js", "2")).getMessage())
                    .startsWith("the zip has more than one entry for \"index.js\"");
        }

        @Test
        void fileAndFolderOfTheSamePath() throws IOException {
            assertThat(rejectedZip(withIndex().file("lib", "file").dir("lib/")).getMessage())
                    .startsWith("the zip has more than one entry for \"lib\"");
        }

        @Test
        void fileThatIsAlsoAParentFolder() throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file("lib", "file").file("lib/a/b.js", "b"));

            assertThat(e.getMessage()).isEqualTo("the zip has \"lib\" both as a file and as a folder "
                    + "(it contains \"lib/a/b.js\"); each path may be only one of them");
            assertTargetEmpty();
        }

        @Test
        void sameFolderTwice() throws IOException {
            assertThat(rejectedZip(withIndex().dir("lib/").dir("lib/")).getMessage())
                    .startsWith("the zip has more than one entry for \"lib\"");
        }

        @Test
        void caseVariantsAreDistinctFilesOnACaseSensitiveFileSystem() throws IOException {
            Files.createFile(tmp.resolve("probe"));
            boolean caseSensitive = !Files.exists(tmp.resolve("PROBE"));
            withIndex().file("a.js", "lower").file("A.js", "upper").writeTo(zipFile);

            if (caseSensitive) {
                extract();
                assertThat(read(target.resolve("a.js"))).isEqualTo("lower");
                assertThat(read(target.resolve("A.js"))).isEqualTo("upper");
            } else {
                assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage())
                        .startsWith("the zip has more than one entry for \"A.js\"");
            }
        }
    }

    // ---------------------------------------------------------------- entry types

    @Nested
    class Types {

        @Test
        void namedPipeIsRejected() throws IOException {
            DeployRejectedException e = rejectedZip(withIndex().file("fifo", "", 0010644));

            assertThat(e.getMessage()).isEqualTo("the zip entry \"fifo\" is a special file (a named pipe); "
                    + "only regular files, folders and symbolic links are allowed");
        }

        @Test
        void encryptedEntryIsRejected() throws IOException {
            withIndex().file("secret.js", "s").writeTo(zipFile);
            TestZip.setFlags(zipFile, 1, 1); // general purpose bit 0: encrypted

            DeployRejectedException e = rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract);

            assertThat(e.getMessage()).isEqualTo("the zip entry \"secret.js\" is encrypted (password-protected); "
                    + "create the zip again without a password");
            assertTargetEmpty();
        }

        @Test
        void aesEncryptedEntryIsRejected() throws IOException {
            withIndex().file("secret.js", "s").writeTo(zipFile);
            TestZip.setMethod(zipFile, 1, 99);

            assertThat(rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract).getMessage())
                    .startsWith("the zip entry \"secret.js\" is encrypted");
        }

        @ParameterizedTest
        @ValueSource(ints = {14 /* LZMA */, 95 /* XZ */, 93 /* zstd */, 97 /* WavPack */, 1234})
        void unsupportedCompressionIsRejected(int method) throws IOException {
            withIndex().file("a.js", "aaaa").writeTo(zipFile);
            TestZip.setMethod(zipFile, 1, method);

            DeployRejectedException e = rejected(Reason.BAD_REQUEST, ZipExtractorTest.this::extract);

            assertThat(e.getMessage()).startsWith("the zip entry \"a.js\" uses a compression method the server "
                            + "does not support: ")
                    .contains("method " + method)
                    .endsWith("; create the zip again with standard (deflate) compression");
            assertTargetEmpty();
        }
    }

    // ---------------------------------------------------------------- symbolic links

    @Nested
    class Links {

        private DeployRejectedException refused(TestZip zip, String entry) throws IOException {
            DeployRejectedException e = rejectedZip(zip);
            assertThat(e.getMessage()).startsWith("the zip entry \"" + entry + "\" ");
            assertTargetEmpty();
            return e;
        }

        @Test
        void binLinkIntoAPackageIsCreatedAsALink() throws IOException {
            ExtractedCode code = extract(withIndex()
                    .file("node_modules/uuid/dist/bin/uuid", "#!/usr/bin/env node", 0100755)
                    .symlink("node_modules/.bin/uuid", "../uuid/dist/bin/uuid"));

            Path link = target.resolve("node_modules/.bin/uuid");
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Files.readSymbolicLink(link)).isEqualTo(Path.of("../uuid/dist/bin/uuid"));
            assertThat(read(link)).isEqualTo("#!/usr/bin/env node");
            assertThat(code.fileCount()).as("a link is not a file").isEqualTo(2);
            assertThat(code.totalBytes()).isEqualTo(INDEX.length() + "#!/usr/bin/env node".length());
        }

        @Test
        void linkToAFolderInsideAndRequireThroughIt() throws IOException {
            extract(withIndex().symlink("lib-link", "lib").file("lib/mod.js", "module.exports = 1;"));

            assertThat(Files.isSymbolicLink(target.resolve("lib-link"))).isTrue();
            assertThat(read(target.resolve("lib-link/mod.js"))).isEqualTo("module.exports = 1;");
        }

        @Test
        void linkToALinkAndThroughALinkedFolder() throws IOException {
            extract(withIndex()
                    .symlink("a", "b")
                    .symlink("b", "lib/x.js")
                    .symlink("through", "lib-link/x.js")
                    .symlink("lib-link", "./lib/")
                    .file("lib/x.js", "x"));

            assertThat(read(target.resolve("a"))).isEqualTo("x");
            assertThat(read(target.resolve("through"))).isEqualTo("x");
        }

        @Test
        void danglingLinkInsideIsAccepted() throws IOException {
            extract(withIndex().symlink("node_modules/.bin/gone", "../gone/cli.js"));

            Path link = target.resolve("node_modules/.bin/gone");
            assertThat(Files.isSymbolicLink(link)).isTrue();
            assertThat(Files.exists(link)).isFalse();
        }

        @Test
        void indexJsMayBeALinkToAFileInside() throws IOException {
            ExtractedCode code = extract(zip().symlink("index.js", "dist/index.js").file("dist/index.js", INDEX));

            assertThat(code.codeRoot()).isEmpty();
            assertThat(read(target.resolve("index.js"))).isEqualTo(INDEX);
        }

        @Test
        void insideAWrappingFolderLinksStayInsideIt() throws IOException {
            ExtractedCode code = extract(zip()
                    .file("app/index.js", INDEX)
                    .file("app/node_modules/t/cli.js", "t")
                    .symlink("app/node_modules/.bin/t", "../t/cli.js"));

            assertThat(code.codeRoot()).isEqualTo("app");
            assertThat(read(target.resolve("app/node_modules/.bin/t"))).isEqualTo("t");
        }

        @Test
        void longestTargetIsAccepted() throws IOException {
            String longest = "a/".repeat(ZipExtractor.MAX_LINK_TARGET_BYTES / 2) + "a";

            extract(withIndex().symlink("long", longest));

            assertThat(Files.readSymbolicLink(target.resolve("long"))).isEqualTo(Path.of(longest));
        }

        @Test
        void linksCountTowardTheEntryLimit() throws IOException {
            withIndex().symlink("a", "index.js").symlink("b", "index.js").symlink("c", "index.js").writeTo(zipFile);

            assertThat(rejected(Reason.BAD_REQUEST,
                    () -> ZipExtractor.extract(zipFile, target, new ArchiveLimits(3, 1024))).getMessage())
                    .startsWith("the zip has 4 entries (files, folders and links)");
        }

        @Test
        void absoluteTargetIsRefused() throws IOException {
            assertThat(refused(withIndex().symlink("passwd", "/etc/passwd"), "passwd").getMessage())
                    .isEqualTo("the zip entry \"passwd\" is a symbolic link to the absolute path \"/etc/passwd\"; "
                            + "links must be relative and stay inside the function's folder");
        }

        @Test
        void absoluteTargetInsideMacosMetadataIsStillRefused() throws IOException {
            refused(withIndex().symlink("__MACOSX/x", "/"), "__MACOSX/x");
        }

        @ParameterizedTest
        @ValueSource(strings = {"../../etc/passwd", "..", "lib/../..", "missing/../../etc", "lib/up/../.."})
        void targetLeadingOutIsRefused(String linkTarget) throws IOException {
            TestZip zip = withIndex().file("lib/x.js", "x").dir("c/").symlink("lib/up", "../c").symlink("out", linkTarget);

            assertThat(refused(zip, "out").getMessage()).isEqualTo("the zip entry \"out\" is a symbolic link to \""
                    + linkTarget + "\", which leads outside the function's folder; links must stay inside it");
        }

        @Test
        void targetLeadingOutThroughAnotherLinkIsRefused() throws IOException {
            // Taken as text, "a/b/up/../.." is "a": inside. Followed as the kernel does, up leads to c first.
            TestZip zip = withIndex().dir("a/b/").dir("c/").symlink("a/b/up", "../../c").symlink("x", "a/b/up/../..");

            assertThat(refused(zip, "x").getMessage()).contains("which leads outside the function's folder");
        }

        @Test
        void linkOutOfAWrappingFolderIsRefused() throws IOException {
            refused(zip().file("app/index.js", INDEX).symlink("app/x", "../app/index.js"), "app/x");
        }

        @Test
        void loopsAreRefused() throws IOException {
            assertThat(refused(withIndex().symlink("a", "b").symlink("b", "a"), "a").getMessage())
                    .isEqualTo("the zip entry \"a\" is a symbolic link to \"b\", which never ends: "
                            + "links lead to each other in a loop");
            refused(withIndex().symlink("self", "self"), "self");
            refused(withIndex().symlink("deep", "deep/x"), "deep");
        }

        @ParameterizedTest
        @ValueSource(strings = {".", "..", "../.."})
        void linkToAFolderThatContainsItIsRefused(String linkTarget) throws IOException {
            assertThat(refused(withIndex().symlink("lib/sub/here", linkTarget), "lib/sub/here").getMessage())
                    .endsWith(", a folder that contains the link itself, which makes a loop");
        }

        @ParameterizedTest
        @ValueSource(strings = {"index.js", "glambdar.json"})
        void indexAndSettingsMustLeadToARegularFile(String name) throws IOException {
            TestZip base = name.equals("index.js") ? zip().dir("lib/") : withIndex().dir("lib/");
            assertThat(refused(base.symlink(name, "lib"), name).getMessage()).isEqualTo("the zip entry \"" + name
                    + "\" is a symbolic link to \"lib\", which is a folder; it must lead to a regular file inside "
                    + "the function's folder");

            TestZip dangling = name.equals("index.js") ? zip() : withIndex();
            assertThat(refused(dangling.symlink(name, "nowhere.js"), name).getMessage())
                    .endsWith("which does not exist; it must lead to a regular file inside the function's folder");
        }

        @Test
        void targetTextIsBoundedUtf8WithoutControlCharacters() throws IOException {
            String tooLong = "a".repeat(ZipExtractor.MAX_LINK_TARGET_BYTES + 1);
            assertThat(refused(withIndex().symlink("l", tooLong), "l").getMessage())
                    .endsWith("is a symbolic link whose target is longer than 4,095 bytes");
            assertThat(refused(withIndex().symlink("l", new byte[] {'a', (byte) 0xff}), "l").getMessage())
                    .endsWith("is a symbolic link whose target is not valid UTF-8");
            assertThat(refused(withIndex().symlink("l", "a\0b"), "l").getMessage())
                    .endsWith("is a symbolic link whose target has a control character");
            assertThat(refused(withIndex().symlink("l", ""), "l").getMessage())
                    .endsWith("is a symbolic link with an empty target");
            assertThat(refused(withIndex().symlink("l", "..\\..\\etc"), "l").getMessage())
                    .endsWith("with a backslash; link targets separate folders with '/'");
        }

        @Test
        void aLinkCannotAlsoBeAFolder() throws IOException {
            assertThat(rejectedZip(withIndex().symlink("lib-link", "lib").file("lib-link/x.js", "x")).getMessage())
                    .isEqualTo("the zip has \"lib-link\" both as a symbolic link and as a folder (it contains "
                            + "\"lib-link/x.js\"); each path may be only one of them");
            refused(withIndex().symlink("dir-link/", "lib"), "dir-link/");
        }
    }

    // ---------------------------------------------------------------- modes

    @Nested
    class Modes {

        @Test
        void filesAre0644AndFolders0755WhateverTheZipSays() throws IOException {
            extract(withIndex()
                    .file("open.js", "x", 0100666)
                    .file("closed.js", "x", 0100000)
                    .file("others-exec.js", "x", 0100611)
                    .dir("wide/", 0040777)
                    .dir("shut/", 0040000)
                    .file("implicit/a.js", "x"));

            assertThat(mode(target.resolve("index.js"))).isEqualTo("rw-r--r--");
            assertThat(mode(target.resolve("open.js"))).isEqualTo("rw-r--r--");
            assertThat(mode(target.resolve("closed.js"))).isEqualTo("rw-r--r--");
            assertThat(mode(target.resolve("others-exec.js"))).isEqualTo("rw-r--r--");
            assertThat(mode(target.resolve("wide"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(target.resolve("shut"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(target.resolve("implicit"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(target.resolve("implicit/a.js"))).isEqualTo("rw-r--r--");
        }

        @Test
        void ownerExecBitMakesAFile0755() throws IOException {
            extract(withIndex()
                    .file("run.sh", "#!/bin/sh", 0100700)
                    .file("all.sh", "#!/bin/sh", 0100777)
                    .file("setuid", "x", 0104755));

            assertThat(mode(target.resolve("run.sh"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(target.resolve("all.sh"))).isEqualTo("rwxr-xr-x");
            assertThat(mode(target.resolve("setuid"))).isEqualTo("rwxr-xr-x");
            assertThat(Files.getAttribute(target.resolve("setuid"), "unix:mode")).isEqualTo(0100755);
        }

        @Test
        void writtenFilesAreRegularFilesNotLinks() throws IOException {
            extract(withIndex().file("lib/a.js", "a"));

            assertThat(Files.isSymbolicLink(target.resolve("lib/a.js"))).isFalse();
            assertThat(Files.isRegularFile(target.resolve("lib/a.js"), LinkOption.NOFOLLOW_LINKS)).isTrue();
        }
    }

    // ---------------------------------------------------------------- the caller's side

    @Test
    void targetMustBeEmpty() throws IOException {
        withIndex().writeTo(zipFile);
        Files.writeString(target.resolve("index.js"), "old");

        assertThatThrownBy(this::extract).isInstanceOf(IllegalArgumentException.class);
        assertThat(read(target.resolve("index.js"))).isEqualTo("old");
    }

    @Test
    void missingZipIsAnIoErrorNotARejection() {
        assertThatThrownBy(this::extract).isInstanceOf(IOException.class);
    }
}
