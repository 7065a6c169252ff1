package io.glambdar.ipc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

/** Users of this machine for the tests: this process's uid (read off a file it creates: the JDK has no call for it). */
final class TestUsers {

    private static final int CURRENT_UID = readCurrentUid();

    private TestUsers() {
    }

    static int currentUid() {
        return CURRENT_UID;
    }

    static boolean isRoot() {
        return CURRENT_UID == 0;
    }

    /** A uid from 54321 up that the host's passwd file does not list. */
    static int uidWithoutPasswdEntry() {
        try {
            Set<String> listed = new HashSet<>();
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] fields = line.split(":");
                if (fields.length > 2) {
                    listed.add(fields[2]);
                }
            }
            int uid = 54321;
            while (listed.contains(Integer.toString(uid))) {
                uid++;
            }
            return uid;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int readCurrentUid() {
        try {
            Path file = Files.createTempFile("uid", ".probe");
            try {
                return (Integer) Files.getAttribute(file, "unix:uid");
            } finally {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
