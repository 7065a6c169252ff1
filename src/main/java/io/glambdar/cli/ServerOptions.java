package io.glambdar.cli;

import picocli.CommandLine.Option;

/** The options every client command takes: which server, which key, and JSON instead of tables. */
public final class ServerOptions {

    static final String DEFAULT_URL = "http://127.0.0.1:8000";

    @Option(names = "--url", paramLabel = "URL", description = "The Glambdar server, default " + DEFAULT_URL
            + " (env GLAMBDAR_URL).", defaultValue = "${env:GLAMBDAR_URL:-" + DEFAULT_URL + "}")
    String url;

    @Option(names = "--key", paramLabel = "KEY", description = "Admin or invoke key in keyed mode. Prefer the"
            + " variable: a flag shows in the process list (env GLAMBDAR_KEY).", defaultValue = "${env:GLAMBDAR_KEY}")
    String key;

    @Option(names = "--json", description = "Print the server's JSON as it is, instead of a table.")
    boolean json;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;
}
