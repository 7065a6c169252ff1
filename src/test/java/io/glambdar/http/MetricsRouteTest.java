package io.glambdar.http;

import io.glambdar.engine.ContainerCounts;
import io.glambdar.engine.FakeInvoker;
import io.glambdar.engine.InvocationResult.Failure;
import io.glambdar.http.auth.AccessMode;
import io.glambdar.http.auth.AdminKey;
import io.glambdar.it.ApiClient;
import io.glambdar.it.ApiClient.Response;
import io.glambdar.it.Zips;
import io.glambdar.metrics.EngineState;
import io.glambdar.metrics.Metrics;
import io.glambdar.metrics.PrometheusText;
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
import io.glambdar.usecase.schedule.ScheduleQueries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Map;

import static io.glambdar.engine.FakeInvoker.failed;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code GET /metrics} through a real HTTP server, wired as the server wires it (the use cases on a real store, a fake
 * engine): the exposition, its content type, keyed mode, and the route when metrics are off.
 */
class MetricsRouteTest {

    private static final String ADMIN_KEY = "admin-key-0123456789abcdef";

    @TempDir
    Path dir;

    private final FakeInvoker invoker = new FakeInvoker();
    private TestStore store;
    private Metrics metrics;
    private ApiServer server;
    private ApiClient api;

    private void start(AccessMode mode, boolean withMetrics) throws IOException {
        store = new TestStore(dir, SettingsLimits.defaults(), ArchiveLimits.DEFAULTS);
        metrics = withMetrics ? new Metrics(new EngineState() {
            @Override
            public ContainerCounts containers() {
                return new ContainerCounts(0, 1, 2, 0);
            }

            @Override
            public long memoryReservedBytes() {
                return 3 * 128L * 1024 * 1024;
            }

            @Override
            public int invocationsWaiting() {
                return 0;
            }
        }, store.jobs::queuedCount, store.catalog::isDeployed) : null;
        InvokeKeys keys = new InvokeKeys(store.catalog, store.keyIndex, store.clock, new SecureRandom());
        ApiServer.UseCases useCases = new ApiServer.UseCases(
                new DeployFunction(store.catalog, invoker, Duration.ofSeconds(30)),
                new InvokeFunction(store.catalog, invoker, store.clock,
                        withMetrics ? metrics.invocationListener() : InvocationListener.NONE),
                new DeleteFunction(store.catalog, invoker, keys, store.jobs, store.clock, Duration.ofSeconds(30)),
                new RollbackFunction(store.catalog, invoker), new FunctionQueries(store.catalog, invoker, store.jobs),
                keys, new AcceptInvocation(store.catalog, store.jobs, () -> { }, store.clock),
                new AsyncInvocations(store.catalog, store.jobs, () -> { }, store.clock),
                new ScheduleQueries(store.catalog, new SqliteScheduleStateRepository(store.database), store.jobs,
                        store.clock));
        server = new ApiServer(useCases, new ApiServer.Settings("127.0.0.1", 0, 1024 * 1024, 64 * 1024,
                Files.createDirectories(dir.resolve("uploads")), Duration.ofSeconds(5), mode), () -> Map.of(),
                withMetrics ? MetricsHandler.of(metrics) : MetricsHandler.off());
        api = new ApiClient("http://127.0.0.1:" + server.port());
    }

    @AfterEach
    void stop() {
        if (api != null) {
            api.close();
            server.close();
            store.close();
        }
        if (metrics != null) {
            metrics.close();
        }
    }

    private static PrometheusText parse(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(response.body());
    }

    @Test
    void invocationsThroughTheApiAreCountedAndADeletedFunctionsSeriesGo() throws IOException {
        start(AccessMode.open(true), true);
        api.deployOk("hello", Zips.of(Zips.HELLO));
        api.deployOk("other", Zips.of(Zips.HELLO));
        assertThat(api.invoke("hello", "{}").status()).isEqualTo(200);
        assertThat(api.invoke("hello", "{}").status()).isEqualTo(200);
        invoker.answer((fn, request) -> failed("inv-x", Failure.OVERLOADED, "overloaded"));
        assertThat(api.invoke("hello", "{}").status()).isEqualTo(429);
        assertThat(api.invoke("other", "{}").status()).isEqualTo(429);

        PrometheusText text = parse(api.get("/metrics"));
        assertThat(text.value("glambdar_invocations_total", "function", "hello", "outcome", "ok")).isEqualTo(2);
        assertThat(text.value("glambdar_invocations_total", "function", "hello", "outcome", "throttled"))
                .isEqualTo(1);
        assertThat(text.value("glambdar_invocations_total", "function", "other", "outcome", "throttled"))
                .isEqualTo(1);
        assertThat(text.value("glambdar_containers", "state", "busy")).isEqualTo(2);
        assertThat(text.value("glambdar_async_queue_depth")).isZero();

        assertThat(api.delete("/del/hello").status()).isEqualTo(204);
        api.post("/async/other", "{}");

        PrometheusText after = parse(api.get("/metrics"));
        assertThat(after.samples().stream().filter(sample -> "hello".equals(sample.labels().get("function"))))
                .isEmpty();
        assertThat(after.value("glambdar_invocations_total", "function", "other", "outcome", "throttled"))
                .isEqualTo(1);
        assertThat(after.value("glambdar_async_queue_depth")).isEqualTo(1);
    }

    @Test
    void openMetricsWhenAsked() throws IOException {
        start(AccessMode.open(true), true);

        Response response = api.send(HttpRequest.newBuilder(api.uri("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").GET());

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type"))
                .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(response.body()).contains("# TYPE glambdar_containers gauge").endsWith("# EOF\n");
    }

    @Test
    void keyedModeNeedsTheAdminKeyNotAnInvokeKey() throws IOException {
        start(AccessMode.keyed(AdminKey.of(ADMIN_KEY)), true);
        api.defaultHeader("Authorization", "Bearer " + ADMIN_KEY);
        api.deployOk("hello", Zips.of(Zips.HELLO));
        String invokeKey = api.send(HttpRequest.newBuilder(api.uri("/keys/hello"))
                .POST(HttpRequest.BodyPublishers.noBody())).json().get("key").asText();
        api.defaultHeader("Authorization", null);

        Response none = api.get("/metrics");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"glambdar\"");
        assertThat(none.json().get("error").asText()).isNotBlank();

        Response withInvokeKey = api.send(HttpRequest.newBuilder(api.uri("/metrics"))
                .header("Authorization", "Bearer " + invokeKey).GET());
        assertThat(withInvokeKey.status()).isEqualTo(403);
        assertThat(withInvokeKey.json().get("error").asText()).isNotBlank();

        Response admin = api.send(HttpRequest.newBuilder(api.uri("/metrics"))
                .header("Authorization", "Bearer " + ADMIN_KEY).GET());
        assertThat(parse(admin).types()).containsKey("glambdar_containers");
    }

    @Test
    void aPageOfAnotherSiteCannotReadItInOpenMode() throws IOException {
        start(AccessMode.open(true), true);

        Response response = api.send(HttpRequest.newBuilder(api.uri("/metrics"))
                .header("Origin", "https://evil.example").GET());

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("error").asText()).contains("cross-site");
    }

    @Test
    void withMetricsOffTheRouteSaysSoIn404Json() throws IOException {
        start(AccessMode.open(true), false);

        Response response = api.get("/metrics");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).contains("metrics are off").contains("GLAMBDAR_METRICS");
        assertThat(response.json().size()).isEqualTo(1);
    }
}
