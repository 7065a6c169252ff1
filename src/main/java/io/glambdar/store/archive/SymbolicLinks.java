package io.glambdar.store.archive;

import static io.glambdar.store.DeployRejectedException.quote;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows the symbolic links of a zip through its own entries, before anything is written, the way the kernel will
 * follow them once they are on disk: segment by segment, a link met on the way replaced by its target (relative to the
 * link's own folder), {@code ..} taken after that. The function's folder is the root: nothing may lead above it, whether
 * directly ({@code ../../etc/passwd}) or through another link. Only relative targets are followed; absolute ones are
 * refused before they get here.
 *
 * <p>A link whose target does not exist (npm leaves such {@code .bin} links behind) is accepted: the rest of its
 * target is still checked to stay inside, and the deployed folder never changes, so it can never come to lead out.
 */
final class SymbolicLinks {

    /** Most links followed for one lookup, as Linux's MAXSYMLINKS: more means a loop. */
    static final int MAX_HOPS = 40;

    enum Kind { FILE, FOLDER, LINK }

    private enum Outcome { INSIDE, MISSING, ESCAPES, LOOPS }

    private record Followed(Outcome outcome, List<String> path) {
    }

    /** Every path inside the function's folder ("a/b", the root itself excluded), folders it implies included. */
    private final Map<String, Kind> kinds = new HashMap<>();
    private final Map<String, String> targets = new HashMap<>();

    void addFile(String path) {
        put(path, Kind.FILE);
    }

    void addFolder(String path) {
        put(path, Kind.FOLDER);
    }

    void addLink(String path, String target) {
        put(path, Kind.LINK);
        targets.put(path, target);
    }

    private void put(String path, Kind kind) {
        kinds.put(path, kind);
        for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
            kinds.putIfAbsent(path.substring(0, slash), Kind.FOLDER);
        }
    }

    /**
     * What is wrong with the link at {@code path}, or {@code null} when it stays inside the folder.
     *
     * @param mustBeFile whether it must lead to a regular file (index.js, glambdar.json)
     */
    String problem(String path, boolean mustBeFile) {
        String target = targets.get(path);
        String named = "is a symbolic link to " + quote(target);
        Followed followed = follow(path);
        return switch (followed.outcome()) {
            case ESCAPES -> named + ", which leads outside the function's folder; links must stay inside it";
            case LOOPS -> named + ", which never ends: links lead to each other in a loop";
            case MISSING -> mustBeFile
                    ? named + ", which does not exist; it must lead to a regular file inside the function's folder"
                    : null;
            case INSIDE -> {
                String reached = String.join("/", followed.path());
                Kind kind = reached.isEmpty() ? Kind.FOLDER : kinds.get(reached);
                if (mustBeFile && kind != Kind.FILE) {
                    yield named + ", which is a folder; it must lead to a regular file inside the function's folder";
                }
                if (reached.isEmpty() || path.startsWith(reached + "/")) {
                    yield named + ", a folder that contains the link itself, which makes a loop";
                }
                yield null;
            }
        };
    }

    /** Where the link at {@code path} leads, as a path from the root. */
    private Followed follow(String path) {
        List<String> at = new ArrayList<>(segments(path));
        at.removeLast();
        Deque<String> pending = new ArrayDeque<>(segments(targets.get(path)));
        int hops = 1;
        boolean missing = false; // then nothing below exists, but ".." must still not climb out
        while (!pending.isEmpty()) {
            String segment = pending.pop();
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (at.isEmpty()) {
                    return new Followed(Outcome.ESCAPES, at);
                }
                at.removeLast();
                continue;
            }
            at.add(segment);
            if (missing) {
                continue;
            }
            String current = String.join("/", at);
            Kind kind = kinds.get(current);
            if (kind == null || (kind == Kind.FILE && !pending.isEmpty())) {
                missing = true; // no such entry, or a file used as a folder
            } else if (kind == Kind.LINK) {
                String next = targets.get(current);
                if (++hops > MAX_HOPS) {
                    return new Followed(Outcome.LOOPS, at);
                }
                if (next.startsWith("/")) {
                    return new Followed(Outcome.ESCAPES, at);
                }
                at.removeLast();
                List<String> inserted = segments(next);
                for (int i = inserted.size() - 1; i >= 0; i--) {
                    pending.push(inserted.get(i));
                }
            }
        }
        return new Followed(missing ? Outcome.MISSING : Outcome.INSIDE, at);
    }

    private static List<String> segments(String path) {
        return Arrays.asList(path.split("/", -1));
    }
}
