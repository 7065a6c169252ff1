package io.glambdar.engine.pool;

/**
 * What the pool gave a waiting invocation: a warm container now busy for it, or a start it is to wait for.
 *
 * @param warm true when the container was already started (IDLE) when it was given
 */
record Grant(FunctionContainer container, boolean warm) {
}
