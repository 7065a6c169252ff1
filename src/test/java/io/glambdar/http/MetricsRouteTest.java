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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;

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

    private TestApiServer server;
    private FakeInvoker invoker;
    private ApiClient api;

    private void start(AccessMode mode, boolean withMetrics) {
        server = new TestApiServer(dir, mode, store -> withMetrics ? new Metrics(new EngineState() {
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
        }, store.jobs::queuedCount, store.catalog::names) : null);
        invoker = server.invoker;
        api = server.api;
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** {@code GET /metrics} with one header. */
    private Response getMetrics(String header, String value) {
        return api.send(HttpRequest.newBuilder(api.uri("/metrics")).header(header, value).GET());
    }

    private static PrometheusText parse(Response response) {
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        assertThat(response.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(response.body());
    }

    @Test
    void invocationsThroughTheApiAreCountedAndADeletedFunctionsSeriesGo() {
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
    void openMetricsWhenAsked() {
        start(AccessMode.open(true), true);

        Response response = getMetrics("Accept", "application/openmetrics-text; version=1.0.0");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type"))
                .isEqualTo("application/openmetrics-text; version=1.0.0; charset=utf-8");
        assertThat(response.body()).contains("# TYPE glambdar_containers gauge").endsWith("# EOF\n");
    }

    @Test
    void keyedModeNeedsTheAdminKeyNotAnInvokeKey() {
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

        Response withInvokeKey = getMetrics("Authorization", "Bearer " + invokeKey);
        assertThat(withInvokeKey.status()).isEqualTo(403);
        assertThat(withInvokeKey.json().get("error").asText()).isNotBlank();

        Response admin = getMetrics("Authorization", "Bearer " + ADMIN_KEY);
        assertThat(parse(admin).types()).containsKey("glambdar_containers");
    }

    @Test
    void aPageOfAnotherSiteCannotReadItInOpenMode() {
        start(AccessMode.open(true), true);

        Response response = getMetrics("Origin", "https://evil.example");

        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("error").asText()).contains("cross-site");
    }

    @Test
    void withMetricsOffTheRouteSaysSoIn404Json() {
        start(AccessMode.open(true), false);

        Response response = api.get("/metrics");

        assertThat(response.status()).isEqualTo(404);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(response.json().get("error").asText()).contains("metrics are off").contains("GLAMBDAR_METRICS");
        assertThat(response.json().size()).isEqualTo(1);
    }
}
