package io.glambdar.function;

import java.util.Objects;

/**
 * One entry of {@code "schedules"} in a function's {@code glambdar.json}: fire an asynchronous invocation when
 * {@code cron} says, in {@code timezone}.
 *
 * @param cron     as written: a 5-field cron expression, {@code @hourly}, {@code @daily}, {@code @weekly},
 *                 {@code @monthly} or {@code @every <n>s|m|h} (checked when deployed)
 * @param timezone an IANA time-zone id, {@code "UTC"} by default
 * @param body     the request body sent: the JSON text of the entry's {@code "body"}, {@code "{}"} by default
 */
public record ScheduleSettings(String cron, String timezone, String body) {

    public static final String DEFAULT_TIMEZONE = "UTC";
    public static final String DEFAULT_BODY = "{}";

    public ScheduleSettings {
        Objects.requireNonNull(cron, "cron");
        Objects.requireNonNull(timezone, "timezone");
        Objects.requireNonNull(body, "body");
    }
}
