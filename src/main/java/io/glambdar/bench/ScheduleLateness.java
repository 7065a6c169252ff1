package io.glambdar.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * How late the firings of an {@code @every} schedule were. Its due times are the multiples of its period since the
 * epoch, from the first after the deploy. Each firing is matched with the latest due time at or before it: a due
 * time with no firing within its period (none at all, or only one more than a period late) is missing, and a firing
 * before the first due time, or a second one within a period, is extra. Every firing is within one period of its
 * time exactly when none is missing or extra.
 */
final class ScheduleLateness {

    /** One firing: when its job was created, and when the function started (null if it never ran). */
    record Firing(long createdAtMillis, Long functionStartMillis) {
    }

    /**
     * The firings matched with their due times.
     *
     * @param expected  due times from the first to the last observed one
     * @param created   each matched firing's job creation minus its due time, ms
     * @param started   each matched firing's function start minus its due time, ms (those that ran)
     * @param missing   the due times with no firing within their period, as indexes from 0 (the first due time)
     * @param extra     firings before the first due time, or after another within the same period
     */
    record Result(long firstDue, int expected, Latencies created, Latencies started, List<Integer> missing,
                  int extra) {

        int matched() {
            return expected - missing.size();
        }
    }

    private ScheduleLateness() {
    }

    /**
     * The first due time of a schedule that a deploy running from {@code deployStart} to {@code deployEnd} (epoch
     * ms) registered: the first multiple of {@code period} after the deploy started, if the deploy ended before it;
     * empty when the deploy spanned a multiple, and either that one or the next may be the first.
     */
    static OptionalLong firstDue(long deployStart, long deployEnd, long period) {
        long first = Math.floorDiv(deployStart, period) * period + period;
        return deployEnd < first ? OptionalLong.of(first) : OptionalLong.empty();
    }

    /** When {@link #firstDue} cannot tell: the multiple of {@code period} at or before the first firing. */
    static long firstDueFromFiring(long firstCreatedAt, long period) {
        return Math.floorDiv(firstCreatedAt, period) * period;
    }

    /**
     * Matches the firings with the due times {@code firstDue}, {@code firstDue + period}, … up to {@code lastDue};
     * firings after the last one's period are not counted (the observation ended there).
     */
    static Result of(List<Firing> firings, long firstDue, long lastDue, long period) {
        int expected = lastDue < firstDue ? 0 : (int) ((lastDue - firstDue) / period) + 1;
        List<Firing> sorted = firings.stream().sorted(Comparator.comparingLong(Firing::createdAtMillis)).toList();
        List<Double> created = new ArrayList<>();
        List<Double> started = new ArrayList<>();
        boolean[] fired = new boolean[expected];
        int extra = 0;
        for (Firing firing : sorted) {
            long slot = Math.floorDiv(firing.createdAtMillis() - firstDue, period);
            if (slot >= expected) {
                break;
            }
            if (slot < 0 || fired[(int) slot]) {
                extra++;
                continue;
            }
            fired[(int) slot] = true;
            long due = firstDue + slot * period;
            created.add((double) (firing.createdAtMillis() - due));
            if (firing.functionStartMillis() != null) {
                started.add((double) (firing.functionStartMillis() - due));
            }
        }
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < expected; i++) {
            if (!fired[i]) {
                missing.add(i);
            }
        }
        return new Result(firstDue, expected, Latencies.of("job created", created),
                Latencies.of("function started", started), List.copyOf(missing), extra);
    }
}
