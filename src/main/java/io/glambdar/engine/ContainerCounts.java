package io.glambdar.engine;

/**
 * A function's containers right now, by state (all its deployments together).
 *
 * @param starting being created, or loading the function
 * @param warm     started and waiting for an invocation
 * @param busy     serving an invocation
 * @param removing on their way out (their memory is not free yet)
 */
public record ContainerCounts(int starting, int warm, int busy, int removing) {

    public static final ContainerCounts NONE = new ContainerCounts(0, 0, 0, 0);
}
