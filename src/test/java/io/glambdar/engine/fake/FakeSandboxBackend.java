package io.glambdar.engine.fake;

import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxBackend;
import io.glambdar.sandbox.SandboxException;
import io.glambdar.sandbox.SandboxSpec;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Hands every launched sandbox to the test, which then plays Docker's and the worker's part. */
public final class FakeSandboxBackend implements SandboxBackend {

    private final BlockingQueue<FakeSandbox> launches = new LinkedBlockingQueue<>();
    private final List<FakeSandbox> all = new CopyOnWriteArrayList<>();
    private volatile boolean removeAtOnce = true;
    private volatile String refusal;

    /** From now on, removals finish only when the test says so ({@link FakeSandbox#finishRemoval()}). */
    public FakeSandboxBackend holdRemovals() {
        removeAtOnce = false;
        return this;
    }

    /** From now on, launch itself throws (no room for a socket, shutting down). */
    public void refuseLaunches(String why) {
        refusal = why;
    }

    @Override
    public Sandbox launch(SandboxSpec spec) {
        if (refusal != null) {
            throw new SandboxException(refusal);
        }
        FakeSandbox sandbox = new FakeSandbox(spec, removeAtOnce);
        all.add(sandbox);
        launches.add(sandbox);
        return sandbox;
    }

    /** The next sandbox the engine launches (waits for it). */
    public FakeSandbox nextLaunch() {
        try {
            FakeSandbox sandbox = launches.poll(20, TimeUnit.SECONDS);
            if (sandbox == null) {
                throw new AssertionError("the engine launched no sandbox");
            }
            return sandbox;
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** Launches the test has not taken yet. */
    public int untakenLaunches() {
        return launches.size();
    }

    public List<FakeSandbox> all() {
        return all;
    }

    @Override
    public void close() {
        all.forEach(FakeSandbox::destroy);
    }
}
