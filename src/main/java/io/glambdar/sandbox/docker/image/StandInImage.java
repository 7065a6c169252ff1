package io.glambdar.sandbox.docker.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The recipe of the image built from this host's Node.js when no Node image can be pulled: what {@code node:22-slim}
 * gives a function, so that npm packages with native prebuilds (sharp, bcrypt, …) load and TLS, time zones and user
 * lookups work, and a function can run a shell command. That is node at {@code /usr/local/bin/node} with the libraries
 * it loads, the whole C runtime ({@link HostCRuntime}), a shell at {@code /bin/sh} and basic utilities
 * ({@link HostTools}), CA certificates, time-zone data, and users {@code node} (1000) and {@code glambdar} (65532).
 *
 * @param tag    {@code glambdar/node-local:<node version>-<digest of the plan>}: a new recipe or a changed host
 *               file gives a new tag, so an image built by another recipe is never reused
 * @param rootfs what goes into the image
 */
record StandInImage(String tag, RootFs rootfs) {

    static final String REPOSITORY = "glambdar/node-local";
    /** Bump when the image changes in a way the planned entries do not show (how the tarball is written). */
    static final int RECIPE_REVISION = 2;
    /** The unprivileged user functions run as. */
    static final int FUNCTION_UID = 65532;

    static final Path CA_BUNDLE = Path.of("/etc/ssl/certs/ca-certificates.crt");
    /** Where other distributions keep the bundle; copied to {@link #CA_BUNDLE}, where Debian's node looks. */
    private static final List<Path> OTHER_CA_BUNDLES = List.of(
            Path.of("/etc/pki/tls/certs/ca-bundle.crt"),
            Path.of("/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem"),
            Path.of("/etc/ssl/ca-bundle.pem"),
            Path.of("/etc/ssl/cert.pem"));
    /** OpenSSL's own names for the bundle and the certificate folder (Debian links them to /etc/ssl/certs). */
    private static final List<Path> OPENSSL_LINKS = List.of(
            Path.of("/usr/lib/ssl/cert.pem"),
            Path.of("/usr/lib/ssl/certs"));
    static final Path ZONEINFO = Path.of("/usr/share/zoneinfo");

    private static final String PASSWD = """
            root:x:0:0:root:/root:/bin/false
            node:x:1000:1000:node:/tmp:/bin/false
            glambdar:x:65532:65532:glambdar:/tmp:/bin/false
            """;
    private static final String GROUP = """
            root:x:0:
            node:x:1000:
            glambdar:x:65532:
            """;
    private static final String NSSWITCH = """
            passwd: files
            group: files
            hosts: files dns
            """;

    /** Plans the image from this host's files; reads their metadata only (and asks ldd what its tools load). */
    static StandInImage plan(HostNode node) throws IOException {
        return plan(node, HostTools.find());
    }

    static StandInImage plan(HostNode node, HostTools tools) throws IOException {
        RootFs rootfs = new RootFs();
        HostMirror mirror = new HostMirror(rootfs);
        rootfs.directory("tmp", 01777);
        rootfs.directory("function", 0755);
        rootfs.directory("glambdar", 0755);
        rootfs.file("usr/local/bin/node", node.executable()); // where the official images have it
        for (Path library : node.sharedObjects()) {
            mirror.path(library);
        }
        Optional<Path> libc = node.sharedObjects().stream()
                .filter(library -> library.getFileName().toString().startsWith("libc.so"))
                .findFirst();
        if (libc.isPresent()) {
            HostCRuntime runtime = HostCRuntime.around(libc.get());
            for (Path library : runtime.libraries()) {
                mirror.path(library);
            }
            if (runtime.iconvModules().isPresent()) {
                mirror.tree(runtime.iconvModules().get());
            }
        }
        addTools(rootfs, mirror, tools);
        addCaCertificates(rootfs, mirror);
        if (Files.isDirectory(ZONEINFO)) {
            mirror.tree(ZONEINFO);
        }
        rootfs.add(new RootFs.Text("etc/passwd", PASSWD, 0644));
        rootfs.add(new RootFs.Text("etc/group", GROUP, 0644));
        rootfs.add(new RootFs.Text("etc/nsswitch.conf", NSSWITCH, 0644));
        rootfs.add(new RootFs.Text("etc/glambdar-image", "recipe " + RECIPE_REVISION + "\nnode " + node.version()
                + " from " + node.executable() + "\n", 0644));
        String tag = REPOSITORY + ":" + node.version().replaceFirst("^v", "") + "-" + rootfs.digest().substring(0, 12);
        return new StandInImage(tag, rootfs);
    }

    /** The utilities and the shell where the host has them, their libraries, and {@code /bin/sh} leading to the shell. */
    private static void addTools(RootFs rootfs, HostMirror mirror, HostTools tools) throws IOException {
        for (Path program : tools.utilities()) {
            mirror.path(program);
        }
        for (Path library : tools.libraries()) {
            mirror.path(library);
        }
        if (tools.shell().isPresent()) {
            Path shell = tools.shell().get();
            mirror.path(shell);
            Path bin = Path.of("/bin");
            mirror.path(bin); // a folder, or a merged /usr's link to usr/bin
            Path realBin = bin.toRealPath();
            boolean besideIt = shell.toAbsolutePath().getParent().toRealPath().equals(realBin);
            rootfs.add(new RootFs.Symlink(RootFs.nameOf(realBin.resolve("sh")),
                    besideIt ? shell.getFileName().toString() : shell.toAbsolutePath().toString()));
        }
    }

    /** Debian's bundle with its folder (hash links, one file per CA) and OpenSSL's links to them; else another's. */
    private static void addCaCertificates(RootFs rootfs, HostMirror mirror) throws IOException {
        if (Files.isRegularFile(CA_BUNDLE)) {
            Path folder = CA_BUNDLE.getParent();
            mirror.tree(folder);
            Path realFolder = folder.toRealPath();
            for (Path link : OPENSSL_LINKS) {
                if (Files.isSymbolicLink(link) && Files.exists(link) && link.toRealPath().startsWith(realFolder)) {
                    mirror.path(link);
                }
            }
            return;
        }
        Optional<Path> other = OTHER_CA_BUNDLES.stream().filter(Files::isRegularFile).findFirst();
        if (other.isPresent()) {
            rootfs.file(RootFs.nameOf(CA_BUNDLE), other.get());
        }
    }
}
