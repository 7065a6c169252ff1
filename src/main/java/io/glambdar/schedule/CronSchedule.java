package io.glambdar.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schedule's {@code cron} as written in {@code glambdar.json}: a 5-field (Unix) cron expression parsed by
 * cron-utils, one of the macros {@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, or
 * {@code @every <n>s|m|h}. Six-field and Quartz expressions are refused, and so are expressions that never fire
 * (such as the 30th of February).
 *
 * <p>{@link #nextAfter} gives the firings. A cron expression fires at local times of a zone; across daylight-saving
 * changes a local time that does not exist that day does not fire that day, and one that occurs twice fires once, at
 * its first occurrence. {@code @every n} fires at the multiples of n since the Unix epoch, whatever the zone (so
 * {@code @every 1s} fires on whole seconds and {@code @every 1h} on the hour, UTC).
 */
public final class CronSchedule {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *");
    private static final Pattern EVERY = Pattern.compile("@every\\s+(\\d+)([smh])");
    /**
     * The longest {@code @every} period, {@value #MAX_EVERY_HOURS} h (about 114,000 years): no use in itself, but it
     * keeps every firing a representable instant.
     */
    static final long MAX_EVERY_HOURS = 999_999_999;
    private static final BigInteger MAX_EVERY_SECONDS = BigInteger.valueOf(MAX_EVERY_HOURS * 3600);
    /** The fields of a cron expression, and the largest step each can take ({@code *}{@code /59} in the minutes). */
    private static final String[] FIELDS = {"minute", "hour", "day-of-month", "month", "day-of-week"};
    private static final int[] MAX_STEP = {59, 23, 31, 12, 7};
    private static final Pattern STEP = Pattern.compile("/(\\d+)$");

    /** Where {@link #parse} looks for a first firing, to refuse expressions that never fire. */
    private static final Instant PROBE_FROM = Instant.parse("2000-01-01T00:00:00Z");
    /**
     * Candidates {@link #nextAfter} may pass over before giving up: each is a local time the zone skips or repeats, and
     * it jumps over a whole transition at a time, so a handful suffice; this only bounds a broken time-zone table.
     */
    private static final int MAX_CANDIDATES = 1_000;

    private final String text;
    /**
     * When the expression fires, read on local (wall-clock) times: run on a fixed-offset zone, cron-utils never sees
     * a daylight-saving change, and {@link #nextAfter} applies the rules for skipped and repeated times itself.
     * Null for {@code @every}.
     */
    private final ExecutionTime localTimes;
    /** The period of {@code @every}, in whole seconds; 0 for a cron expression. */
    private final long everySeconds;

    private CronSchedule(String text, Cron cron, Duration every) {
        this.text = text;
        this.localTimes = cron == null ? null : ExecutionTime.forCron(cron);
        this.everySeconds = every == null ? 0 : every.toSeconds();
    }

    /**
     * @throws IllegalArgumentException with a message for the user when {@code text} is not one of the forms allowed
     */
    public static CronSchedule parse(String text) {
        Objects.requireNonNull(text, "text");
        String trimmed = text.strip();
        if (trimmed.startsWith("@")) {
            String lower = trimmed.toLowerCase(Locale.ROOT);
            if (MACROS.containsKey(lower)) {
                return new CronSchedule(trimmed, UNIX.parse(MACROS.get(lower)).validate(), null);
            }
            Matcher every = EVERY.matcher(lower);
            if (every.matches()) {
                BigInteger n = new BigInteger(every.group(1));
                if (n.signum() == 0) {
                    throw new IllegalArgumentException("@every needs a period of at least 1s, e.g. \"@every 30s\"");
                }
                BigInteger seconds = n.multiply(BigInteger.valueOf(switch (every.group(2)) {
                    case "s" -> 1;
                    case "m" -> 60;
                    default -> 3600;
                }));
                if (seconds.compareTo(MAX_EVERY_SECONDS) > 0) {
                    throw new IllegalArgumentException("the period of @every is too large; the largest allowed is "
                            + MAX_EVERY_HOURS + "h (" + MAX_EVERY_SECONDS.divide(BigInteger.valueOf(60)) + "m, "
                            + MAX_EVERY_SECONDS + "s)");
                }
                return new CronSchedule(trimmed, null, Duration.ofSeconds(seconds.longValueExact()));
            }
            throw new IllegalArgumentException("unknown macro; use @hourly, @daily, @weekly, @monthly or"
                    + " @every <n>s|m|h (e.g. \"@every 5m\")");
        }
        String[] fields = trimmed.split("\\s+");
        if (fields.length != 5) {
            throw new IllegalArgumentException("a cron expression has 5 fields (minute hour day-of-month month"
                    + " day-of-week, e.g. \"0 3 * * *\"), this one has " + fields.length
                    + (fields.length == 6 || fields.length == 7 ? "; six-field (seconds) and Quartz expressions are"
                    + " not supported" : ""));
        }
        checkSteps(fields);
        CronSchedule schedule;
        try {
            schedule = new CronSchedule(trimmed, UNIX.parse(trimmed).validate(), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? "invalid cron expression" : e.getMessage(), e);
        }
        // In UTC no local time is skipped: an expression with no firing there (30 2 30 2 *) has none anywhere.
        if (schedule.nextAfter(PROBE_FROM, ZoneOffset.UTC).isEmpty()) {
            throw new IllegalArgumentException("it never fires (no such day of the month)");
        }
        return schedule;
    }

    /**
     * Refuses a step ({@code /n}) of 0 or past its field's range with a message that says so: cron-utils's own, such as
     * "Period 0 not in range [0, 59]", names a range that 0 seems to be in.
     */
    private static void checkSteps(String[] fields) {
        for (int i = 0; i < fields.length; i++) {
            for (String part : fields[i].split(",")) {
                Matcher step = STEP.matcher(part);
                if (!step.find()) {
                    continue;
                }
                BigInteger n = new BigInteger(step.group(1));
                if (n.signum() == 0) {
                    throw new IllegalArgumentException("a step must be at least 1, got \"" + part + "\" in the "
                            + FIELDS[i] + " field");
                }
                if (n.compareTo(BigInteger.valueOf(MAX_STEP[i])) > 0) {
                    throw new IllegalArgumentException("a step in the " + FIELDS[i] + " field must be from 1 to "
                            + MAX_STEP[i] + ", got \"" + part + "\"");
                }
            }
        }
    }

    /**
     * The first firing strictly after {@code after}.
     *
     * @param zone where the local times of a cron expression are read; {@code @every} ignores it
     * @return empty when it never fires again
     */
    public Optional<Instant> nextAfter(Instant after, ZoneId zone) {
        Objects.requireNonNull(after, "after");
        Objects.requireNonNull(zone, "zone");
        if (localTimes == null) {
            long next = (Math.floorDiv(after.getEpochSecond(), everySeconds) + 1) * everySeconds;
            return Optional.of(Instant.ofEpochSecond(next));
        }
        ZoneRules rules = zone.getRules();
        // Firings are whole minutes: the seconds of after never decide anything.
        LocalDateTime cursor = LocalDateTime.ofInstant(after, zone).truncatedTo(ChronoUnit.SECONDS);
        for (int i = 0; i < MAX_CANDIDATES; i++) {
            Optional<ZonedDateTime> next = localTimes.nextExecution(cursor.atZone(ZoneOffset.UTC));
            if (next.isEmpty()) {
                return Optional.empty();
            }
            LocalDateTime local = next.get().toLocalDateTime();
            ZoneOffsetTransition transition = rules.getTransition(local);
            if (transition != null && transition.isGap()) {
                // Does not exist today: on to the first local time after the gap.
                cursor = transition.getDateTimeAfter().minusSeconds(1);
                continue;
            }
            // In an overlap, the earlier offset: the first occurrence.
            Instant at = ZonedDateTime.ofLocal(local, zone, null).toInstant();
            if (at.isAfter(after)) {
                return Optional.of(at);
            }
            // Only a repeated local time whose first occurrence has passed gets here (after lies in the repeat):
            // it fired then, so on to the end of the repeated hour.
            cursor = transition != null ? transition.getDateTimeBefore().minusSeconds(1) : local;
        }
        return Optional.empty();
    }

    /** The expression as written. */
    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
