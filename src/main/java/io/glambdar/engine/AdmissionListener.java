package io.glambdar.engine;

/**
 * Told when an invocation finds no capacity and has to wait for it, and asked, once it has a container after waiting,
 * whether it is still wanted: an asynchronous job shows as queued while it waits in the engine, and one cancelled
 * meanwhile never runs. Called on the invocation's thread, outside the engine's locks; it may block briefly (a
 * database write) and must not throw.
 */
public interface AdmissionListener {

    /** Nothing to tell: an invocation that waited always runs. */
    AdmissionListener NONE = new AdmissionListener() {
        @Override
        public void waiting() {
        }

        @Override
        public boolean admitted() {
            return true;
        }
    };

    /** No capacity right now: the invocation waits in the engine's queue (told at most once per invocation). */
    void waiting();

    /**
     * After {@link #waiting()}, the invocation now has a container. False: it is no longer wanted; the container goes
     * back unused and the invocation ends as {@link InvocationResult.Failure#GONE} without having run.
     */
    boolean admitted();
}
