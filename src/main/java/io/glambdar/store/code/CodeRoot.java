package io.glambdar.store.code;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/** Where {@code index.js} is in a function folder already on disk: at its root, or inside its only sub-folder. */
final class CodeRoot {

    private CodeRoot() {
    }

    /** The folder holding {@code index.js}, given the code root {@link #find} returned for {@code dir}. */
    static Path resolve(Path dir, String codeRoot) {
        return codeRoot.isEmpty() ? dir : dir.resolve(codeRoot);
    }

    /** {@code ""} for the root, the sub-folder's name, or empty when there is no index.js where it may be. */
    static Optional<String> find(Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve("index.js"), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of("");
        }
        List<Path> children;
        try (Stream<Path> list = Files.list(dir)) {
            children = list.filter(p -> !p.getFileName().toString().equals("__MACOSX")
                    && !p.getFileName().toString().equals(".DS_Store")).toList();
        }
        if (children.size() == 1 && Files.isDirectory(children.getFirst(), LinkOption.NOFOLLOW_LINKS)
                && Files.isRegularFile(children.getFirst().resolve("index.js"), LinkOption.NOFOLLOW_LINKS)) {
            return Optional.of(children.getFirst().getFileName().toString());
        }
        return Optional.empty();
    }
}
