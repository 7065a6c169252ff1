package io.glambdar.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * What keyed mode costs: reuse-mode throughput at c=32 of a server in open mode against one in keyed mode (each call
 * presenting an invoke key, checked against its hash), both up at once and measured in alternating rounds (open
 * first in odd rounds, keyed first in even ones), so neither gains from running later, and a noisy minute of the
 * machine hits both alike. The figure is the ratio of the medians.
 */
final class KeyedModeComparison {

    static final int ROUNDS = 4;
    static final int CONCURRENCY = 32;

    /** The rounds of each mode, in the order they ran. */
    record Result(List<Throughput> open, List<Throughput> keyed) {

        double openMedian() {
            return median(open);
        }

        double keyedMedian() {
            return median(keyed);
        }

        /** What keyed mode costs, as a fraction of open mode's throughput (0.03 = 3 % fewer invocations/s). */
        double cost() {
            return 1 - keyedMedian() / openMedian();
        }

        long errors() {
            return open.stream().mapToLong(t -> t.errors() + t.rejected()).sum()
                    + keyed.stream().mapToLong(t -> t.errors() + t.rejected()).sum();
        }

        void appendTo(StringBuilder md) {
            md.append("\n## Keyed mode\n\nReuse-mode hello function at c=").append(CONCURRENCY)
                    .append(", a server in open mode against one in keyed mode (every call presents an invoke key),"
                            + " both up at once, in ").append(ROUNDS).append(" alternating rounds each.\n\n");
            md.append("| round | open mode | keyed mode |\n|---:|---:|---:|\n");
            for (int i = 0; i < open.size(); i++) {
                md.append(String.format(Locale.ROOT, "| %d | %.0f/s (%d, %d) | %.0f/s (%d, %d) |%n", i + 1,
                        open.get(i).perSecond(), open.get(i).rejected(), open.get(i).errors(),
                        keyed.get(i).perSecond(), keyed.get(i).rejected(), keyed.get(i).errors()));
            }
            md.append(String.format(Locale.ROOT, "| median | %.0f/s | %.0f/s (%+.1f %%) |%n", openMedian(),
                    keyedMedian(), -100 * cost()));
        }

        private static double median(List<Throughput> rounds) {
            List<Double> sorted = rounds.stream().map(Throughput::perSecond).sorted(Comparator.naturalOrder())
                    .toList();
            int middle = sorted.size() / 2;
            return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
        }
    }

    private KeyedModeComparison() {
    }

    static Result run(Path work, double seconds) throws IOException, InterruptedException {
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        String adminKey = HexFormat.of().formatHex(random);
        BenchCommand.progress("keyed mode: starting a server in open mode and one in keyed mode, both --reuse");
        try (ServerProcess open = ServerProcess.start(work.resolve("open"), work.resolve("open-server.log"),
                List.of("--reuse"));
             ServerProcess keyed = ServerProcess.start(work.resolve("keyed"), work.resolve("keyed-server.log"),
                     List.of("--reuse"), adminKey)) {
            ServerApi openApi = open.api();
            ServerApi keyedApi = keyed.api();
            openApi.deploy("hello", BenchCommand.HELLO, null);
            keyedApi.deploy("hello", BenchCommand.HELLO, null);
            String invokeKey = keyedApi.createInvokeKey("hello");
            LoadRunner.CallFactory openCallers = () -> BenchCommand.call(openApi.connection());
            LoadRunner.CallFactory keyedCallers = () -> BenchCommand.call(keyedApi.connection(invokeKey));
            BenchCommand.progress("keyed mode: warming up both (3000 calls, then " + BenchCommand.fmt(seconds)
                    + " s at c=" + CONCURRENCY + ", twice)");
            BenchCommand.sequentialCalls(openApi.connection(), 3000);
            BenchCommand.sequentialCalls(keyedApi.connection(invokeKey), 3000);
            for (int i = 0; i < 2; i++) {
                LoadRunner.forDuration("warm-up", CONCURRENCY, seconds, openCallers);
                LoadRunner.forDuration("warm-up", CONCURRENCY, seconds, keyedCallers);
            }
            List<Throughput> openRounds = new ArrayList<>();
            List<Throughput> keyedRounds = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                BenchCommand.progress("keyed mode: round " + round + " of " + ROUNDS);
                boolean openFirst = round % 2 == 1;
                if (openFirst) {
                    openRounds.add(LoadRunner.forDuration("open mode", CONCURRENCY, seconds, openCallers));
                }
                keyedRounds.add(LoadRunner.forDuration("keyed mode", CONCURRENCY, seconds, keyedCallers));
                if (!openFirst) {
                    openRounds.add(LoadRunner.forDuration("open mode", CONCURRENCY, seconds, openCallers));
                }
            }
            return new Result(openRounds, keyedRounds);
        }
    }
}
