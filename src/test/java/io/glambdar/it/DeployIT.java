package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad deploy gets a clear error and leaves nothing behind; good ones in every accepted shape work. */
@ExtendWith(DockerRequired.class)
class DeployIT {

    private static Harness glambdar;

    @BeforeAll
    static void start() {
        glambdar = Harness.start();
    }

    @AfterAll
    static void stop() {
        if (glambdar != null) {
            glambdar.close();
        }
    }

    @AfterEach
    void nothingHalfWrittenIsLeft() throws IOException {
        assertThat(list(glambdar.dir.resolve("staging"))).isEmpty();
        assertThat(list(glambdar.dir.resolve("uploads"))).isEmpty();
        // functions/ and deployments/ hold exactly the deployed functions, nothing else
        List<String> deployed = new ArrayList<>();
        glambdar.get("/info").json().get("functions").forEach(f -> deployed.add(f.get("name").asText()));
        assertThat(list(glambdar.dir.resolve("functions"))).containsExactlyInAnyOrderElementsOf(deployed);
        assertThat(list(glambdar.dir.resolve("deployments"))).containsExactlyInAnyOrderElementsOf(deployed);
        for (String name : deployed) {
            assertThat(list(glambdar.dir.resolve("deployments").resolve(name))).hasSize(1);
        }
    }

