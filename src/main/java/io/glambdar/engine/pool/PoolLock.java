package io.glambdar.engine.pool;

import java.util.concurrent.locks.ReentrantLock;

/** The one lock under which every container state and every admission decision changes. */
final class PoolLock extends ReentrantLock {

    /** Fails loudly when state is touched without the lock: a race would otherwise go unseen. */
    void check() {
        if (!isHeldByCurrentThread()) {
            throw new IllegalStateException("container state read or changed without the pool's lock");
        }
    }
}
