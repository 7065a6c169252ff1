package io.glambdar.engine;

import java.io.IOException;

/** No pool: every invocation starts its own container, which is removed once it replied. */
final class ColdStarts implements WorkerSource {

    private final WorkerStarter starter;

    ColdStarts(WorkerStarter starter) {
        this.starter = starter;
    }

    @Override
    public Worker acquire(DeployedFunction fn, Attempt attempt) throws IOException {
        return starter.start(fn, attempt);
    }

    @Override
    public void release(Worker worker, boolean healthy) {
        worker.destroy();
    }
}