    private static List<String> list(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            return children.map(p -> p.getFileName().toString()).toList();
        }
    }

    private static void assertRejected(ApiClient.Response response, int status, String... mentions) {
        assertThat(response.status()).as(response.body()).isEqualTo(status);
        JsonNode error = response.json();
        assertThat(error.get("error").asText()).contains(mentions);
        assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void uploadThatIsNotMultipartOrHasNoFileIsRejected() {
        assertRejected(glambdar.send(HttpRequest.newBuilder(java.net.URI.create(glambdar.baseUrl + "/deploy"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{}"))), 400, "file");
        String boundary = "b0undary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nvalue\r\n--"
                + boundary + "--\r\n";
        assertRejected(glambdar.send(HttpRequest.newBuilder(java.net.URI.create(glambdar.baseUrl + "/deploy"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofString(body))), 400, "file");
    }

    @Test
    void fileThatIsNotAZipIsRejected() {
        assertRejected(glambdar.deploy("notzip.zip", "just some text".getBytes(StandardCharsets.UTF_8)), 400, "zip");
        assertRejected(glambdar.deploy("hello.tar.gz", Zips.of(Zips.HELLO)), 400, ".zip");
        assertRejected(glambdar.deploy("empty.zip", new byte[0]), 400, "zip");
    }

    @Test
    void badNamesAreRejected() {
        // A file name with a directory part is refused, not stripped to its last name.
        for (String fileName : List.of("a.b.zip", "my func.zip", "-dash.zip", ".zip", "x".repeat(65) + ".zip",
                "../../x.zip", "a/b.zip", "..\\x.zip")) {
            ApiClient.Response response = glambdar.deploy(fileName, Zips.of(Zips.HELLO));
            assertThat(response.status()).as(fileName).isEqualTo(400);
            assertThat(response.json().get("error").asText()).as(fileName).isNotBlank();
        }
        assertThat(glambdar.get("/info/x").status()).as("nothing deployed under the last name").isEqualTo(404);
        assertThat(glambdar.get("/info/b").status()).isEqualTo(404);
    }

    @Test
    void zipWithoutIndexJsIsRejected() {
        assertRejected(glambdar.deploy("noindex.zip", Zips.of(Map.of("main.js", "exports.handler = 1;"))), 400,
                "index.js");
        assertRejected(glambdar.deploy("twofolders.zip", Zips.of(Map.of("a/index.js", Zips.HELLO, "b/x.js", "1"))),
                400, "index.js");
    }

    @Test
    void entriesEscapingTheFolderAreRejected() {
        assertRejected(glambdar.deploy("slip.zip", Zips.of(Map.of("index.js", Zips.HELLO, "../evil.js", "x"))),
                400, "evil.js");
        assertRejected(glambdar.deploy("deepslip.zip",
                Zips.of(Map.of("index.js", Zips.HELLO, "lib/../../../evil.js", "x"))), 400, "evil.js");
        assertRejected(glambdar.deploy("absolute.zip", Zips.of(Map.of("index.js", Zips.HELLO, "/tmp/evil.js", "x"))),
                400, "evil.js");
        assertThat(glambdar.dir.resolve("evil.js")).doesNotExist();
        assertThat(glambdar.dir.resolve("functions/evil.js")).doesNotExist();
        assertThat(Path.of("/tmp/evil.js")).doesNotExist();
    }

    /** A zip as {@code zip -ry} makes it: {@code links} as entries of mode 0120777 holding their target. */
    private static byte[] zipWithLinks(Map<String, String> files, Map<String, String> links) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
            for (Map<String, String> entries : List.of(links, files)) {
                for (Map.Entry<String, String> entry : entries.entrySet()) {
                    ZipArchiveEntry zipEntry = new ZipArchiveEntry(entry.getKey());
                    zipEntry.setUnixMode(entries == links ? 0120777 : 0100644);
                    zip.putArchiveEntry(zipEntry);
                    zip.write(entry.getValue().getBytes(StandardCharsets.UTF_8));
                    zip.closeArchiveEntry();
                }
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void symlinksLeadingOutAreRejected() throws IOException {
        assertRejected(glambdar.deploy("symlink.zip",
                zipWithLinks(Map.of("index.js", Zips.HELLO), Map.of("passwd", "/etc/passwd"))), 400, "passwd");
        assertRejected(glambdar.deploy("climb.zip",
                zipWithLinks(Map.of("index.js", Zips.HELLO), Map.of("lib/up", "../../etc/passwd"))), 400, "lib/up");
    }

    @Test
    void symlinksInsideTheFolderWorkInTheContainer() throws IOException {
        glambdar.deployOk("linked", zipWithLinks(Map.of(
                "index.js", """
                        const fs = require('fs');
                        exports.handler = async () => ({ body: {
                          viaFolderLink: require('./lib-link/mod'),
                          viaBinLink: require('./node_modules/.bin/greet'),
                          binIsALink: fs.lstatSync(__dirname + '/node_modules/.bin/greet').isSymbolicLink(),
                        } });
                        """,
                "lib/mod.js", "module.exports = 'mod';",
                "node_modules/greet/bin/greet.js", "module.exports = 'greet';"), Map.of(
                "lib-link", "lib",
                "node_modules/.bin/greet", "../greet/bin/greet.js",
                "node_modules/.bin/gone", "../gone/cli.js")));

        JsonNode body = glambdar.invoke("linked", "").json();
        assertThat(body.get("viaFolderLink").asText()).isEqualTo("mod");
        assertThat(body.get("viaBinLink").asText()).isEqualTo("greet");
        assertThat(body.get("binIsALink").asBoolean()).isTrue();
        assertThat(Files.isSymbolicLink(glambdar.dir.resolve("functions/linked/lib-link"))).isTrue();
        assertThat(glambdar.get("/versions/linked").json().get("versions").get(0).get("fileCount").asInt())
                .as("links are not files").isEqualTo(3);
    }

    @Test
    void tooManyEntriesAreRejected() {
        Map<String, String> files = new LinkedHashMap<>();
        files.put("index.js", Zips.HELLO);
        for (int i = 0; i < 10_000; i++) {
            files.put("f/" + i, "");
        }
        assertRejected(glambdar.deploy("many.zip", Zips.of(files)), 400, "10,000");
    }

    @Test
    void zipThatExpandsBeyondTheLimitIsRejectedWhileExtracting() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("index.js"));
            zip.write(Zips.HELLO.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
            zip.putNextEntry(new ZipEntry("zeros.bin"));
            byte[] zeros = new byte[1024 * 1024];
            for (int i = 0; i < 251; i++) {
                zip.write(zeros);
            }
            zip.closeEntry();
        }
        assertThat(bytes.size()).isLessThan(2 * 1024 * 1024);
        assertRejected(glambdar.deploy("bomb.zip", bytes.toByteArray()), 413, "250 MiB");
    }

    @Test
    void badSettingsNameTheKey() {
        assertRejected(glambdar.deploy("typo.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"memroy\": 256}"))), 400, "memroy");
        assertRejected(glambdar.deploy("badmem.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"memory\": \"lots\"}"))), 400, "memory");
        assertRejected(glambdar.deploy("badtimeout.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"timeout\": -1}"))), 400, "timeout");
        assertRejected(glambdar.deploy("badjson.zip", Zips.of(Map.of("index.js", Zips.HELLO,
                "glambdar.json", "{\"timeout\": "))), 400, "glambdar.json");
    }

    @Test
    void settingsAndEnvironmentReachTheFunction() {
        glambdar.deployOk("configured", Zips.of(Map.of(
                "index.js", "exports.handler = async () => ({ body: { greeting: process.env.GREETING,"
                        + " n: process.env.COUNT } });",
                "glambdar.json", "{\"timeout\": 5, \"memory\": 96, \"cpus\": 0.25,"
                        + " \"env\": {\"GREETING\": \"hi\", \"COUNT\": 3}}")));
        JsonNode settings = glambdar.get("/info/configured").json().get("settings");
        assertThat(settings.get("timeout").asDouble()).isEqualTo(5.0);
        assertThat(settings.get("memory").asInt()).isEqualTo(96);
        assertThat(settings.get("cpus").asDouble()).isEqualTo(0.25);
        assertThat(settings.get("env").toString()).isEqualTo("[\"COUNT\",\"GREETING\"]");
        JsonNode seen = glambdar.invoke("configured", "").json();
        assertThat(seen.get("greeting").asText()).isEqualTo("hi");
        assertThat(seen.get("n").asText()).isEqualTo("3");
    }

    @Test
    void existingNameIsAConflictAndTheOriginalStays() {
        glambdar.deployOk("taken", Zips.of(Zips.HELLO));
        assertRejected(glambdar.deploy("taken.zip", Zips.of("exports.handler = async () => ({ body: 'v2' });")),
                409, "taken");
        assertThat(glambdar.invoke("taken", "{\"name\":\"v1\"}").body()).isEqualTo("{\"message\":\"Hello v1!\"}");
    }

    @Test
    void concurrentDeploysOfOneNameHaveExactlyOneWinner() throws Exception {
        int racers = 8;
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<ApiClient.Response>> attempts = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < racers; i++) {
                byte[] zip = Zips.of("exports.handler = async () => ({ body: " + i + " });");
                attempts.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    return glambdar.deploy("race.zip", zip);
                }, pool));
            }
            go.countDown();
            List<Integer> statuses = attempts.stream().map(a -> a.join().status()).toList();
            assertThat(statuses).containsOnly(201, 409);
            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
            int winner = statuses.indexOf(201);
            assertThat(glambdar.invoke("race", "").body()).isEqualTo(Integer.toString(winner));
        }
    }

    @Test
    void wrappedFolderAndNodeModulesWork() {
        glambdar.deployOk("wrapped", Zips.of(Map.of(
                "wrapped/index.js", "const greet = require('greet');"
                        + " exports.handler = async () => ({ body: greet('world') });",
                "wrapped/node_modules/greet/index.js", "module.exports = (n) => 'hello ' + n;",
                "__MACOSX/wrapped/._index.js", "junk")));
        assertThat(glambdar.invoke("wrapped", "").body()).isEqualTo("\"hello world\"");
    }

    @Test
    void uploadOverTheSizeLimitIsRejected() {
        try (Harness small = Harness.start(config -> config.withMaxUploadBytes(1024 * 1024))) {
            byte[] noise = new byte[2 * 1024 * 1024];
            new Random(1).nextBytes(noise);
            ApiClient.Response response = small.deploy("big.zip", Zips.ofBytes(Map.of("index.js",
                    Zips.HELLO.getBytes(StandardCharsets.UTF_8), "noise.bin", noise)));
            assertRejected(response, 413, "1 MiB");
            assertThat(small.get("/info").json().get("count").asInt()).isZero();
        }
    }
}
