package io.glambdar.http;

import io.glambdar.metrics.Metrics;
import io.javalin.http.Context;

import java.io.IOException;

/**
 * {@code GET /metrics}: the Prometheus exposition (a control route: the admin key in keyed mode), or a 404 saying
 * metrics are off.
 */
public final class MetricsHandler {

    static final String ROUTE = "/metrics";

    private final Metrics metrics;

    private MetricsHandler(Metrics metrics) {
        this.metrics = metrics;
    }

    public static MetricsHandler of(Metrics metrics) {
        return new MetricsHandler(metrics);
    }

    /** The server runs without metrics (GLAMBDAR_METRICS=false). */
    public static MetricsHandler off() {
        return new MetricsHandler(null);
    }

    void handle(Context ctx) throws IOException {
        if (metrics == null) {
            throw new RequestRejected(404, "metrics are off on this server (GLAMBDAR_METRICS=false or --no-metrics);"
                    + " start it without that setting to serve GET /metrics");
        }
        String contentType = Metrics.contentType(ctx.header("Accept"));
        ctx.contentType(contentType);
        metrics.scrape(contentType, ctx.outputStream()); // streamed: 500 functions make about a megabyte
    }
}
