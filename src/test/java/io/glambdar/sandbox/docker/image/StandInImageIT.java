package io.glambdar.sandbox.docker.image;

import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.docker.DockerConnection;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.WaitContainerResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.StreamType;
import com.github.dockerjava.api.model.Volume;
import io.glambdar.it.DockerRequired;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Builds the stand-in image for real and runs node in it as the function user: native addons from npm prebuilds,
 * TLS with the CA store, named time zones, user lookups and shell commands work, as in {@code node:22-slim}. The
 * same addon fails on an image of the recipe before (node and only the libraries node itself loads).
 */
@ExtendWith(DockerRequired.class)
class StandInImageIT {

    /** Only to keep a broken test from hanging the build. */
    private static final long GUARD_SECONDS = 120;
    private static final String REPOSITORY = "glambdar/node-local-it";
    private static final String FUNCTION_USER = StandInImage.FUNCTION_UID + ":" + StandInImage.FUNCTION_UID;
    private static final String ADDON = "/addon/probe.node";

    @TempDir
    static Path work;

    private static DockerConnection docker;
    private static DockerClient client;
    private static final List<String> images = new ArrayList<>();
    private static HostNode node;
    private static String run;
    private static String standIn;
    private static String oldRecipe;

    @BeforeAll
    static void buildImagesAndAddon() throws IOException, InterruptedException {
        node = HostNode.find().orElseThrow(() -> new IllegalStateException(
                "the stand-in image is built from this host's Node.js, and there is none (.ci/run installs it)"));
        buildAddon(work);
        docker = DockerConnection.open();
        client = docker.client();
        ImageProvisioner provisioner = new ImageProvisioner(docker, Duration.ofMinutes(1));
        run = UUID.randomUUID().toString().substring(0, 8);

        standIn = REPOSITORY + ":stand-in-" + run;
        images.add(standIn);
        provisioner.build(StandInImage.plan(node).rootfs(), standIn); // a test tag: never one a server may be using

        oldRecipe = REPOSITORY + ":old-recipe-" + run;
        images.add(oldRecipe);
        provisioner.build(oldRecipe(node), oldRecipe);
    }

    @AfterAll
    static void removeImages() throws IOException {
        if (docker == null) {
            return;
        }
        for (String image : images) {
            try {
                client.removeImageCmd(image).withForce(true).exec();
            } catch (NotFoundException ignored) {
                // never built
            }
        }
        docker.close();
    }

    @Test
    void anImageThatCannotBePulledIsReplacedByTheStandInUnderItsRecipeTag() throws IOException {
        String expected = StandInImage.plan(node).tag();
        boolean existed = exists(expected);

        String image = new ImageProvisioner(docker, Duration.ofMinutes(1)).ensure("glambdar/no-such-image:" + run);
        if (!existed) {
            images.add(image); // made by this test; one a server built stays
        }

        assertThat(image).isEqualTo(expected).startsWith("glambdar/node-local:");
        assertThat(exists(image)).isTrue();
    }

    @Test
    void anImageTheUserNamedThatCannotBePulledIsRefusedNotReplaced() {
        String named = "glambdar/no-such-image:" + run;

        assertThatThrownBy(() -> new ImageProvisioner(docker, Duration.ofMinutes(1)).require(named))
                .isInstanceOf(SandboxException.class)
                .hasMessageStartingWith("image " + named + " is not present and could not be pulled: ")
                .hasMessageEndingWith("; load it with docker load (or docker pull it), or unset GLAMBDAR_IMAGE to use"
                        + " the default");
        assertThat(exists(named)).isFalse();
    }

    @Test
    void aNativeAddonLinkingLibresolvLibstdcxxAndLibgccLoads() throws IOException {
        Run run = run(standIn, """
                const addon = require('%s');
                console.log(JSON.stringify({ demangled: addon.demangle(), frames: addon.frames(),
                                             dns: addon.parseDnsHeader() }));
                """.formatted(ADDON));

        JsonNode out = run.json();
        assertThat(out.path("demangled").asText()).isEqualTo("glambdar::probe()"); // libstdc++
        assertThat(out.path("frames").asInt()).isPositive(); // libgcc_s
        assertThat(out.path("dns").asInt()).isZero(); // libresolv
    }

