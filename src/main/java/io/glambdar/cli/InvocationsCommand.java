package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code glambdar invocations [ls [--function F] [--status S] [--limit N] | get ID | retry ID | cancel ID]}: the
 * asynchronous invocations; {@code --status failed} is the dead-letter list.
 */
@Command(name = "invocations", description = "Asynchronous invocations: list them (the default; --status failed is"
        + " the dead-letter list), get one's record, retry a failed, expired or cancelled one, or cancel a queued one.")
public final class InvocationsCommand extends ClientCommand {

    @Parameters(index = "0", arity = "0..1", paramLabel = "ACTION", defaultValue = "ls",
            description = "ls, get, retry or cancel (default ${DEFAULT-VALUE}).")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "ID", description = "The invocation id (get, retry, cancel).")
    String id;

    @Option(names = "--function", paramLabel = "F", description = "ls: only this function's.")
    String function;

    @Option(names = "--status", paramLabel = "S",
            description = "ls: only those with this status: queued, running, succeeded, failed, expired, cancelled.")
    String status;

    @Option(names = "--limit", paramLabel = "N", description = "ls: at most this many, newest first.")
    Integer limit;

    @Override
    int run(GlambdarClient client) {
        if (action.equals("ls")) {
            if (id != null) {
                throw new ClientException("'invocations ls' takes no id: filter with --function, --status, --limit");
            }
            return list(client);
        }
        if (!List.of("get", "retry", "cancel").contains(action)) {
            throw new ClientException("unknown action '" + Text.oneLine(action) + "': use ls, get ID, retry ID or"
                    + " cancel ID");
        }
        if (id == null) {
            throw new ClientException("which invocation? ./glambdar invocations " + action + " ID");
        }
        String path = "/invocations/" + segment(id);
        switch (action) {
            case "get" -> show(client, path, record -> printRecord(record, terminal));
            case "retry" -> {
                Reply reply = client.send("POST", path + "/retry", new byte[0]).orThrow();
                if (!printedJson(reply)) {
                    terminal.out().println("queued " + Text.oneLine(id) + " again");
                }
            }
            default -> {
                Reply reply = client.send("DELETE", path, new byte[0]).orThrow();
                if (!printedJson(reply)) {
                    terminal.out().println("cancelled " + Text.oneLine(id));
                }
            }
        }
        return 0;
    }

    private int list(GlambdarClient client) {
        List<String> query = new ArrayList<>();
        if (function != null) {
            query.add("function=" + segment(function));
        }
        if (status != null) {
            query.add("status=" + segment(status));
        }
        if (limit != null) {
            query.add("limit=" + limit);
        }
        return showTable(client, "/invocations" + (query.isEmpty() ? "" : "?" + String.join("&", query)),
                "invocations", "No asynchronous invocations" + (query.isEmpty() ? "." : " match."),
                new Table("ID", "FUNCTION", "VERSION", "STATUS", "ATTEMPTS", "CREATED (UTC)", "FINISHED (UTC)",
                        "ERROR"),
                invocation -> new Object[]{invocation.get("invocationId"), invocation.get("function"),
                        invocation.get("version"), invocation.get("status"), invocation.get("attempts"),
                        Text.time(invocation.get("createdAt")), Text.time(invocation.get("finishedAt")),
                        invocation.get("error") instanceof Map<?, ?> e ? e.get("code") : null});
    }

    /** An invocation's fields, then the response body and what the function printed, each under a heading. */
    static void printRecord(Map<String, Object> record, Terminal terminal) {
        Map<String, Object> fields = new LinkedHashMap<>(record);
        Object logs = fields.remove("logs");
        Object result = fields.remove("result");
        Object body = null;
        if (result instanceof Map<?, ?> answer) {
            Map<String, Object> shown = new LinkedHashMap<>();
            answer.forEach((k, v) -> shown.put(String.valueOf(k), v));
            body = shown.remove("body");
            fields.put("result", shown);
        } else {
            fields.put("result", result);
        }
        InfoCommand.printFields(fields, terminal);
        if (body != null) {
            terminal.out().println("--- body");
            terminal.out().println(Text.printable(String.valueOf(body)));
        }
        if (logs instanceof String text && !text.isEmpty()) {
            terminal.out().println("--- logs");
            terminal.out().print(Text.printable(text.endsWith("\n") ? text : text + "\n"));
        }
        terminal.out().flush();
    }
}
