package io.glambdar.sandbox;

/**
 * Where sandboxes come from: Docker today; a faster OCI runtime, generic pre-started containers specialised on demand
 * or a Kubernetes backend tomorrow. The engine sees only this interface and {@link Sandbox}.
 */
public interface SandboxBackend extends AutoCloseable {

    /**
     * Starts creating a sandbox for {@code spec} and returns at once: creation and start continue in the background,
     * and {@link Sandbox#connect()} reports how they went. Throws {@link SandboxException} only when it cannot even
     * begin (shutting down, no room for its socket).
     */
    Sandbox launch(SandboxSpec spec);

    /** Destroys every sandbox still alive and waits (bounded) until they are removed. */
    @Override
    void close();
}
