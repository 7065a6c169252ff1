package io.glambdar.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;

/**
 * The client's HTTP: the JDK's {@link HttpURLConnection}, which starts in a fraction of the time of
 * {@link HttpClient} (no selector thread, far fewer classes), for every request it can make; {@link HttpClient} for
 * the rest — uploads (whose progress it can follow, and whose 401 it reports, where a streaming
 * {@code HttpURLConnection} only throws) and methods or bodies {@code HttpURLConnection} refuses ({@code PATCH}, a
 * {@code GET} with a body).
 */
final class GlambdarClient {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /**
     * How long an answer may take once the request is sent: a server that accepts the connection and then says
     * nothing (stuck, or something else on the port) must not hang a script for ever. An invocation may take its
     * function's whole timeout (at most 900 s) after waiting for capacity.
     */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);
    static final Duration INVOCATION_ANSWER_TIMEOUT = Duration.ofSeconds(960);
    private static final Set<String> URL_CONNECTION_METHODS =
            Set.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "TRACE");
    /** Headers neither JDK client lets a caller set: they belong to the connection. */
    private static final Set<String> CONNECTION_HEADERS =
            Set.of("connection", "content-length", "expect", "host", "upgrade", "transfer-encoding", "keep-alive");
    private static final String USER_AGENT = "glambdar-cli";
    private static final String GLAMBDAR_KEY_HEADER = "X-Glambdar-Key";

    private final String base;
    private final String key;
    private final Duration answerTimeout;
    private final Duration invocationAnswerTimeout;

    /**
     * @param url the server, e.g. {@code http://127.0.0.1:8000} (a path prefix is kept, for a server behind a proxy)
     * @param key the admin or invoke key, or null in open mode
     */
    GlambdarClient(String url, String key) {
        this(url, key, ANSWER_TIMEOUT, INVOCATION_ANSWER_TIMEOUT);
    }

    /**
     * @param answerTimeout           how long any answer but an invocation's may take (an upload's too)
     * @param invocationAnswerTimeout how long an invocation's may take
     */
    GlambdarClient(String url, String key, Duration answerTimeout, Duration invocationAnswerTimeout) {
        this.answerTimeout = answerTimeout;
        this.invocationAnswerTimeout = invocationAnswerTimeout;
        URI uri;
        try {
            uri = URI.create(url.strip());
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || uri.getHost() == null
                || !("http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme()))) {
            throw new ClientException("'" + Text.oneLine(url) + "' is not a server URL: set GLAMBDAR_URL or --url"
                    + " to one like " + ServerOptions.DEFAULT_URL);
        }
        this.base = uri.toString().replaceAll("/+$", "");
        this.key = key == null || key.isBlank() ? null : key.strip();
    }

    Reply get(String path) {
        return send("GET", path, Map.of(), new byte[0]);
    }

    /** A control request: {@code json} its body, or empty. */
    Reply send(String method, String path, byte[] json) {
        return send(method, path, Map.of("Content-Type", List.of("application/json")), json);
    }

    /**
     * One request, the whole answer read.
     *
     * @param headers sent as given (a caller's {@code Authorization} too: the key then goes as {@code X-Glambdar-Key});
     *                connection headers dropped
     */
    Reply send(String method, String path, Map<String, List<String>> headers, byte[] body) {
        boolean hasBody = body.length > 0;
        boolean urlConnection = URL_CONNECTION_METHODS.contains(method)
                && (!hasBody || !(method.equals("GET") || method.equals("HEAD") || method.equals("TRACE")));
        if (!urlConnection) {
            return viaHttpClient(method, path, headers, () -> HttpRequest.BodyPublishers.ofByteArray(body), false);
        }
        HttpURLConnection connection = open(method, path, headers);
        connection.setReadTimeout((int) answerTimeout(path).toMillis());
        if (hasBody) {
            connection.setDoOutput(true); // buffered, not streamed: a 401 then comes back as a reply, with its message
        }
        connect(connection);
        try {
            if (hasBody) {
                try (OutputStream out = connection.getOutputStream()) {
                    out.write(body);
                }
            }
            return reply(connection, connection.getResponseCode());
        } catch (SocketTimeoutException e) {
            throw silent(answerTimeout(path));
        } catch (IOException e) {
            throw broken(e);
        } finally {
            connection.disconnect();
        }
    }

    /** How long the answer to a request for {@code path} may take: an invocation's is longer. */
    private Duration answerTimeout(String path) {
        return path.startsWith("/invoke/") || path.startsWith("/async/") ? invocationAnswerTimeout : answerTimeout;
    }

    /** A GET whose answer is read as it comes ({@code logs -f}); a failed one is read whole and thrown. */
    InputStream stream(String path) {
        HttpURLConnection connection = open("GET", path, Map.of("Accept", List.of("application/x-ndjson")));
        connect(connection);
        try {
            int status = connection.getResponseCode();
            if (status >= 400) {
                reply(connection, status).orThrow();
            }
            return connection.getInputStream();
        } catch (IOException e) {
            throw broken(e);
        }
    }

    /**
     * Whether the server has stopped or is stopping: nothing listens any more, or {@code GET /health} is a 503. Asked
     * when a stream ends without its end line; any other answer, or a network failure, says nothing of the kind.
     */
    boolean serverStopped() {
        HttpURLConnection connection = open("GET", "/health", Map.of());
        connection.setReadTimeout((int) CONNECT_TIMEOUT.toMillis());
        try {
            connection.connect();
            return connection.getResponseCode() == HttpURLConnection.HTTP_UNAVAILABLE;
        } catch (ConnectException e) {
            return true;
        } catch (IOException e) {
            return false;
        } finally {
            connection.disconnect();
        }
    }

    /**
     * An upload with a known length, sent with {@code Expect: 100-continue}: the body follows only once the server
     * says to go on, so a refusal (over the size limit, a wrong key) comes at once rather than after the whole upload.
     *
     * @param body a fresh stream of the body each time it is called (a progress bar counts the bytes read from it)
     */
    Reply upload(String method, String path, String contentType, long length, Supplier<InputStream> body) {
        return viaHttpClient(method, path, Map.of("Content-Type", List.of(contentType)),
                () -> HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(body), length),
                true);
    }

    private Reply viaHttpClient(String method, String path, Map<String, List<String>> headers,
                                Supplier<HttpRequest.BodyPublisher> body, boolean expectContinue) {
        Duration timeout = answerTimeout(path);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).method(method, body.get())
                .expectContinue(expectContinue).timeout(timeout);
        requestHeaders(headers).forEach((name, values) -> values.forEach(value -> request.header(name, value)));
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(CONNECT_TIMEOUT).build();
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Reply(response.statusCode(), lowerCased(response.headers().map()), response.body());
        } catch (ConnectException e) {
            throw unreachable("connection refused");
        } catch (java.net.http.HttpConnectTimeoutException e) {
            throw unreachable("timed out");
        } catch (java.net.http.HttpTimeoutException e) {
            throw silent(timeout);
        } catch (IOException e) {
            if (e.getCause() instanceof UnknownHostException || e instanceof UnknownHostException) {
                throw unreachable("unknown host");
            }
            throw broken(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientException("interrupted");
        }
    }

    private HttpURLConnection open(String method, String path, Map<String, List<String>> headers) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri(path).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            requestHeaders(headers).forEach((name, values) -> values.forEach(value ->
                    connection.addRequestProperty(name, value)));
            return connection;
        } catch (IOException e) {
            throw new ClientException("cannot make a request to " + base + path + ": " + Text.oneLine(e.getMessage()));
        }
    }

    /**
     * The headers either client sends: {@code headers} as given, all values of a name whatever its case, connection
     * headers dropped; then a {@code User-Agent}, an {@code Accept} and the key: as {@code Authorization: Bearer}, or
     * as {@code X-Glambdar-Key} when the caller gave an {@code Authorization} of their own (only invocations take that
     * header: control requests have no caller's headers).
     */
    private Map<String, List<String>> requestHeaders(Map<String, List<String>> headers) {
        Map<String, List<String>> sent = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.forEach((name, values) -> {
            if (!CONNECTION_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                sent.computeIfAbsent(name, n -> new ArrayList<>()).addAll(values);
            }
        });
        sent.putIfAbsent("User-Agent", List.of(USER_AGENT));
        sent.putIfAbsent("Accept", List.of("application/json, */*"));
        if (key != null) {
            if (sent.containsKey("Authorization")) {
                // The caller's own (a function's Basic login or token) goes through to the function: the key then
                // travels in the header the server reads on invocations and never passes on.
                sent.putIfAbsent(GLAMBDAR_KEY_HEADER, List.of(key));
            } else {
                sent.put("Authorization", List.of("Bearer " + key));
            }
        }
        return sent;
    }

    private void connect(HttpURLConnection connection) {
        try {
            connection.connect();
        } catch (ConnectException e) {
            throw unreachable("connection refused");
        } catch (UnknownHostException e) {
            throw unreachable("unknown host");
        } catch (NoRouteToHostException e) {
            throw unreachable("no route to host");
        } catch (SocketTimeoutException e) {
            throw unreachable("timed out");
        } catch (IOException e) {
            throw unreachable(Text.oneLine(e.getMessage()));
        }
    }

    private URI uri(String path) {
        try {
            return URI.create(base + path);
        } catch (IllegalArgumentException e) {
            throw new ClientException("'" + Text.oneLine(path) + "' cannot be part of a URL: "
                    + Text.oneLine(e.getMessage()));
        }
    }

    private ClientException unreachable(String why) {
        return new ClientException("cannot reach Glambdar at " + base + " (" + why + "); is the server running?"
                + " (./glambdar serve)");
    }

    private ClientException silent(Duration waited) {
        return new ClientException("Glambdar at " + base + " took the request but gave no answer within "
                + waited.toSeconds() + " s; is the server stuck, or is something else listening on that port?");
    }

    private ClientException broken(IOException e) {
        return new ClientException("the connection to Glambdar at " + base + " failed: "
                + Text.oneLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()), e);
    }

    /** The answer of {@code connection}, whose status is {@code status}, read whole. */
    private static Reply reply(HttpURLConnection connection, int status) throws IOException {
        try (InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream()) {
            return new Reply(status, lowerCased(connection.getHeaderFields()),
                    in == null ? new byte[0] : in.readAllBytes());
        }
    }

    /** An answer's headers, names lower-case, as {@link Reply} keeps them. */
    private static Map<String, List<String>> lowerCased(Map<String, List<String>> headers) {
        Map<String, List<String>> lowerCased = new TreeMap<>();
        headers.forEach((name, values) -> {
            if (name != null) { // HttpURLConnection's status line
                lowerCased.put(name.toLowerCase(Locale.ROOT), values);
            }
        });
        return lowerCased;
    }
}
