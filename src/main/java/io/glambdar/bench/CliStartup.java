package io.glambdar.bench;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * How fast a client command starts: the wall time of {@code ./glambdar ls}, each run a new process (the launcher, its
 * JVM, one request, a table), against a running server with a few functions. The first run after a build makes the
 * client's class cache (see {@link #awaitClassCache}); it is made before the timed runs, as a
 * user's first command after a build would.
 */
final class CliStartup {

    static final int RUNS = 20;
    static final int FUNCTIONS = 5;
    static final double TARGET_MILLIS = 500;
    private static final long CACHE_WAIT_MILLIS = 120_000;
    private static final long RUN_LIMIT_SECONDS = 60;

    /** One run: its wall time, and the CPU time (user and system) of the launcher and its JVM. */
    record Run(double millis, double cpuMillis) {
    }

    /**
     * @param runs        the timed runs, in the order they ran
     * @param loadAverage the machine's load average before the runs
     */
    record Result(List<Run> runs, String loadAverage) {

        double p50() {
            return percentile(runs.stream().mapToDouble(Run::millis), 50);
        }

        double p90() {
            return percentile(runs.stream().mapToDouble(Run::millis), 90);
        }

        /** The CPU time: what the run would take on an idle machine, whatever the neighbours do to the wall time. */
        double cpuP50() {
            return percentile(runs.stream().mapToDouble(Run::cpuMillis), 50);
        }

        boolean met() {
            return p50() <= TARGET_MILLIS;
        }

        private static double percentile(java.util.stream.DoubleStream values, double p) {
            return Percentiles.nearestRank(values.sorted().toArray(), p);
        }

        void appendTo(StringBuilder md) {
            md.append("\n## Command-line client start\n\n");
            md.append(String.format(Locale.ROOT, "`./glambdar ls` against a running server with %d functions, %d"
                            + " runs one after the other, each a new process: the launcher (finding the JDK, checking"
                            + " the jar is current), a JVM with the client's flags and class cache, `GET /info`, the"
                            + " table. Wall time p50 %.0f ms, p90 %.0f ms (min %.0f, max %.0f); CPU time (user and"
                            + " system, of the launcher and its JVM) p50 %.0f ms; load average before the runs %s.%n",
                    FUNCTIONS, runs.size(), p50(), p90(), runs.stream().mapToDouble(Run::millis).min().orElse(Double.NaN),
                    runs.stream().mapToDouble(Run::millis).max().orElse(Double.NaN), cpuP50(), loadAverage));
        }

        void appendTarget(StringBuilder md) {
            Report.target(md, "`./glambdar ls` ≤ 0.5 s wall", String.format(Locale.ROOT,
                    "p50 %.0f ms, p90 %.0f ms (%d runs); CPU p50 %.0f ms", p50(), p90(), runs.size(), cpuP50()), met());
        }
    }

    private CliStartup() {
    }

    /** Starts a server in {@code work}, deploys {@link #FUNCTIONS} functions, and times {@link #RUNS} runs. */
    static Result run(Path work) throws Exception {
        Path launcher = launcher();
        try (ServerProcess server = ServerProcess.start(work.resolve("cli"), work.resolve("cli-server.log"),
                List.of())) {
            ServerApi api = server.api();
            for (int i = 1; i <= FUNCTIONS; i++) {
                api.deploy("hello-" + i, BenchCommand.HELLO, null);
            }
            BenchCommand.progress("client start: the first ./glambdar ls after the build makes the class cache");
            ls(launcher, api);
            awaitClassCache(launcher.getParent().resolve("target"));
            ls(launcher, api); // the first run on the new cache maps it in: not a user's usual run either
            BenchCommand.progress("client start: " + RUNS + " runs of ./glambdar ls");
            String load = Report.loadAverage();
            List<Run> runs = new ArrayList<>();
            for (int i = 0; i < RUNS; i++) {
                runs.add(ls(launcher, api));
            }
            return new Result(runs, load);
        }
    }

    /** {@code ./glambdar} beside the jar this bench runs from ({@code target/glambdar-run.jar}). */
    private static Path launcher() throws IOException {
        try {
            Path jar = Path.of(CliStartup.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path launcher = jar.getParent().getParent().resolve("glambdar");
            if (!Files.isExecutable(launcher)) {
                throw new IOException("no ./glambdar launcher at " + launcher + ": run the bench with ./glambdar bench");
            }
            return launcher;
        } catch (URISyntaxException e) {
            throw new IOException(e);
        }
    }

    /**
     * One {@code ./glambdar ls}, under bash's {@code time}, which adds its CPU time as a last line: it must succeed and
     * list the functions.
     */
    private static Run ls(Path launcher, ServerApi api) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("bash", "-c", "TIMEFORMAT='cpu %3U %3S'; time \"$0\" ls",
                launcher.toString())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        builder.environment().put("GLAMBDAR_URL", api.url());
        builder.environment().remove("GLAMBDAR_KEY");
        long start = System.nanoTime();
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(RUN_LIMIT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("./glambdar ls did not end within " + RUN_LIMIT_SECONDS + " s");
        }
        double millis = (System.nanoTime() - start) / 1e6;
        String text = new String(output, StandardCharsets.UTF_8).strip();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        if (process.exitValue() != 0 || !text.contains("hello-" + FUNCTIONS) || !last.startsWith("cpu ")) {
            throw new IOException("./glambdar ls failed (" + process.exitValue() + "): " + text);
        }
        String[] cpu = last.split(" ");
        return new Run(millis, 1000 * (Double.parseDouble(cpu[1]) + Double.parseDouble(cpu[2])));
    }

    /**
     * The launcher makes the cache in the background after the first run ({@code target/glambdar-client-<JDK>.aot}, or
     * {@code .jsa} before JDK 25); wait for it, as a user's later runs do.
     */
    private static void awaitClassCache(Path target) throws IOException, InterruptedException {
        Path jar = target.resolve("glambdar-run.jar");
        long deadline = System.currentTimeMillis() + CACHE_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            try (var caches = Files.newDirectoryStream(target, "glambdar-client-*.{aot,jsa}")) {
                for (Path cache : caches) {
                    if (Files.getLastModifiedTime(cache).compareTo(Files.getLastModifiedTime(jar)) > 0
                            && !Files.exists(Path.of(cache + ".lock"))) {
                        return;
                    }
                }
            }
            Thread.sleep(200);
        }
        BenchCommand.progress("client start: no class cache after " + CACHE_WAIT_MILLIS / 1000 + " s; timing without");
    }
}
