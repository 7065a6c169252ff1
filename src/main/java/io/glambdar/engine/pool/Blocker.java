package io.glambdar.engine.pool;

/** Why a queued invocation could not be admitted yet; the 429 it may end with says which. */
enum Blocker {
    /** Every MB of the memory budget is reserved by live containers. */
    MEMORY,
    /** Its function runs as many invocations as its {@code concurrency} allows. */
    CONCURRENCY,
    /** A reuse-mode function at its per-function container limit, none of them free. */
    CONTAINERS,
    /** Other invocations were queued first. */
    QUEUE
}
