package io.glambdar.app;

import io.glambdar.engine.EngineSettings;
import io.glambdar.engine.InvocationEngine;
import io.glambdar.http.ApiServer;
import io.glambdar.http.MetricsHandler;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.ipc.ReplyLimits;
import io.glambdar.ipc.WorkerSocket;
import io.glambdar.metrics.EngineState;
import io.glambdar.metrics.Metrics;
import io.glambdar.sandbox.docker.DockerConnection;
import io.glambdar.sandbox.docker.image.ImageProvisioner;
import io.glambdar.sandbox.docker.DockerSandboxBackend;
import io.glambdar.sandbox.docker.DockerSandboxConfig;
import io.glambdar.store.FunctionCatalog;
import io.glambdar.store.StoredFunction;
import io.glambdar.store.archive.ArchiveLimits;
import io.glambdar.store.code.CodeReader;
import io.glambdar.store.code.DeploymentFolders;
import io.glambdar.function.FunctionSettings;
import io.glambdar.store.invocations.InvocationLogWriter;
import io.glambdar.store.invocations.SqliteInvocationLogRepository;
import io.glambdar.store.jobs.JobRepository;
import io.glambdar.store.jobs.SqliteJobRepository;
import io.glambdar.store.keys.KeyIndex;
import io.glambdar.store.keys.SqliteKeyRepository;
import io.glambdar.store.metadata.FunctionRepository;
import io.glambdar.store.metadata.SqliteFunctionRepository;
import io.glambdar.store.schedules.ScheduleStateRepository;
import io.glambdar.store.schedules.SqliteScheduleStateRepository;
import io.glambdar.store.settings.SettingsLimits;
import io.glambdar.store.settings.SettingsParser;
import io.glambdar.store.sqlite.SqliteDatabase;
import io.glambdar.store.stats.StatisticsWriter;
import io.glambdar.usecase.DeleteFunction;
import io.glambdar.usecase.DeployFunction;
import io.glambdar.usecase.FunctionQueries;
import io.glambdar.usecase.InvocationListener;
import io.glambdar.usecase.InvokeFunction;
import io.glambdar.usecase.RollbackFunction;
import io.glambdar.usecase.InvokeKeys;
import io.glambdar.usecase.async.AcceptInvocation;
import io.glambdar.usecase.async.AsyncInvocations;
import io.glambdar.usecase.async.AttemptListener;
import io.glambdar.usecase.async.CallbackSender;
import io.glambdar.usecase.async.JobDispatcher;
import io.glambdar.usecase.logs.LogHub;
import io.glambdar.usecase.schedule.FireSchedules;
import io.glambdar.usecase.schedule.ScheduleQueries;
import io.glambdar.usecase.schedule.Scheduler;
import io.glambdar.util.FileTrees;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One running Glambdar: wires the layers together (Docker, image, sandboxes, engine, store, use cases, HTTP) and
 * takes them down in the order that loses nothing (see {@link #close()}), leaving no container or socket behind.
 */
public final class GlambdarServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GlambdarServer.class);
    /** What Docker keeps of one container's output: enough to explain a crash, never enough to fill a disk. */
    private static final long CONTAINER_LOG_MAX_BYTES = 4L * 1024 * 1024;

    /**
     * How often invocation statistics, and the recent invocations with what they printed, are written to the
     * repository (and once more at shutdown).
     */
    private static final Duration STATISTICS_INTERVAL = Duration.ofSeconds(1);
    /** How often the last-use times of invoke keys are written (and once more at shutdown). */
    private static final Duration KEY_USE_INTERVAL = Duration.ofSeconds(5);
    /** Beyond a deleted function's own timeout, how long its code waits for the engine to retire it. */
    private static final Duration RETIRE_GRACE = Duration.ofSeconds(30);
    /** How long a claimed asynchronous job is held before another worker may take it; renewed while it runs. */
    private static final Duration JOB_LEASE = Duration.ofSeconds(30);
    /** How often an idle dispatcher looks for jobs come due (a retry's time); new jobs wake it at once. */
    private static final Duration JOB_IDLE_POLL = Duration.ofMillis(250);
    /** How often dead workers' jobs are recovered and jobs past their age expired. */
    private static final Duration JOB_MAINTENANCE = Duration.ofSeconds(1);
    /** This node's name in job leases; one node until the multi-node work names them. */
    private static final String NODE = "local";
    /**
     * How much longer than the shutdown grace the HTTP server waits for the answers of requests in progress: those
     * of the invocations the engine ended at the grace's end (503) are written in this time.
     */
    static final Duration ANSWER_WAIT = Duration.ofSeconds(5);
    /** Once the engine has closed, its last invocations return at once; this only bounds one that is stuck. */
    private static final Duration RETURN_WAIT = Duration.ofSeconds(10);

    private final ServerConfig config;
    private final AtomicBoolean closed = new AtomicBoolean();
    // The layers that need stopping; null until started.
    private DockerConnection docker;
    private DockerSandboxBackend sandboxes;
    private InvocationEngine engine;
    private SqliteDatabase database;
    private StatisticsWriter statistics;
    private InvocationLogWriter invocationLogs;
    private KeyIndex keyIndex;
    private InvokeFunction invokeFunction;
    private JobDispatcher jobDispatcher;
    private CallbackSender callbacks;
    private Scheduler scheduler;
    private LogHub logHub;
    private ApiServer api;
    private Metrics metrics;
    private String image;

    private GlambdarServer(ServerConfig config) {
        this.config = config;
    }

    /** Starts everything or nothing: a failure part-way closes what was started and rethrows. */
    public static GlambdarServer start(ServerConfig config) {
        GlambdarServer server = new GlambdarServer(config);
        try {
            server.startLayers();
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    private void startLayers() {
        // First, before anything is started: a server that must not listen as configured says so at once.
        AuthSettings.Checked auth = config.auth().check(config.host(), config.port());
        auth.warnings().forEach(log::warn);
        Path dir = config.baseDir().toAbsolutePath().normalize();
        prepareBaseDir(dir);
        Clock clock = Clock.systemUTC();

        // Sandboxes and engine
        docker = DockerConnection.open(config.dockerHost());
        ImageProvisioner images = new ImageProvisioner(docker, config.pullTimeout());
        // Only the default image falls back to a stand-in: one the user named is that image, or no start.
        image = config.image().equals(ServerConfig.DEFAULT_IMAGE) ? images.ensure(config.image())
                : images.require(config.image());
        sandboxes = new DockerSandboxBackend(docker.client(), new DockerSandboxConfig(image, config.network(),
                config.containerUid(), config.pidsLimit(), dir.resolve("sockets"),
                dir.resolve("runtime"), dir.toString(), ReplyLimits.withMaxBodyBytes(config.maxResponseBytes()),
                CONTAINER_LOG_MAX_BYTES));
        int leftovers = sandboxes.removeLeftovers();
        if (leftovers > 0) {
            log.info("Removed {} containers left by an earlier run", leftovers);
        }
        long maxMemoryMb = config.engine().maxMemoryMb() > 0 ? config.engine().maxMemoryMb()
                : EngineSettings.maxMemoryMbFor(docker.memoryBytes());
        EngineSettings engineSettings = config.engine().withMaxMemoryMb(maxMemoryMb);
        engine = new InvocationEngine(sandboxes, engineSettings);
        // The memory all containers may take together (GLAMBDAR_MAX_MEMORY_MB): no function may ask for more.
        int memoryBudgetMb = (int) Math.min(Integer.MAX_VALUE, engineSettings.maxMemoryMb());

        // Store
        database = SqliteDatabase.open(dir.resolve("glambdar.db"));
        FunctionRepository repository = new SqliteFunctionRepository(database);
        CodeReader codeReader = new CodeReader(new SettingsParser(SettingsLimits.forMemoryBudget(memoryBudgetMb)),
                ArchiveLimits.DEFAULTS);
        FunctionCatalog catalog = FunctionCatalog.open(new DeploymentFolders(dir), repository, codeReader, clock,
                config.keepVersions());
        statistics = new StatisticsWriter(repository, catalog::counters, STATISTICS_INTERVAL);
        invocationLogs = new InvocationLogWriter(new SqliteInvocationLogRepository(database),
                catalog::recentInvocations, STATISTICS_INTERVAL);
        keyIndex = KeyIndex.load(new SqliteKeyRepository(database), KEY_USE_INTERVAL);
        warnOfFunctionsOverBudget(catalog, memoryBudgetMb);

        JobRepository jobs = new SqliteJobRepository(database);

        // Metrics (GLAMBDAR_METRICS): counted as invocations end, the rest read at each scrape
        metrics = config.metrics() ? new Metrics(EngineState.of(engine), jobs::queuedCount, catalog::names)
                : null;

        // Use cases
        logHub = new LogHub(clock);
        invokeFunction = new InvokeFunction(catalog, engine, clock, metrics == null ? logHub
                : InvocationListener.all(List.of(metrics.invocationListener(), logHub)));
        InvokeKeys invokeKeys = new InvokeKeys(catalog, keyIndex, clock, new SecureRandom());
        int asyncConcurrency = config.async().concurrencyFor(engineSettings.maxMemoryMb(),
                FunctionSettings.DEFAULT_MEMORY_MB);
        jobDispatcher = new JobDispatcher(jobs, catalog, invokeFunction, new JobDispatcher.Settings(asyncConcurrency,
                JOB_LEASE, JOB_IDLE_POLL, JOB_MAINTENANCE, config.async().retention()), clock, NODE,
                metrics == null ? AttemptListener.NONE : metrics.attemptListener());
        callbacks = new CallbackSender(jobs, config.async().callbackTimeout(), clock);
        AcceptInvocation acceptInvocation = new AcceptInvocation(catalog, jobs, jobDispatcher::wake, clock);
        ScheduleStateRepository scheduleStates = new SqliteScheduleStateRepository(database);
        scheduler = new Scheduler(new FireSchedules(catalog, scheduleStates, jobs, acceptInvocation, clock)::fireDue,
                clock);
        ApiServer.UseCases useCases = new ApiServer.UseCases(new DeployFunction(catalog, engine, RETIRE_GRACE),
                invokeFunction, new DeleteFunction(catalog, engine, invokeKeys, jobs, clock, RETIRE_GRACE,
                        name -> {
                            logHub.deleted(name);
                            if (metrics != null) {
                                metrics.functionDeleted(name);
                            }
                        }),
                new RollbackFunction(catalog, engine, RETIRE_GRACE), new FunctionQueries(catalog, engine, jobs), invokeKeys,
                acceptInvocation, new AsyncInvocations(catalog, jobs, jobDispatcher::wake, clock),
                new ScheduleQueries(catalog, scheduleStates, jobs, clock), logHub);
        jobDispatcher.start();
        callbacks.start();
        scheduler.start();

        // HTTP
        Path uploads = dir.resolve("uploads");
        FileTrees.delete(uploads);
        createDirectories(uploads);
        api = new ApiServer(useCases, new ApiServer.Settings(config.host(), config.port(), config.maxUploadBytes(),
                config.maxBodyBytes(), uploads, config.shutdownGrace().plus(ANSWER_WAIT), auth.mode()), engine::load,
                metrics == null ? MetricsHandler.off() : MetricsHandler.of(metrics));

        log.info("Glambdar listening on http://{}:{}", config.host().contains(":") ? "[" + config.host() + "]"
                : config.host(), api.port());
        log.info(describe(auth.mode()));
        log.info("Base directory {}", dir);
        log.info("{}, functions run in image {}", docker.describe(), image);
        log.info(metrics != null ? "Metrics at GET /metrics (Prometheus)" : "Metrics off (GLAMBDAR_METRICS=false)");
        log.info("Asynchronous invocations: at most {} at once, records kept {}", asyncConcurrency,
                config.async().retention());
        log.info("Containers may reserve up to {} MB in all; warm pools {} (at most {} per function), reuse mode {}"
                        + " by default; functions run as uid {}",
                engineSettings.maxMemoryMb(), engineSettings.pooling() ? "on" : "off",
                engineSettings.poolMaxPerFunction(), engineSettings.reuseByDefault() ? "on" : "off",
                config.containerUid());
    }

    private static String describe(AccessMode mode) {
        if (mode.keyed()) {
            return "Keyed mode: every request needs the admin key (Authorization: Bearer), invocations also take"
                    + " their function's invoke keys, and public functions need none";
        }
        return mode.loopbackHostsOnly()
                ? "Open mode: no keys; only requests addressed to localhost, 127.0.0.1 or [::1] are answered, and"
                + " none from web pages of other sites (set GLAMBDAR_ADMIN_KEY to require keys)"
                : "Open mode: no keys (GLAMBDAR_AUTH=none); requests from web pages of other sites are refused";
    }

    private static void prepareBaseDir(Path dir) {
        createDirectories(dir);
        // Checked now, not at the first invocation: each container's socket lives under sockets/.
        int socketPathBytes = DockerSandboxBackend.socketPathBytes(dir.resolve("sockets"));
        int excess = socketPathBytes - WorkerSocket.MAX_PATH_BYTES;
        if (excess > 0) {
            throw new IllegalStateException("GLAMBDAR_DIR " + dir + " is too long: the Unix sockets under it would"
                    + " need " + socketPathBytes + " bytes, and the limit is " + WorkerSocket.MAX_PATH_BYTES
                    + ". Use a shorter path (at most " + (dir.toString().length() - excess)
                    + " characters), e.g. ~/.glambdar");
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
    }

    public int port() {
        return api.port();
    }

    public String image() {
        return image;
    }

    /**
     * Stops, in the order that loses nothing: no new asynchronous attempt starts and the scheduler stops firing (queued
     * jobs wait in the store for the next start); the HTTP server refuses new requests at once, while the engine gives
     * the invocations running the shutdown grace, then closes, ending those left: they answer 503
     * ({@code shutting_down}), and the HTTP server waits for those answers a little longer than the grace
     * ({@link #ANSWER_WAIT}) before it closes its connections; once every invocation has returned and counted itself,
     * statistics and recent invocations are saved and the metadata closed; last, every container and socket is
     * removed. Safe to call twice.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // A start refused before the HTTP server was up has nothing to shut down worth telling (its reason follows).
        boolean listened = api != null;
        if (listened) {
            log.info("Shutting down");
        }
        // Queued jobs and schedules wait durably for the next start: no new attempt begins once stopping.
        stop("claiming asynchronous jobs", jobDispatcher == null ? null : jobDispatcher::stopClaiming);
        stop("the scheduler", scheduler);
        stop("the live logs' streams", logHub); // else the HTTP server would wait for its followers
        // Alongside the engine's drain: it refuses new requests now, and waits for the answers of those in progress.
        Thread http = Thread.ofVirtual().name("stop-http").start(() -> stop("the HTTP server", api));
        stop("the callbacks", callbacks);
        stop("the engine's drain", engine == null ? null : () -> engine.drain(config.shutdownGrace()));
        stop("the engine", engine);
        stop("the HTTP server's last answers", http::join);
        stop("the metrics", metrics);
        stop("the asynchronous attempts", jobDispatcher);
        stop("the invocations", invokeFunction == null ? null : () -> invokeFunction.awaitReturned(RETURN_WAIT));
        stop("the statistics", statistics);
        stop("the recent invocations", invocationLogs);
        stop("the invoke keys' last uses", keyIndex);
        stop("the metadata", database);
        stop("the sandboxes", sandboxes);
        stop("the Docker connection", docker);
        if (listened) {
            log.info("Stopped");
        }
    }

    private static void stop(String what, AutoCloseable step) {
        if (step == null) {
            return;
        }
        try {
            step.close();
        } catch (Exception e) {
            log.warn("Error while stopping {}: {}", what, e.toString());
        }
    }

    /**
     * Functions deployed under a larger GLAMBDAR_MAX_MEMORY_MB than this start's can never run now (each invocation is
     * a 503 too_large, each async job fails): say so at start, not only when they are called.
     */
    private static void warnOfFunctionsOverBudget(FunctionCatalog catalog, int memoryBudgetMb) {
        for (StoredFunction function : catalog.all()) {
            int memoryMb = function.active().settings().memoryMb();
            if (memoryMb > memoryBudgetMb) {
                log.warn("Function {} asks for {} MB of memory, more than GLAMBDAR_MAX_MEMORY_MB ({} MB): it cannot"
                        + " run until the budget is raised or a version with less \"memory\" is deployed",
                        function.name(), memoryMb, memoryBudgetMb);
            }
        }
    }
}
