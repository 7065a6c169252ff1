package io.glambdar.http;

import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Refuses a request body as too large (413) so that the client can read the refusal. Closing a connection with
 * bytes the client is still sending makes the kernel reset it, and a reset can overtake the 413 sent just before:
 * the client sees "connection reset" instead. So the answer is sent and flushed first, then what the client still
 * sends is read and discarded, bounded, until it stops or closes. A client that waits on
 * {@code Expect: 100-continue} and was never asked for its body sends none: its connection is closed at once.
 */
final class OversizedBody {

    /** Beyond this much more, the connection is closed (and may reach the client as a reset). */
    static final long MAX_DISCARDED_BYTES = 64L * 1024 * 1024;

    private OversizedBody() {
    }

    /**
     * A body refused before any of it was read ({@link BodyLimits}), or after ({@code bodyRequested}: reading it asked
     * a client waiting on {@code Expect: 100-continue} to send it).
     */
    static final class Refused extends RuntimeException {
        private final boolean bodyRequested;

        Refused(String message, boolean bodyRequested) {
            super(message, null, false, false);
            this.bodyRequested = bodyRequested;
        }

        boolean bodyRequested() {
            return bodyRequested;
        }
    }

    /** A body refused after the server began to read it. */
    static void refuse(Context ctx, String message) {
        refuse(ctx, message, true);
    }

    /** @param bodyRequested whether a client that waits on {@code Expect: 100-continue} was asked for its body */
    static void refuse(Context ctx, String message, boolean bodyRequested) {
        byte[] answer = ctx.jsonMapper().toJsonString(Map.of("error", message), Map.class)
                .getBytes(StandardCharsets.UTF_8);
        ctx.status(413);
        ctx.header("Connection", "close");
        ctx.contentType("application/json");
        ctx.res().setContentLength(answer.length);
        try {
            OutputStream out = ctx.res().getOutputStream();
            out.write(answer);
            out.flush();
            if (bodyRequested || !"100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
                discardRest(ctx.req().getInputStream());
            }
        } catch (IOException | RuntimeException e) {
            // the client left, or the body's stream was already given up (a failed multipart parse): the answer was
            // sent as well as it can be
        }
    }

    private static void discardRest(InputStream in) throws IOException {
        byte[] sink = new byte[8192];
        long discarded = 0;
        for (int n; discarded < MAX_DISCARDED_BYTES && (n = in.read(sink)) >= 0; ) {
            discarded += n;
        }
    }
}
