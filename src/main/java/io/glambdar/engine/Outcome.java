package io.glambdar.engine;

import java.util.Locale;

/**
 * How an invocation ended, in the four words SPEC uses for records, live-log reports and the metrics' {@code outcome}
 * label: a small, fixed set, so it is safe as a label.
 */
public enum Outcome {
    /** The function returned a response, whatever its status code. */
    OK,
    /** It failed: threw, bad return, crashed, out of memory, or the runtime could not run it (503). */
    ERROR,
    /** It did not reply within its timeout (504). */
    TIMEOUT,
    /** No capacity in time (429). */
    THROTTLED;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** {@code ok}, {@code error}, {@code timeout} or {@code throttled}. */
    public String label() {
        return label;
    }
}
