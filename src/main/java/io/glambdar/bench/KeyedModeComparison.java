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

    /** Many short rounds rather than a few long ones: a neighbour's burst on this shared machine hits both alike. */
    static final int ROUNDS = 10;
    /** Each round lasts this share of the bench's {@code --seconds}. */
    static final double ROUND_SHARE = 1.0 / 3;
    static final int CONCURRENCY = 32;

    /** One round of one mode: its throughput, and the server's CPU time per invocation through it. */
    record Round(Throughput throughput, double cpuMicrosPerCall) {
    }

    /** The rounds of each mode, in the order they ran. */
    record Result(List<Round> open, List<Round> keyed) {

        double openMedian() {
            return median(open.stream().map(r -> r.throughput().perSecond()).toList());
        }

        double keyedMedian() {
            return median(keyed.stream().map(r -> r.throughput().perSecond()).toList());
        }

        /** What keyed mode costs, as a fraction of open mode's throughput (0.03 = 3 % fewer invocations/s). */
        double cost() {
            return 1 - keyedMedian() / openMedian();
        }

        double openCpuMedian() {
            return median(open.stream().map(Round::cpuMicrosPerCall).toList());
        }

        double keyedCpuMedian() {
            return median(keyed.stream().map(Round::cpuMicrosPerCall).toList());
        }

        /** What keyed mode costs in the server's CPU time per invocation (0.03 = 3 % more). */
        double cpuCost() {
            return keyedCpuMedian() / openCpuMedian() - 1;
        }

        long errors() {
            return open.stream().mapToLong(r -> r.throughput().errors() + r.throughput().rejected()).sum()
                    + keyed.stream().mapToLong(r -> r.throughput().errors() + r.throughput().rejected()).sum();
        }

        void appendTo(StringBuilder md) {
            md.append("\n## Keyed mode\n\nReuse-mode hello function at c=").append(CONCURRENCY)
                    .append(", a server in open mode against one in keyed mode (every call presents an invoke key),"
                            + " both up at once and warmed up alike, in ").append(ROUNDS).append(" rounds of ")
                    .append(BenchCommand.fmt(open.getFirst().throughput().seconds()))
                    .append(" s each, alternating which goes first.\n\n");
            md.append("Invocations/s (429s, errors), and the server's CPU time (user and system, from"
                    + " `/proc/<pid>/stat`) per invocation. Both swing from round to round on this shared machine;"
                    + " compare the medians.\n\n");
            md.append("| round | open mode | keyed mode | open: CPU per call | keyed: CPU per call |\n"
                    + "|---:|---:|---:|---:|---:|\n");
            for (int i = 0; i < open.size(); i++) {
                Throughput o = open.get(i).throughput();
                Throughput k = keyed.get(i).throughput();
                md.append(String.format(Locale.ROOT,
                        "| %d | %.0f/s (%d, %d) | %.0f/s (%d, %d) | %.0f µs | %.0f µs |%n", i + 1, o.perSecond(),
                        o.rejected(), o.errors(), k.perSecond(), k.rejected(), k.errors(),
                        open.get(i).cpuMicrosPerCall(), keyed.get(i).cpuMicrosPerCall()));
            }
            md.append(String.format(Locale.ROOT,
                    "| median | %.0f/s | %.0f/s (%+.1f %%) | %.0f µs | %.0f µs (%+.1f %%) |%n", openMedian(),
                    keyedMedian(), -100 * cost(), openCpuMedian(), keyedCpuMedian(), 100 * cpuCost()));
        }

        private static double median(List<Double> values) {
            List<Double> sorted = values.stream().sorted(Comparator.naturalOrder()).toList();
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
            List<Round> openRounds = new ArrayList<>();
            List<Round> keyedRounds = new ArrayList<>();
            for (int round = 1; round <= ROUNDS; round++) {
                BenchCommand.progress("keyed mode: round " + round + " of " + ROUNDS);
                boolean openFirst = round % 2 == 1;
                if (openFirst) {
                    openRounds.add(round("open mode", open, openCallers, seconds * ROUND_SHARE));
                }
                keyedRounds.add(round("keyed mode", keyed, keyedCallers, seconds * ROUND_SHARE));
                if (!openFirst) {
                    openRounds.add(round("open mode", open, openCallers, seconds * ROUND_SHARE));
                }
            }
            return new Result(openRounds, keyedRounds);
        }
    }

    private static Round round(String label, ServerProcess server, LoadRunner.CallFactory callers, double seconds)
            throws IOException, InterruptedException {
        ProcessCpu before = ProcessCpu.of(server.pid());
        Throughput throughput = LoadRunner.forDuration(label, CONCURRENCY, seconds, callers);
        ProcessCpu after = ProcessCpu.of(server.pid());
        return new Round(throughput, after.microsPerCall(before, throughput.ok()));
    }
}
