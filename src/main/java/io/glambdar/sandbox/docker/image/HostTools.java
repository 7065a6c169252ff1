package io.glambdar.sandbox.docker.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A POSIX shell and a few basic utilities from this host, with the shared libraries they link: what
 * {@code node:22-slim} gives {@code child_process.exec}, {@code #!/bin/sh} scripts and npm packages that run a
 * command. The shell is dash (Debian's {@code /bin/sh}) or a busybox; the libraries are those one run of ldd lists.
 *
 * @param shell     the shell's binary, to be {@code /bin/sh}; empty when the host has none this can use
 * @param utilities programs such as {@code env}, {@code ls} and {@code cat}, as host paths
 * @param libraries the libraries the shell and the utilities load, as the loader opens them
 */
record HostTools(Optional<Path> shell, List<Path> utilities, List<Path> libraries) {

    /** Shells that behave as {@code sh} by whatever name they are run: dash, else busybox (which reads its name). */
    static final List<Path> SHELLS = List.of(Path.of("/usr/bin/dash"), Path.of("/bin/dash"),
            Path.of("/usr/bin/busybox"), Path.of("/bin/busybox"));
    /** Small, common programs a function or a package may run; each only when the host has it in /usr/bin or /bin. */
    static final List<String> UTILITIES = List.of("basename", "cat", "chmod", "cp", "cut", "date", "dirname", "env",
            "grep", "head", "id", "ln", "ls", "mkdir", "mktemp", "mv", "rm", "sed", "sleep", "sort", "tail", "tee",
            "touch", "tr", "uname", "uniq", "wc", "xargs");
    private static final List<Path> PROGRAM_FOLDERS = List.of(Path.of("/usr/bin"), Path.of("/bin"));

    /** {@code libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)} or {@code /lib64/ld-linux-x86-64.so.2 (0x...)}. */
    private static final Pattern LIBRARY = Pattern.compile("^\\s*(?:\\S+\\s+=>\\s+)?(/\\S+)\\s+\\(0x[0-9a-f]+\\)\\s*$");

    /** Finds the shell and the utilities, each only when ldd can say what it loads and all of it is there. */
    static HostTools find() {
        List<Path> shells = SHELLS.stream().filter(Files::isExecutable).toList();
        List<Path> utilities = new ArrayList<>();
        for (String name : UTILITIES) {
            PROGRAM_FOLDERS.stream().map(folder -> folder.resolve(name)).filter(Files::isExecutable).findFirst()
                    .ifPresent(utilities::add);
        }
        List<Path> programs = new ArrayList<>(shells);
        programs.addAll(utilities);
        Map<Path, List<Path>> loads = ldd(programs);
        Optional<Path> shell = shells.stream().filter(loads::containsKey).findFirst();
        List<Path> usable = utilities.stream().filter(loads::containsKey).toList();
        Set<Path> libraries = new LinkedHashSet<>();
        shell.ifPresent(program -> libraries.addAll(loads.get(program)));
        usable.forEach(program -> libraries.addAll(loads.get(program)));
        return new HostTools(shell, usable, List.copyOf(libraries));
    }

    /** What each program loads, as one run of {@code ldd} lists it; empty when there is no ldd. */
    private static Map<Path, List<Path>> ldd(List<Path> programs) {
        if (programs.isEmpty()) {
            return Map.of();
        }
        List<String> command = new ArrayList<>(List.of("ldd"));
        programs.forEach(program -> command.add(program.toString()));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return Map.of();
            }
            return parseLdd(programs, out);
        } catch (IOException e) {
            return Map.of(); // no ldd on this host
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        }
    }

    /**
     * The libraries each program loads, from ldd's output for {@code programs} (a section headed {@code <path>:} per
     * program when there are several): none for a static program; a program with a library not found, or whose
     * section ldd could not fill, is left out. Entries without a path ({@code linux-vdso.so.1}) are the kernel's.
     */
    static Map<Path, List<Path>> parseLdd(List<Path> programs, String output) {
        Map<Path, StringBuilder> sections = new LinkedHashMap<>();
        StringBuilder section = programs.size() == 1 ? sections.computeIfAbsent(programs.getFirst(),
                program -> new StringBuilder()) : null;
        for (String line : output.split("\n")) {
            Path header = programs.size() > 1 && line.endsWith(":") ? Path.of(line.substring(0, line.length() - 1))
                    : null;
            if (header != null && programs.contains(header)) {
                section = sections.computeIfAbsent(header, program -> new StringBuilder());
            } else if (section != null) {
                section.append(line).append('\n');
            }
        }
        Map<Path, List<Path>> loads = new LinkedHashMap<>();
        sections.forEach((program, text) -> libraries(text.toString()).ifPresent(libs -> loads.put(program, libs)));
        return loads;
    }

    private static Optional<List<Path>> libraries(String section) {
        if (section.contains("not a dynamic executable") || section.contains("statically linked")) {
            return Optional.of(List.of());
        }
        if (section.contains("not found")) {
            return Optional.empty();
        }
        List<Path> libraries = new ArrayList<>();
        for (String line : section.split("\n")) {
            Matcher matcher = LIBRARY.matcher(line);
            if (matcher.matches()) {
                libraries.add(Path.of(matcher.group(1)));
            }
        }
        return libraries.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(libraries));
    }
}
