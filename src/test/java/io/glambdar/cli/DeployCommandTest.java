package io.glambdar.cli;

import io.glambdar.store.TestStore;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** deploy: a folder zipped in memory or a zip as is, always PUT /deploy/:name, progress only on a terminal. */
class DeployCommandTest {

    private static final String INDEX = "exports.handler = async () => ({ body: 'hi' });";

    @RegisterExtension
    final FakeServer server = new FakeServer();

    @TempDir
    Path dir;

    /** The file part of a multipart body. */
    private static byte[] filePart(FakeServer.Request request) {
        String type = request.header("content-type");
        assertThat(type).startsWith("multipart/form-data; boundary=");
        String boundary = type.substring(type.indexOf('=') + 1);
        String body = new String(request.body(), StandardCharsets.ISO_8859_1);
        assertThat(body).startsWith("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"");
        int start = body.indexOf("\r\n\r\n") + 4;
        int end = body.lastIndexOf("\r\n--" + boundary + "--");
        return body.substring(start, end).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static Map<String, String> entries(byte[] zip) throws IOException {
        Map<String, String> entries = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                entries.put(entry.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
        }
        return entries;
    }

    @Test
    void aFolderIsZippedWithoutWhatItsIgnoreFileListsAndPutUnderItsName() throws IOException {
        Path folder = TestStore.write(dir.resolve("hello"), Map.of("index.js", INDEX,
                "lib/util.js", "module.exports = 1;", "notes.md", "draft", ".git/HEAD", "ref", IgnoreRules.FILE_NAME,
                "*.md\n"));
        server.on("PUT", "/deploy/hello", 201, "{\"function\":\"hello\",\"status\":\"deployed\",\"version\":3}");

        Cli.Run run = server.cli("deploy", folder.toString());

        assertThat(run.status()).isZero();
        assertThat(run.out()).isEqualTo("deployed hello version 3\n");
        assertThat(run.err()).isEmpty();
        FakeServer.Request request = server.only();
        assertThat(request.method()).isEqualTo("PUT");
        assertThat(new String(request.body(), StandardCharsets.ISO_8859_1)).contains("filename=\"hello.zip\"");
        assertThat(entries(filePart(request))).containsExactly(Map.entry("index.js", INDEX),
                Map.entry("lib/util.js", "module.exports = 1;"));
    }

    @Test
    void aZipIsSentAsItIsUnderItsNameWithoutZip() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("wrapped/index.js"));
            zip.write(INDEX.getBytes(StandardCharsets.UTF_8));
        }
        Path file = dir.resolve("greeter.zip");
        Files.write(file, bytes.toByteArray());
        server.on("PUT", "/deploy/greeter", 201, "{\"function\":\"greeter\",\"status\":\"deployed\",\"version\":1}");

        Cli.Run run = server.cli("deploy", file.toString());

