package io.glambdar.engine;

import java.io.IOException;

/** Where invocations get their workers: started on demand, or taken from a pool. */
interface WorkerSource {

    /**
     * A worker for {@code fn} (ready, or reporting why its function could not load). Blocks at most until the
     * attempt expires.
     *
     * @throws OverloadedException when there is no capacity to run the function now
     */
    Worker acquire(DeployedFunction fn, Attempt attempt) throws IOException;

    /** Takes a worker back after one invocation; {@code healthy} means it replied normally and may serve again. */
    void release(Worker worker, boolean healthy);
}
