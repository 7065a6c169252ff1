package io.glambdar.schedule;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.Objects;
import java.util.Set;

/**
 * A schedule's {@code timezone}: exactly the names of the IANA time-zone database. Java's table holds all of them but
 * {@code EST}, {@code MST} and {@code HST}, which it leaves to {@link ZoneId#SHORT_IDS} (an old alias table); those
 * three are read through it, which maps them as the IANA database does. The other aliases there ({@code PST},
 * {@code IST}, …) are not IANA names and are refused, and so are offsets such as {@code +05:00} or {@code UTC+5}.
 */
public final class ScheduleZone {

    /** IANA names Java's own table leaves out. */
    private static final Set<String> ONLY_IN_SHORT_IDS = Set.of("EST", "MST", "HST");
    /** Java's table as the server started with it (a copy is made at each call of getAvailableZoneIds). */
    private static final Set<String> JAVA_ZONES = Set.copyOf(ZoneId.getAvailableZoneIds());

    private ScheduleZone() {
    }

    /** Whether {@code name} is an IANA time-zone name (case matters, as in the database). */
    public static boolean isKnown(String name) {
        return name != null && (JAVA_ZONES.contains(name) || ONLY_IN_SHORT_IDS.contains(name));
    }

    /** @throws DateTimeException when {@code name} is not an IANA time-zone name */
    public static ZoneId of(String name) {
        Objects.requireNonNull(name, "name");
        if (!isKnown(name)) {
            throw new DateTimeException("unknown time zone '" + name + "'");
        }
        return ZoneId.of(name, ZoneId.SHORT_IDS);
    }
}
