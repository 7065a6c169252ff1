package io.glambdar.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.OptionalLong;

/**
 * How late the firings of an {@code @every} schedule were. Its due times are the multiples of its period since the
 * epoch; the i-th firing (in order of creation) is matched with the i-th due time from the first one, so a schedule
 * that fires every firing 1.3 s late, or drops one, shows as late rather than being matched with a nearer second.
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
     * @param missing   due times with no firing
     */
    record Result(long firstDue, int expected, Latencies created, Latencies started, int missing) {
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
     * Matches the first firings with the due times {@code firstDue}, {@code firstDue + period}, … up to
     * {@code lastDue}; firings beyond are not counted (they were due after the observation ended).
     */
    static Result of(List<Firing> firings, long firstDue, long lastDue, long period) {
        int expected = lastDue < firstDue ? 0 : (int) ((lastDue - firstDue) / period) + 1;
        List<Firing> sorted = firings.stream().sorted(Comparator.comparingLong(Firing::createdAtMillis)).toList();
        int matched = Math.min(expected, sorted.size());
        List<Double> created = new ArrayList<>();
        List<Double> started = new ArrayList<>();
        for (int i = 0; i < matched; i++) {
            long due = firstDue + i * period;
            Firing firing = sorted.get(i);
            created.add((double) (firing.createdAtMillis() - due));
            if (firing.functionStartMillis() != null) {
                started.add((double) (firing.functionStartMillis() - due));
            }
        }
        return new Result(firstDue, expected, Latencies.of("job created", created),
                Latencies.of("function started", started), expected - matched);
    }
}
