package io.glambdar.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A schedule's {@code cron} as written in {@code glambdar.json}: a 5-field (Unix) cron expression parsed by
 * cron-utils, one of the macros {@code @hourly}, {@code @daily}, {@code @weekly}, {@code @monthly}, or
 * {@code @every <n>s|m|h}. Six-field and Quartz expressions are refused.
 */
public final class CronSchedule {

    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private static final Map<String, String> MACROS = Map.of(
            "@hourly", "0 * * * *",
            "@daily", "0 0 * * *",
            "@weekly", "0 0 * * 0",
            "@monthly", "0 0 1 * *");
    private static final Pattern EVERY = Pattern.compile("@every\\s+(\\d{1,9})([smh])");

    private final String text;
    /** The parsed expression; null for {@code @every}. */
    private final Cron cron;
    /** The period of {@code @every}; null for a cron expression. */
    private final Duration every;

    private CronSchedule(String text, Cron cron, Duration every) {
        this.text = text;
        this.cron = cron;
        this.every = every;
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
                long n = Long.parseLong(every.group(1));
                if (n < 1) {
                    throw new IllegalArgumentException("@every needs a period of at least 1s, e.g. \"@every 30s\"");
                }
                Duration period = switch (every.group(2)) {
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    default -> Duration.ofHours(n);
                };
                return new CronSchedule(trimmed, null, period);
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
        try {
            return new CronSchedule(trimmed, UNIX.parse(trimmed).validate(), null);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage() == null ? "invalid cron expression" : e.getMessage(), e);
        }
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
