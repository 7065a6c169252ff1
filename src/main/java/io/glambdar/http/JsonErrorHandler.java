package io.glambdar.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Jetty's own error responses, for requests it refuses before any route sees them (headers too large, a malformed
 * request line or header, ...), as {@code {"error": ...}} like every other error of the API, instead of Jetty's HTML
 * page.
 */
final class JsonErrorHandler extends ErrorHandler {

    /** The most bytes of request line and headers Jetty reads ({@code HttpConfiguration.requestHeaderSize}). */
    private final int maxHeaderBytes;

    JsonErrorHandler(int maxHeaderBytes) {
        this.maxHeaderBytes = maxHeaderBytes;
        setShowStacks(false);
        setShowCauses(false);
    }

    /** Every method gets its error as JSON (Jetty's own handler writes a body only for GET, POST and HEAD). */
    @Override
    public boolean errorPageForMethod(String method) {
        return true;
    }

    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
                                    Callback callback) {
        byte[] body;
        try {
            body = ApiServer.JSON.writeValueAsBytes(Map.of("error", describe(code, message)));
        } catch (JsonProcessingException e) {
            callback.failed(e);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    String describe(int code, String message) {
        return switch (code) {
            case HttpStatus.REQUEST_HEADER_FIELDS_TOO_LARGE_431 -> "request headers too large: the request line and"
                    + " headers may take at most " + maxHeaderBytes + " bytes together (a key takes less than 100);"
                    + " send shorter headers";
            case HttpStatus.URI_TOO_LONG_414 -> "request URI too long: the request line and headers may take at"
                    + " most " + maxHeaderBytes + " bytes together; send a shorter path and query";
            default -> {
                String reason = HttpStatus.getMessage(code);
                String detail = message == null || message.isBlank() || message.equalsIgnoreCase(reason) ? ""
                        : ": " + (message.length() > 200 ? message.substring(0, 200) + "…" : message);
                yield (code >= 500 ? "the server could not handle the request (" : "the server could not read the"
                        + " request (") + code + " " + reason + detail + ")"
                        + (code >= 500 ? "; the server log may say more" : "; check that it is well-formed HTTP");
            }
        };
    }
}
