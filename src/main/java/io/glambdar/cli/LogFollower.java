package io.glambdar.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Prints the NDJSON of {@code GET /logs/:name?follow=true} as it comes, one human-readable line per event:
 * {@code [ts] id stdout| line} for what a function prints, a Lambda-like {@code REPORT} line when an invocation ends.
 */
final class LogFollower {

    private final Terminal terminal;
    private final boolean json;

    /** @param json print each event's JSON line as the server sent it */
    LogFollower(Terminal terminal, boolean json) {
        this.terminal = terminal;
        this.json = json;
    }

    /**
     * @param serverStopped asked when the stream ends without an end line: whether that is because the server stopped
     * @return the exit status: 0 when the stream ends because the function was deleted or the server stopped (as
     *         {@code kubectl logs -f} ends), 1 when the server dropped this follower or the stream broke otherwise
     */
    int follow(String name, InputStream stream, BooleanSupplier serverStopped) {
        PrintStream out = terminal.out();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                Map<String, Object> event = Json.object(Json.parse(line));
                if (json) {
                    out.println(line);
                    out.flush();
                }
                if ("end".equals(event.get("type"))) {
                    return ended(name, event.get("reason"));
                }
                if (!json) {
                    String shown = format(event);
                    if (shown != null) {
                        out.println(shown);
                        out.flush();
                    }
                }
            }
        } catch (IOException e) {
            return stopped(serverStopped, new ClientException("the log stream broke: " + Text.oneLine(e.getMessage()),
                    e));
        }
        return stopped(serverStopped, new ClientException("the server closed the log stream without saying why"));
    }

    /** The stream ended without an end line: 0 when the server stopped, else {@code otherwise} thrown. */
    private int stopped(BooleanSupplier serverStopped, ClientException otherwise) {
        if (!serverStopped.getAsBoolean()) {
            throw otherwise;
        }
        terminal.err().println("the server stopped: no more logs");
        return 0;
    }

    private int ended(String name, Object reason) {
        if ("deleted".equals(reason)) {
            terminal.err().println("function " + Text.oneLine(name) + " was deleted: no more logs");
            return 0;
        }
        if ("too_slow".equals(reason)) {
            throw new ClientException("the server dropped this follower: it did not read the logs as fast as they"
                    + " came (too_slow); follow again");
        }
        throw new ClientException("the server ended the log stream: " + Text.cell(reason));
    }

    /** One event as a line; null for a type this client does not know (a newer server's). */
    static String format(Map<String, Object> event) {
        Object type = event.get("type");
        if ("log".equals(type)) {
            return "[" + Text.cell(event.get("ts")) + "] " + Text.cell(event.get("invocationId")) + " "
                    + Text.cell(event.get("stream")) + "| " + Text.oneLine(String.valueOf(event.get("line")));
        }
        if ("report".equals(type)) {
            return "REPORT " + Text.cell(event.get("invocationId"))
                    + "  Outcome: " + Text.cell(event.get("outcome"))
                    + "  Status: " + Text.cell(event.get("statusCode"))
                    + "  Duration: " + Text.millis(event.get("durationMs"))
                    + "  Init Duration: " + Text.millis(event.get("initDurationMs"))
                    + "  Cold Start: " + Text.yesNo(event.get("coldStart"))
                    + "  Max Memory Used: " + Text.bytes(event.get("maxMemoryBytes"));
        }
        return null;
    }
}
