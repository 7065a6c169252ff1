package io.glambdar.http;

import io.glambdar.metrics.Metrics;
import io.javalin.http.Context;

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

    void handle(Context ctx) {
        if (metrics == null) {
            throw new RequestRejected(404, "metrics are off on this server (GLAMBDAR_METRICS=false or --no-metrics);"
                    + " start it without that setting to serve GET /metrics");
        }
        // Whole, with its length: cheaper for the server than a megabyte (500 functions) written out in chunks.
        Metrics.Exposition exposition = metrics.scrape(ctx.header("Accept"));
        ctx.contentType(exposition.contentType()).result(exposition.body());
    }
}
