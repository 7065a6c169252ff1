package io.glambdar.sandbox.docker.image;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Looks paths up in a planned root file system the way the kernel would in the image, following its links. */
final class ImageTree {

    private static final int MAX_LINKS = 40;

    private final Map<String, RootFs.Entry> entries = new HashMap<>();

    ImageTree(RootFs rootfs) {
        rootfs.entries().forEach(entry -> entries.put(entry.name(), entry));
    }

    /** The entry {@code absolutePath} ends at in the image (never a link), if it resolves. */
    Optional<RootFs.Entry> resolve(String absolutePath) {
        return resolve(Path.of(absolutePath), 0);
    }

    private Optional<RootFs.Entry> resolve(Path path, int links) {
        if (links > MAX_LINKS) {
            return Optional.empty();
        }
        Path current = Path.of("/");
        int count = path.getNameCount();
        for (int i = 0; i < count; i++) {
            String part = path.getName(i).toString();
            if (part.equals(".") || part.isEmpty()) {
                continue;
            }
            if (part.equals("..")) {
                current = current.getParent() == null ? current : current.getParent();
                continue;
            }
            Path next = current.resolve(part);
            RootFs.Entry entry = entries.get(RootFs.nameOf(next));
            if (entry == null) {
                return Optional.empty();
            }
            if (entry instanceof RootFs.Symlink link) {
                Path rest = i + 1 < count ? path.subpath(i + 1, count) : Path.of("");
                Path target = current.resolve(link.target()).resolve(rest);
                return resolve(target, links + 1);
            }
            current = next;
        }
        return Optional.ofNullable(entries.get(RootFs.nameOf(current)));
    }

    /** Whether {@code absolutePath} resolves to a regular file in the image. */
    boolean isFile(String absolutePath) {
        return resolve(absolutePath).filter(e -> e instanceof RootFs.HostFile || e instanceof RootFs.Text).isPresent();
    }
}
