package io.glambdar.it;

import com.fasterxml.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Asynchronous invocations as a test drives them: {@code POST /async/:name} and the {@code /invocations} routes. */
final class Jobs {

    static final Set<String> FINAL = Set.of("succeeded", "failed", "expired", "cancelled");

    private Jobs() {
    }

    /** {@code POST /async/:name} with a body and headers (name, value, name, value, ...). */
    static ApiClient.Response enqueue(ApiClient api, String name, String body, String... headers) {
        return enqueue(api, name, body.getBytes(StandardCharsets.UTF_8), headers);
    }

    static ApiClient.Response enqueue(ApiClient api, String name, byte[] body, String... headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(api.uri("/async/" + name))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return api.send(request);
    }

    /** Enqueues and checks the 202: returns the invocation id. */
    static String enqueueOk(ApiClient api, String name, String body, String... headers) {
        ApiClient.Response accepted = enqueue(api, name, body, headers);
        assertThat(accepted.status()).as("POST /async/%s: %s", name, accepted.body()).isEqualTo(202);
        String id = accepted.json().path("invocationId").asText("");
        assertThat(id).as("invocationId in %s", accepted.body()).isNotBlank();
        return id;
    }

    /** {@code GET /invocations/:id}, which must be a 200. */
    static JsonNode job(ApiClient api, String id) {
        ApiClient.Response response = api.get("/invocations/" + id);
        assertThat(response.status()).as("GET /invocations/%s: %s", id, response.body()).isEqualTo(200);
        return response.json();
    }

    static String status(ApiClient api, String id) {
        return job(api, id).path("status").asText();
    }

    /**
     * Polls {@code GET /invocations/:id} until its status is one of {@code wanted}; fails at once (with the record)
     * when it reaches another final status, and after {@code within}.
     */
    static JsonNode await(ApiClient api, String id, Duration within, String... wanted) {
        Set<String> targets = Set.of(wanted);
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            JsonNode job = job(api, id);
            String status = job.path("status").asText();
            if (targets.contains(status)) {
                return job;
            }
            if (FINAL.contains(status)) {
                throw new AssertionError("job " + id + " ended " + status + ", not " + targets + ": " + job);
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("job " + id + " is still " + status + " after " + within.toSeconds()
                        + " s, not " + targets + ": " + job);
            }
            pause(100);
        }
    }

    /** {@code GET /invocations?query}: the list, which must be a 200. */
    static List<JsonNode> list(ApiClient api, String query) {
        ApiClient.Response response = api.get("/invocations?" + query);
        assertThat(response.status()).as("GET /invocations?%s: %s", query, response.body()).isEqualTo(200);
        JsonNode invocations = response.json().get("invocations");
        assertThat(invocations).as("invocations array in %s", response.body()).isNotNull();
        assertThat(invocations.isArray()).as(response.body()).isTrue();
        List<JsonNode> jobs = new ArrayList<>();
        invocations.forEach(jobs::add);
        return jobs;
    }

    static List<String> ids(List<JsonNode> jobs) {
        return jobs.stream().map(job -> job.path("invocationId").asText()).toList();
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * The attempts of job {@code id} that function {@code name} ran, as the function printed them in its invocation
     * logs ({@code GET /logs/:name}): it prints {@code ran <id> attempt <n>} first thing.
     */
    static List<Integer> attemptsLogged(ApiClient api, String name, String id) {
        ApiClient.Response response = api.get("/logs/" + name);
        assertThat(response.status()).as("GET /logs/%s: %s", name, response.body()).isEqualTo(200);
        Pattern line = Pattern.compile("ran " + Pattern.quote(id) + " attempt (\\d+)");
        List<Integer> attempts = new ArrayList<>();
        for (JsonNode invocation : response.json().path("invocations")) {
            Matcher matcher = line.matcher(invocation.path("logs").asText(""));
            while (matcher.find()) {
                attempts.add(Integer.parseInt(matcher.group(1)));
            }
        }
        return attempts;
    }

    static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
