package io.glambdar.http;

import io.glambdar.engine.FakeInvoker;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.it.ApiClient;
import io.glambdar.metrics.Metrics;
import io.glambdar.store.TestStore;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.schedules.SqliteScheduleStateRepository;
import io.glambdar.store.settings.SettingsLimits;
import io.glambdar.usecase.DeleteFunction;
import io.glambdar.usecase.DeployFunction;
import io.glambdar.usecase.FunctionQueries;
import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.InvokeFunction;
import io.glambdar.usecase.InvokeKeys;
import io.glambdar.usecase.RollbackFunction;
import io.glambdar.usecase.async.AcceptInvocation;
import io.glambdar.usecase.async.AsyncInvocations;
import io.glambdar.usecase.logs.LogHub;
import io.glambdar.usecase.schedule.ScheduleQueries;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A real {@link ApiServer} on a free loopback port, its use cases on a real store in {@code dir} and a
 * {@link FakeInvoker} for an engine, with live logs wired as the server wires them, and a client for it. Closing it
 * stops them all.
 */
final class TestApiServer implements AutoCloseable {

    final FakeInvoker invoker = new FakeInvoker();
    final TestStore store;
    /** The live logs: the invocations publish to it, a delete ends its streams. */
    final LogHub hub;
    final ApiServer server;
    final ApiClient api;
    /** Null when metrics are off. */
    final Metrics metrics;

    TestApiServer(Path dir, AccessMode mode) {
        this(dir, mode, store -> null);
    }

    /** @param metrics makes the metrics on the store, as the server wires them; null: metrics off */
    TestApiServer(Path dir, AccessMode mode, Function<TestStore, Metrics> metrics) {
        this(dir, mode, SettingsLimits.defaults(), 1024 * 1024, 64 * 1024, ApiServer.Settings.DEFAULT_IDLE_TIMEOUT,
                metrics);
    }

    /** @param idleTimeout how long a connection may be idle before the server closes it */
    TestApiServer(Path dir, AccessMode mode, Duration idleTimeout) {
        this(dir, mode, SettingsLimits.defaults(), 1024 * 1024, 64 * 1024, idleTimeout, store -> null);
    }

    /**
     * @param maxUploadBytes largest zip {@code /deploy} accepts
     * @param maxBodyBytes   largest request body {@code /invoke} accepts
     */
    TestApiServer(Path dir, AccessMode mode, SettingsLimits settingsLimits, long maxUploadBytes, long maxBodyBytes) {
        this(dir, mode, settingsLimits, maxUploadBytes, maxBodyBytes, ApiServer.Settings.DEFAULT_IDLE_TIMEOUT,
                store -> null);
    }

    private TestApiServer(Path dir, AccessMode mode, SettingsLimits settingsLimits, long maxUploadBytes,
                          long maxBodyBytes, Duration idleTimeout, Function<TestStore, Metrics> metrics) {
        store = new TestStore(dir, settingsLimits, ArchiveLimits.DEFAULTS);
        this.metrics = metrics.apply(store);
        hub = new LogHub(store.clock);
        InvokeKeys keys = new InvokeKeys(store.catalog, store.keyIndex, store.clock, new SecureRandom());
        ApiServer.UseCases useCases = new ApiServer.UseCases(
                new DeployFunction(store.catalog, invoker, Duration.ofSeconds(30)),
                new InvokeFunction(store.catalog, invoker, store.clock, this.metrics == null ? hub
                        : InvocationListener.all(List.of(this.metrics.invocationListener(), hub))),
                new DeleteFunction(store.catalog, invoker, keys, store.jobs, store.clock, Duration.ofSeconds(30),
                        hub::deleted),
                new RollbackFunction(store.catalog, invoker, Duration.ofSeconds(1)), new FunctionQueries(store.catalog, invoker, store.jobs),
                keys,
                new AcceptInvocation(store.catalog, store.jobs, () -> { }, store.clock),
                new AsyncInvocations(store.catalog, store.jobs, () -> { }, store.clock),
                new ScheduleQueries(store.catalog, new SqliteScheduleStateRepository(store.database), store.jobs,
                        store.clock), hub);
        Path uploads;
        try {
            uploads = Files.createDirectories(dir.resolve("uploads"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server = new ApiServer(useCases, new ApiServer.Settings("127.0.0.1", 0, maxUploadBytes, maxBodyBytes, uploads,
                Duration.ofSeconds(5), mode, idleTimeout), () -> Map.of("containers", 0, "memoryReservedMb", 0,
                "maxMemoryMb", 1024, "waiting", 0, "running", 0),
                this.metrics == null ? MetricsHandler.off() : MetricsHandler.of(this.metrics));
        api = new ApiClient("http://127.0.0.1:" + server.port());
    }

    @Override
    public void close() {
        hub.close(); // as the server does: its streams end first, else the server's stop would wait for them
        api.close(); // first: with client connections still open the server's graceful stop takes longer
        server.close();
        store.close();
        if (metrics != null) {
            metrics.close();
        }
    }
}
