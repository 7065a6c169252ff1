package io.glambdar.http;

import io.glambdar.usecase.async.AsyncInvocations;
import io.glambdar.usecase.async.JobView;
import io.javalin.http.Context;

import java.util.Map;

/**
 * {@code GET /invocations/:id}, {@code GET /invocations?function=&status=&limit=}, {@code DELETE /invocations/:id}
 * and {@code POST /invocations/:id/retry}: asynchronous invocations' records, the dead-letter list (status
 * {@code failed}), cancelling and retrying.
 */
final class InvocationsRoutes {

    private final AsyncInvocations invocations;

    InvocationsRoutes(AsyncInvocations invocations) {
        this.invocations = invocations;
    }

    void get(Context ctx) {
        ctx.json(JobView.of(invocations.get(ctx.pathParam("id")), invocations::activeVersionFor));
    }

    void list(Context ctx) {
        ctx.json(Map.of("invocations", invocations.list(ctx.queryParam("function"), ctx.queryParam("status"),
                ctx.queryParam("limit")).stream().map(job -> JobView.of(job, invocations::activeVersionFor)).toList()));
    }

    void cancel(Context ctx) {
        invocations.cancel(ctx.pathParam("id"));
        ApiServer.noContent(ctx);
    }

    void retry(Context ctx) {
        String id = invocations.retry(ctx.pathParam("id")).id();
        ctx.header("Location", "/invocations/" + id);
        ctx.status(202).json(ApiServer.object("invocationId", id, "status", "queued"));
    }
}