    @Test
    void theSameAddonFailsToLoadOnAnImageOfTheOldRecipe() {
        Run run = run(oldRecipe, "require('%s');".formatted(ADDON));

        assertThat(run.exitCode()).as(run.toString()).isNotZero();
        assertThat(run.stderr()).contains("ERR_DLOPEN_FAILED").contains("libresolv.so.2");
    }

    @Test
    void aShellCommandAPipelineAndAShellScriptRunThereAndNotOnTheOldRecipe() throws IOException {
        Path script = work.resolve("script.sh");
        Files.writeString(script, "#!/bin/sh\necho \"script $1\"\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        String execHi = "console.log(require('child_process').execSync('echo hi').toString().trim());";

        Run run = run(standIn, """
                const { execSync, execFileSync } = require('child_process');
                console.log(JSON.stringify({
                  echo: execSync('echo hi').toString(),
                  pipeline: execSync('ls / | grep -c etc').toString().trim(),
                  script: execFileSync('/addon/script.sh', ['ran']).toString(),
                  env: execFileSync('env', [], { env: { PATH: process.env.PATH, X: 'y' } }).toString() }));
                """);
        Run old = run(oldRecipe, execHi);

        JsonNode out = run.json();
        assertThat(out.path("echo").asText()).isEqualTo("hi\n");
        assertThat(out.path("pipeline").asText()).isEqualTo("1");
        assertThat(out.path("script").asText()).isEqualTo("script ran\n");
        assertThat(out.path("env").asText()).contains("X=y\n");
        assertThat(old.exitCode()).as(old.toString()).isNotZero();
        assertThat(old.stderr()).contains("ENOENT");
    }

    @Test
    void theCaBundleIsThereAndLoadsIntoATlsContextOffline() throws IOException {
        Run run = run(standIn, """
                const fs = require('fs'), tls = require('tls'), https = require('https');
                const { X509Certificate } = require('crypto');
                const bundle = fs.readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8');
                const pems = bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) || [];
                tls.createSecureContext({});
                tls.createSecureContext({ ca: bundle });
                console.log(JSON.stringify({ certificates: pems.length,
                                             everyOneACa: pems.every(pem => new X509Certificate(pem).ca),
                                             agent: https.globalAgent.constructor.name }));
                """, "NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt");

        JsonNode out = run.json();
        assertThat(out.path("certificates").asInt()).isGreaterThan(10);
        assertThat(out.path("everyOneACa").asBoolean()).isTrue();
        assertThat(out.path("agent").asText()).isEqualTo("Agent");
        assertThat(run.stderr()).as("node loads the bundle as extra CA certificates without a warning").isEmpty();
    }

    @Test
    void aNamedTimeZoneGivesItsOffsets() throws IOException {
        Run run = run(standIn, """
                const fs = require('fs');
                console.log(JSON.stringify({
                  winter: new Date('2024-01-15T12:00:00Z').getTimezoneOffset(),
                  summer: new Date('2024-07-15T12:00:00Z').getTimezoneOffset(),
                  zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
                  zoneFile: fs.statSync('/usr/share/zoneinfo/Europe/Berlin').isFile() }));
                """, "TZ=Europe/Berlin");

        JsonNode out = run.json();
        assertThat(out.path("winter").asInt()).isEqualTo(-60);
        assertThat(out.path("summer").asInt()).isEqualTo(-120);
        assertThat(out.path("zone").asText()).isEqualTo("Europe/Berlin");
        assertThat(out.path("zoneFile").asBoolean()).isTrue();
    }

    @Test
    void theFunctionUserHasANameThereAndNotOnTheOldRecipe() throws IOException {
        String script = "console.log(JSON.stringify(require('os').userInfo()));";

        JsonNode user = run(standIn, script).json();
        Run old = run(oldRecipe, script);

        assertThat(user.path("username").asText()).isEqualTo("glambdar");
        assertThat(user.path("uid").asInt()).isEqualTo(StandInImage.FUNCTION_UID);
        assertThat(user.path("gid").asInt()).isEqualTo(StandInImage.FUNCTION_UID);
        assertThat(user.path("homedir").asText()).isEqualTo("/tmp");
        assertThat(old.exitCode()).as(old.toString()).isNotZero();
        assertThat(old.stderr()).contains("uv_os_get_passwd");
    }

    // ---------------------------------------------------------------- helpers

    private static boolean exists(String image) {
        try {
            client.inspectImageCmd(image).exec();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }

    /** What a container printed and how it ended. */
    private record Run(int exitCode, String stdout, String stderr) {
        JsonNode json() throws IOException {
            assertThat(exitCode).as(toString()).isZero();
            return new ObjectMapper().readTree(stdout);
        }
    }

    /** Runs {@code node -e script} as the function user, locked down as Glambdar runs functions, then removes it. */
    private static Run run(String image, String script, String... env) {
        String id = client.createContainerCmd(image)
                .withCmd("/usr/local/bin/node", "-e", script)
                .withUser(FUNCTION_USER)
                .withEnv(env)
                .withLabels(Map.of("io.glambdar.test", StandInImageIT.class.getSimpleName()))
                .withHostConfig(HostConfig.newHostConfig()
                        .withBinds(new Bind(work.toString(), new Volume("/addon"), AccessMode.ro))
                        .withReadonlyRootfs(true)
                        .withNetworkMode("none")
                        .withCapDrop(Capability.ALL)
                        .withSecurityOpts(List.of("no-new-privileges")))
                .exec()
                .getId();
        try {
            client.startContainerCmd(id).exec();
            int exitCode = client.waitContainerCmd(id).exec(new WaitContainerResultCallback())
                    .awaitStatusCode(GUARD_SECONDS, TimeUnit.SECONDS);
            StringBuffer stdout = new StringBuffer();
            StringBuffer stderr = new StringBuffer();
            client.logContainerCmd(id).withStdOut(true).withStdErr(true)
                    .exec(new ResultCallback.Adapter<Frame>() {
                        @Override
                        public void onNext(Frame frame) {
                            String text = new String(frame.getPayload(), StandardCharsets.UTF_8);
                            (frame.getStreamType() == StreamType.STDERR ? stderr : stdout).append(text);
                        }
                    })
                    .awaitCompletion(GUARD_SECONDS, TimeUnit.SECONDS);
            return new Run(exitCode, stdout.toString(), stderr.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } finally {
            client.removeContainerCmd(id).withForce(true).exec();
        }
    }

    /** The recipe before this one: node, the libraries node itself loads, a passwd without the function user. */
    private static RootFs oldRecipe(HostNode node) throws IOException {
        RootFs rootfs = new RootFs();
        rootfs.directory("tmp", 01777);
        rootfs.file("usr/local/bin/node", node.executable());
        for (Path library : node.sharedObjects()) {
            rootfs.file(RootFs.nameOf(library), library);
        }
        rootfs.add(new RootFs.Text("etc/passwd",
                "root:x:0:0:root:/root:/bin/false\nnode:x:1000:1000:node:/tmp:/bin/false\n", 0644));
        rootfs.add(new RootFs.Text("etc/group", "root:x:0:\nnode:x:1000:\n", 0644));
        return rootfs;
    }

    /**
     * Compiles src/test/resources/native/probe-addon.c into {@code dir}/probe.node with gcc, linked against the
     * C runtime's files by path (libresolv.so.2, libstdc++.so.6, libgcc_s.so.1) so no -dev package is needed.
     */
    private static void buildAddon(Path dir) throws IOException, InterruptedException {
        // readable by the function user in the container
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path source = dir.resolve("probe-addon.c");
        try (InputStream in = StandInImageIT.class.getResourceAsStream("/native/probe-addon.c")) {
            Files.copy(in, source);
        }
        List<String> command = new ArrayList<>(List.of("gcc", "-shared", "-fPIC", "-O1", "-o",
                dir.resolve("probe.node").toString(), source.toString(), "-Wl,--no-as-needed"));
        for (String library : List.of("libresolv.so.2", "libstdc++.so.6", "libgcc_s.so.1")) {
            command.add(gcc("-print-file-name=" + library).strip());
        }
        gcc(command.subList(1, command.size()).toArray(String[]::new));
    }

    private static String gcc(String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("gcc"));
        command.addAll(List.of(arguments));
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IllegalStateException("gcc builds this test's native addon, and it cannot be run ("
                    + e.getMessage() + "); install it (apt-get install gcc libc6-dev; .ci/run does)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(GUARD_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + output);
        }
        return output;
    }
}
