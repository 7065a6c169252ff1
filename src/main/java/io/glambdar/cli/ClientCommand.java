package io.glambdar.cli;

import picocli.CommandLine.Mixin;

import java.io.PrintStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A command that talks to a Glambdar server over HTTP. It prints to its {@link Terminal}; any failure is a
 * {@link ClientException}, which {@link ClientCommands} prints as one line and turns into exit status 1.
 */
public abstract class ClientCommand implements Callable<Integer> {

    @Mixin
    ServerOptions server;

    /** Set by {@link ClientCommands}' factory when the command is made. */
    Terminal terminal;

    @Override
    public final Integer call() {
        return run(new GlambdarClient(server.url, server.key));
    }

    /** @return the exit status */
    abstract int run(GlambdarClient client);

    /** With {@code --json}, the reply's body as the server sent it; true when it was printed. */
    final boolean printedJson(Reply reply) {
        if (!server.json) {
            return false;
        }
        write(reply.body(), true);
        return true;
    }

    /** {@code body} on stdout byte for byte; then a line break when {@code endLine} and it does not end with one. */
    final void write(byte[] body, boolean endLine) {
        PrintStream out = terminal.out();
        out.write(body, 0, body.length);
        if (endLine && body.length > 0 && body[body.length - 1] != '\n') {
            out.println();
        }
        out.flush();
    }

    /** {@code GET path}: with {@code --json} its body as the server sent it, else its object as {@code print} shows. */
    final int show(GlambdarClient client, String path, Consumer<Map<String, Object>> print) {
        Reply reply = client.get(path).orThrow();
        if (!printedJson(reply)) {
            print.accept(reply.json());
        }
        return 0;
    }

    /**
     * {@code GET path} as {@code table}, a row (cells from {@code row}) for each object of its list {@code field};
     * {@code none} when that list is empty; with {@code --json} the body as the server sent it.
     */
    final int showTable(GlambdarClient client, String path, String field, String none, Table table,
                        Function<Map<String, Object>, Object[]> row) {
        return show(client, path, answer -> {
            List<Map<String, Object>> items = Json.objects(answer, field);
            if (items.isEmpty()) {
                terminal.out().println(none);
                return;
            }
            items.forEach(item -> table.row(row.apply(item)));
            table.print(terminal.out());
        });
    }

    /**
     * {@code name} as one path segment of a route. An empty one would name another route ({@code /info/} is
     * {@code /info}): it is refused here.
     */
    static String segment(String name) {
        if (name.isEmpty()) {
            throw new ClientException("an empty name or id was given; give the function's name (or the invocation's"
                    + " or key's id) the command is about");
        }
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
