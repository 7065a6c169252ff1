package io.glambdar.ipc;

/** Which of the function's output streams a piece of output came from, by its name in log frames. */
public enum LogStream {
    STDOUT("stdout"),
    STDERR("stderr");

    private final String label;

    LogStream(String label) {
        this.label = label;
    }

    /** {@code stdout} or {@code stderr}, as in log frames and in the live log's lines. */
    public String label() {
        return label;
    }

    /** The stream of that name, or null for any other name. */
    static LogStream named(String name) {
        for (LogStream stream : values()) {
            if (stream.label.equals(name)) {
                return stream;
            }
        }
        return null;
    }
}