        assertThat(run.out()).isEqualTo("deployed greeter version 1\n");
        assertThat(filePart(server.only())).isEqualTo(bytes.toByteArray());
    }

    @Test
    void nameOverridesTheFoldersAndJsonPrintsTheServersAnswer() throws IOException {
        Path folder = TestStore.write(dir.resolve("src"), Map.of("index.js", INDEX));
        String answer = "{\"function\":\"api\",\"status\":\"deployed\",\"version\":1}";
        server.on("PUT", "/deploy/api", 201, answer);

        Cli.Run run = server.cli("deploy", folder.toString(), "--name", "api", "--json");

        assertThat(run.out()).isEqualTo(answer + "\n");
    }

    @Test
    void theServersRefusalIsTheError() throws IOException {
        Path folder = TestStore.write(dir.resolve("empty"), Map.of("README.md", "no code"));
        server.on("PUT", "/deploy/empty", 400, "{\"error\":\"the zip has no index.js at its root\"}");

        Cli.Run run = server.cli("deploy", folder.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: the zip has no index.js at its root (400)\n");
    }

    @Test
    void aMissingPathOrAnotherKindOfFileIsRefusedBeforeAnyRequest() throws IOException {
        Path text = Files.writeString(dir.resolve("index.js"), INDEX);

        Cli.Run missing = server.cli("deploy", dir.resolve("nope").toString());
        Cli.Run notZip = server.cli("deploy", text.toString());

        assertThat(missing.status()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("error: no such folder or file: " + dir.resolve("nope") + "\n");
        assertThat(notZip.err()).isEqualTo("error: " + text + " is neither a folder nor a .zip file\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void anInvalidNameIsRefusedBeforeAnyRequestWithTheRule() throws IOException {
        Path folder = TestStore.write(dir.resolve("my func"), Map.of("index.js", INDEX));
        String rule = "a function name is 1 to 64 characters of letters (a-z, A-Z), digits, '-' and '_', starting"
                + " with a letter or digit";

        Cli.Run empty = server.cli("deploy", folder.toString(), "--name", "");
        Cli.Run dotted = server.cli("deploy", folder.toString(), "--name", "-a.b");
        Cli.Run fromFolder = server.cli("deploy", folder.toString());

        assertThat(empty.status()).isEqualTo(1);
        assertThat(empty.err()).isEqualTo("error: --name '' is not a valid name: " + rule + "\n");
        assertThat(dotted.err()).isEqualTo("error: --name '-a.b' is not a valid name: " + rule + "\n");
        assertThat(fromFolder.err()).isEqualTo("error: the folder's name 'my func' is not a valid function name"
                + " (give one with --name N): " + rule + "\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aLargeUploadShowsProgressOnATerminalOnly() throws IOException {
        byte[] noise = new byte[(int) UploadProgress.LARGE_UPLOAD_BYTES + 1];
        new Random(1).nextBytes(noise); // does not compress: the zip stays large
        Path folder = TestStore.write(dir.resolve("big"), Map.of("index.js", INDEX));
        Files.write(folder.resolve("data.bin"), noise);
        server.on("PUT", "/deploy/big", 201, "{\"function\":\"big\",\"status\":\"deployed\",\"version\":1}");

        Cli.Run piped = server.cli("deploy", folder.toString());
        Cli.Run terminal = new Cli().onTerminal().run(server.args("deploy", folder.toString()));

        assertThat(piped.err()).isEmpty();
        assertThat(piped.out()).isEqualTo("deployed big version 1\n");
        assertThat(terminal.err()).startsWith("\ruploading big.zip [").contains("100%").endsWith("\n");
        assertThat(terminal.out()).isEqualTo("deployed big version 1\n");
        assertThat(entries(filePart(server.requests().get(1)))).containsKeys("index.js", "data.bin");
    }

    @Test
    void anUploadAsksToContinueSoARefusalComesBeforeTheBodyAndNoBarIsDrawn() throws Exception {
        byte[] noise = new byte[(int) UploadProgress.LARGE_UPLOAD_BYTES * 2];
        new Random(2).nextBytes(noise);
        Path folder = TestStore.write(dir.resolve("big"), Map.of("index.js", INDEX));
        Files.write(folder.resolve("data.bin"), noise);
        String refusal = "{\"error\":\"the upload is over the 50 MB limit\"}";

        try (RefusingServer refusing = new RefusingServer(413, refusal)) {
            Cli.Run run = new Cli().onTerminal().run(Cli.withUrl(refusing.url(), "deploy", folder.toString()));

            assertThat(run.status()).isEqualTo(1);
            assertThat(run.err()).isEqualTo("error: the upload is over the 50 MB limit (413)\n");
            assertThat(refusing.head().toLowerCase(Locale.ROOT)).contains("\r\nexpect: 100-continue\r\n");
            assertThat(refusing.bodyBytes()).as("nothing of the body was sent").isZero();
        }
    }

    /**
     * A server for one request that answers its head at once, as Jetty answers an upload declared over the limit, and
     * then counts what else of the request arrives until the client closes the connection.
     */
    private static final class RefusingServer implements AutoCloseable {

        private final ServerSocket socket;
        private final CompletableFuture<String> head = new CompletableFuture<>();
        private final CompletableFuture<Long> bodyBytes = new CompletableFuture<>();

        RefusingServer(int status, String json) throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                try (Socket client = socket.accept()) {
                    client.setSoTimeout(30_000); // a guard: the client closes at once
                    InputStream in = client.getInputStream();
                    ByteArrayOutputStream read = new ByteArrayOutputStream();
                    while (!read.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                        int b = in.read();
                        if (b < 0) {
                            throw new IOException("the client closed before the end of its request's head");
                        }
                        read.write(b);
                    }
                    head.complete(read.toString(StandardCharsets.ISO_8859_1));
                    byte[] body = json.getBytes(StandardCharsets.UTF_8);
                    client.getOutputStream().write(("HTTP/1.1 " + status + " Refused\r\nContent-Type: application/json"
                            + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    client.getOutputStream().write(body);
                    client.getOutputStream().flush();
                    bodyBytes.complete(in.transferTo(OutputStream.nullOutputStream()));
                } catch (IOException e) {
                    head.completeExceptionally(e);
                    bodyBytes.completeExceptionally(e);
                }
            });
        }

        String url() {
            return "http://127.0.0.1:" + socket.getLocalPort();
        }

        String head() throws Exception {
            return head.get();
        }

        long bodyBytes() throws Exception {
            return bodyBytes.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    /** Each entry's Unix mode, as the server reads it from the zip's central directory. */
    private static Map<String, Integer> modes(byte[] zip) throws IOException {
        Map<String, Integer> modes = new TreeMap<>();
        try (ZipFile file = ZipFile.builder().setByteArray(zip).get()) {
            for (ZipArchiveEntry entry : java.util.Collections.list(file.getEntries())) {
                modes.put(entry.getName(), entry.getUnixMode());
            }
        }
        return modes;
    }

    @Test
    void filesKeepTheirUnixModesSoAnExecutableStaysExecutable() throws IOException {
        Path folder = TestStore.write(dir.resolve("tools"), Map.of("index.js", INDEX, "bin/tool.sh", "echo hi"));
        Files.setPosixFilePermissions(folder.resolve("index.js"), PosixFilePermissions.fromString("rw-r--r--"));
        Files.setPosixFilePermissions(folder.resolve("bin/tool.sh"), PosixFilePermissions.fromString("rwxr-x---"));
        server.on("PUT", "/deploy/tools", 201, "{\"function\":\"tools\",\"status\":\"deployed\",\"version\":1}");

        assertThat(server.cli("deploy", folder.toString()).status()).isZero();

        assertThat(modes(filePart(server.only()))).containsExactly(Map.entry("bin/tool.sh", 0100750),
                Map.entry("index.js", 0100644));
    }

    @Test
    void aLinkOutOfTheFolderIsRefusedBeforeAnyRequestNamingItAndHowToGoOn() throws IOException {
        Path secret = Files.writeString(dir.resolve("id_rsa"), "PRIVATE KEY");
        Path folder = TestStore.write(dir.resolve("cloned"), Map.of("index.js", INDEX));
        Files.createSymbolicLink(folder.resolve("key"), secret);

        Cli.Run run = server.cli("deploy", folder.toString());

        assertThat(run.status()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("error: key is a symbolic link to " + secret + ", outside the folder (deploy"
                + " follows links only within it): remove it (or put a copy of what it points to in its place), or"
                + " list it in .glambdarignore to deploy without it\n");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aLinkedFolderOutsideAndADanglingLinkAreRefusedToo() throws IOException {
        Path outside = TestStore.write(dir.resolve("home/.ssh"), Map.of("id_rsa", "PRIVATE KEY"));
        Path linkedFolder = TestStore.write(dir.resolve("a"), Map.of("index.js", INDEX));
        Files.createDirectories(linkedFolder.resolve("lib"));
        Files.createSymbolicLink(linkedFolder.resolve("lib/ssh"), outside);
        Path dangling = TestStore.write(dir.resolve("b"), Map.of("index.js", INDEX));
        Files.createSymbolicLink(dangling.resolve("gone.js"), Path.of("missing.js"));

        Cli.Run folderRun = server.cli("deploy", linkedFolder.toString());
        Cli.Run danglingRun = server.cli("deploy", dangling.toString());

        assertThat(folderRun.status()).isEqualTo(1);
        assertThat(folderRun.err()).startsWith("error: lib/ssh is a symbolic link to " + outside + ", outside the"
                + " folder");
        assertThat(danglingRun.status()).isEqualTo(1);
        assertThat(danglingRun.err()).startsWith("error: gone.js is a symbolic link to missing.js, which does not"
                + " exist: remove it");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aLinkOutOfTheFolderThatTheIgnoreFileListsIsLeftOut() throws IOException {
        Path folder = TestStore.write(dir.resolve("listed"), Map.of("index.js", INDEX,
                IgnoreRules.FILE_NAME, "passwd\n"));
        Files.createSymbolicLink(folder.resolve("passwd"), Files.writeString(dir.resolve("passwd"), "root:x:0:0"));
        server.on("PUT", "/deploy/listed", 201, "{\"function\":\"listed\",\"status\":\"deployed\",\"version\":1}");

        assertThat(server.cli("deploy", folder.toString()).status()).isZero();

        assertThat(entries(filePart(server.only()))).containsOnlyKeys("index.js");
    }

    @Test
    void linksWithinTheFolderAreZippedAsWhatTheyLeadToAndALoopIsLeftOut() throws IOException {
        Path folder = TestStore.write(dir.resolve("npm"), Map.of("index.js", INDEX,
                "node_modules/x/bin/x.js", "#!/usr/bin/env node", "packages/ws/index.js", "module.exports = 2;"));
        Files.setPosixFilePermissions(folder.resolve("node_modules/x/bin/x.js"),
                PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createDirectories(folder.resolve("node_modules/.bin"));
        Files.createSymbolicLink(folder.resolve("node_modules/.bin/x"), Path.of("../x/bin/x.js"));
        Files.createSymbolicLink(folder.resolve("node_modules/ws"), Path.of("../packages/ws")); // a workspace
        Files.createSymbolicLink(folder.resolve("packages/ws/root"), Path.of("../..")); // back up: a loop
        server.on("PUT", "/deploy/npm", 201, "{\"function\":\"npm\",\"status\":\"deployed\",\"version\":1}");

        Cli.Run run = server.cli("deploy", folder.toString());

        assertThat(run.status()).as(run.err()).isZero();
        byte[] zip = filePart(server.only());
        assertThat(entries(zip)).containsExactly(Map.entry("index.js", INDEX),
                Map.entry("node_modules/.bin/x", "#!/usr/bin/env node"),
                Map.entry("node_modules/ws/index.js", "module.exports = 2;"),
                Map.entry("node_modules/x/bin/x.js", "#!/usr/bin/env node"),
                Map.entry("packages/ws/index.js", "module.exports = 2;"));
        assertThat(modes(zip)).containsEntry("node_modules/.bin/x", 0100755);
    }
}
