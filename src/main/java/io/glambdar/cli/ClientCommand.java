package io.glambdar.cli;

import picocli.CommandLine.Mixin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

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
        terminal.out().write(reply.body(), 0, reply.body().length);
        if (reply.body().length > 0 && reply.body()[reply.body().length - 1] != '\n') {
            terminal.out().println();
        }
        terminal.out().flush();
        return true;
    }

    /** {@code name} as one path segment of a route. */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
