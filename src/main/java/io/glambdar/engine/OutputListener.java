package io.glambdar.engine;

/**
 * Told of each line an invocation's function prints, while it runs: the engine's way to hand output to the layers
 * above without knowing them. Called on the invocation's thread, so it must be quick and never block.
 */
@FunctionalInterface
public interface OutputListener {

    OutputListener NONE = (stream, line) -> {
    };

    /** Where a line was printed. */
    enum Stream {
        STDOUT, STDERR;

        /** {@code stdout} or {@code stderr}. */
        public String label() {
            return this == STDOUT ? "stdout" : "stderr";
        }
    }

    /** @param line without its line break */
    void line(Stream stream, String line);
}
