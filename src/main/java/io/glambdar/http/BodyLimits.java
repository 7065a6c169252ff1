package io.glambdar.http;

import io.javalin.http.Context;
import io.javalin.http.Handler;

/**
 * The largest request body each route takes, checked against the declared {@code Content-Length} before a byte of the
 * body is read (a {@code before} handler, after the access policy): a body declared too large is refused at once,
 * without first asking a client that waits on {@code Expect: 100-continue} to send it, and without waiting for a body
 * that the limit refuses anyway. A body without a declared length is held to the same limits while it is read.
 */
final class BodyLimits implements Handler {

    private final long maxUploadBytes;
    private final long maxBodyBytes;

    /**
     * @param maxUploadBytes largest zip {@code /deploy} takes (its multipart framing comes on top)
     * @param maxBodyBytes   largest body of every other route ({@code /async} takes at most 1 MiB of it)
     */
    BodyLimits(long maxUploadBytes, long maxBodyBytes) {
        this.maxUploadBytes = maxUploadBytes;
        this.maxBodyBytes = maxBodyBytes;
    }

    @Override
    public void handle(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared < 0) {
            return;
        }
        String path = ctx.path();
        if (path.equals("/deploy") || path.startsWith("/deploy/")) {
            if (declared > maxUploadBytes + DeployHandler.MULTIPART_OVERHEAD_BYTES) {
                throw new OversizedBody.Refused(DeployHandler.tooLargeMessage(maxUploadBytes), false);
            }
        } else if (path.startsWith(AsyncHandler.PREFIX)) {
            if (declared > Math.min(AsyncHandler.MAX_BODY_BYTES, maxBodyBytes)) {
                throw new OversizedBody.Refused(AsyncHandler.tooLarge().getMessage(), false);
            }
        } else if (declared > maxBodyBytes) {
            throw new OversizedBody.Refused(tooLargeMessage(maxBodyBytes), false);
        }
    }

    static String tooLargeMessage(long maxBodyBytes) {
        return "request body too large: the limit is " + maxBodyBytes + " bytes (GLAMBDAR_MAX_BODY_MB)";
    }
}
