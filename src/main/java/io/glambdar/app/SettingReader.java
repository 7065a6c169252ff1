package io.glambdar.app;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the settings of {@code glambdar serve}: each from its flag when the user gave it, else from its environment
 * variable (the flag's name in capitals after {@code GLAMBDAR_}), else its default. A bad value is refused with one
 * line that names what the user set (the flag or the variable), the value, and what is allowed.
 */
final class SettingReader {

    /** A value refused: its message is the whole explanation, for one line of the log. */
    static final class BadSetting extends IllegalArgumentException {
        BadSetting(String message) {
            super(message);
        }
    }

    /** What the user set for one setting: where ({@code --port} or {@code GLAMBDAR_PORT}) and the value. */
    private record Given(String name, String value) {
        BadSetting refused(String allowed) {
            return new BadSetting(name + " is '" + value + "': " + allowed);
        }
    }

    private static final String PREFIX = "GLAMBDAR_";

    private final Map<String, String> env;

    SettingReader(Map<String, String> env) {
        this.env = env;
    }

    /** The text set, or {@code fallback} when neither the flag nor the variable is set (a blank variable is unset). */
    String text(String variable, String flagValue, String fallback) {
        Given given = given(variable, flagValue);
        return given == null ? fallback : given.value();
    }

    /** A whole number from {@code min} to {@code max}. */
    long whole(String variable, String flagValue, long fallback, long min, long max) {
        Given given = given(variable, flagValue);
        if (given == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(given.value().strip());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw given.refused("it must be a whole number from " + min + " to " + max);
    }

    /** {@link #whole} as an int. */
    int wholeInt(String variable, String flagValue, int fallback, int min, int max) {
        return (int) whole(variable, flagValue, fallback, min, max);
    }

    /** A number (fractions allowed) greater than 0 and at most {@code max}. */
    double positive(String variable, String flagValue, double fallback, double max) {
        Given given = given(variable, flagValue);
        if (given == null) {
            return fallback;
        }
        try {
            double value = Double.parseDouble(given.value().strip());
            if (value > 0 && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw given.refused("it must be a number greater than 0 and at most "
                + BigDecimal.valueOf(max).stripTrailingZeros().toPlainString() + " (fractions allowed)");
    }

    /**
     * {@code true} or {@code false}. The flag's value is picocli's (it has refused any other value by then), so only
     * the variable is read here.
     */
    boolean bool(String variable, Boolean flagValue, boolean fallback) {
        if (flagValue != null) {
            return flagValue;
        }
        Given given = given(variable, null);
        if (given == null) {
            return fallback;
        }
        return switch (given.value().strip().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw given.refused("it must be true or false");
        };
    }

    /** One of {@code allowed} (in any case), as written there. */
    String choice(String variable, String flagValue, String fallback, List<String> allowed) {
        Given given = given(variable, flagValue);
        if (given == null) {
            return fallback;
        }
        for (String each : allowed) {
            if (each.equalsIgnoreCase(given.value().strip())) {
                return each;
            }
        }
        throw given.refused("it must be one of " + String.join(", ", allowed));
    }

    /** Text matching {@code pattern} whole; {@code allowed} says what that is. */
    String matching(String variable, String flagValue, String fallback, Pattern pattern, String allowed) {
        Given given = given(variable, flagValue);
        if (given == null) {
            return fallback;
        }
        if (!pattern.matcher(given.value()).matches()) {
            throw given.refused(allowed);
        }
        return given.value();
    }

    /** A directory, or a path where one can be made: its nearest existing ancestor is a directory. */
    Path directory(String variable, String flagValue, Path fallback) {
        Given given = given(variable, flagValue);
        if (given == null) {
            return fallback;
        }
        try {
            Path path = Path.of(given.value()).toAbsolutePath();
            while (path != null && !Files.exists(path)) {
                path = path.getParent();
            }
            if (path != null && Files.isDirectory(path)) {
                return Path.of(given.value());
            }
        } catch (InvalidPathException e) {
            // refused below
        }
        throw given.refused("it must be a directory, or a path where one can be made");
    }

    /** The variable's value when it is set and not blank, else null. */
    String variable(String variable) {
        Given given = given(variable, null);
        return given == null ? null : given.value();
    }

    /**
     * The flag's value if given, else the variable's if set and not blank; null when neither. The flag is named after
     * the variable: {@code GLAMBDAR_POOL_MAX} is {@code --pool-max}.
     */
    private Given given(String variable, String flagValue) {
        if (flagValue != null) {
            return new Given("--" + variable.substring(PREFIX.length()).toLowerCase(Locale.ROOT).replace('_', '-'),
                    flagValue);
        }
        String value = env.get(variable);
        return value == null || value.isBlank() ? null : new Given(variable, value);
    }
}
