package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code glambdar invoke NAME [-d DATA | -d @FILE] [-H 'K: V']... [-X METHOD] [--async] [--version N]}: calls a
 * function and prints its response body as it came, byte for byte.
 */
@Command(name = "invoke", description = "Invoke a function and print its response body. The body is -d's, or"
        + " stdin's when stdin is not a terminal. Exit status 1 on a 4xx or 5xx answer, with the error on stderr.")
public final class InvokeCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function, optionally with a sub-path and query:"
            + " NAME/any/path?q=1.")
    String name;

    @Option(names = {"-d", "--data"}, paramLabel = "DATA", description = "The request body; @FILE for a file's"
            + " contents, @- for stdin's.")
    String data;

    @Option(names = "--data-raw", paramLabel = "DATA", description = "The request body as written, even when it"
            + " starts with @.")
    String dataRaw;

    @Option(names = {"-H", "--header"}, paramLabel = "'K: V'", description = "A request header (repeatable).")
    List<String> headers = new ArrayList<>();

    @Option(names = {"-X", "--request"}, paramLabel = "METHOD", description = "The HTTP method (default POST).",
            defaultValue = "POST")
    String method;

    @Option(names = "--async", description = "Queue the invocation (POST /async/NAME) and print its id; follow it"
            + " with ./glambdar invocations get ID.")
    boolean async;

    @Option(names = "--version", paramLabel = "N", description = "Invoke version N rather than the active one.")
    Integer version;

    @Override
    int run(GlambdarClient client) {
        if (data != null && dataRaw != null) {
            throw new ClientException("give the body once: -d or --data-raw");
        }
        if (method.isEmpty() || !method.chars().allMatch(InvokeCommand::isTokenChar)) {
            throw new ClientException("bad method '" + Text.oneLine(method) + "': -X takes an HTTP method, a token"
                    + " of letters such as GET, POST or PUT");
        }
        if (method.equalsIgnoreCase("CONNECT")) { // the JDK's client refuses it: it asks for a tunnel, not an answer
            throw new ClientException("-X CONNECT cannot invoke a function: use GET, POST, PUT or another method");
        }
        byte[] body = body();
        Map<String, List<String>> requestHeaders = parseHeaders();
        if (body.length > 0 && requestHeaders.keySet().stream().noneMatch(h -> h.equalsIgnoreCase("Content-Type"))) {
            requestHeaders.put("Content-Type", List.of(looksLikeJson(body) ? "application/json"
                    : "application/octet-stream"));
        }
        String target = target();
        if (async) {
            if (!method.equalsIgnoreCase("POST")) {
                throw new ClientException("--async always POSTs: leave out -X");
            }
            Reply reply = client.send("POST", "/async/" + target, requestHeaders, body).orThrow();
            if (!printedJson(reply)) {
                terminal.out().println(Text.cell(reply.json().get("invocationId")));
            }
            return 0;
        }
        Reply reply = client.send(method.toUpperCase(Locale.ROOT), "/invoke/" + target, requestHeaders, body);
        if (reply.failed() && !reply.fromFunction()) {
            throw reply.serverError(invocationOf(reply));
        }
        // The function's own answer, whatever its status: the caller may want its body.
        write(reply.body(), terminal.stdoutIsTerminal());
        if (reply.failed()) {
            throw new ClientException("the function answered HTTP " + reply.status() + invocationOf(reply));
        }
        return 0;
    }

    /** The route's tail: {@code NAME[@N][/sub/path][?query]}. */
    private String target() {
        int end = name.length();
        for (char separator : new char[]{'/', '?'}) {
            int at = name.indexOf(separator);
            if (at >= 0) {
                end = Math.min(end, at);
            }
        }
        String function = name.substring(0, end);
        if (function.isEmpty()) {
            throw new ClientException("which function? ./glambdar invoke NAME");
        }
        if (version != null && function.contains("@")) {
            throw new ClientException("give the version once: NAME@N or --version N");
        }
        return segment(function).replace("%40", "@") + (version == null ? "" : "@" + version)
                + TypedUrlPart.encode(name.substring(end));
    }

    private byte[] body() {
        if (dataRaw != null) {
            return dataRaw.getBytes(StandardCharsets.UTF_8);
        }
        if (data == null) {
            return terminal.stdinIsTerminal() ? new byte[0] : readStdin();
        }
        if (!data.startsWith("@")) {
            return data.getBytes(StandardCharsets.UTF_8);
        }
        String file = data.substring(1);
        if (file.equals("-")) {
            return readStdin();
        }
        if (file.isEmpty()) {
            throw new ClientException("-d @ needs a file name: -d @FILE (or --data-raw for a body starting with @)");
        }
        try {
            return Files.readAllBytes(Path.of(file));
        } catch (NoSuchFileException e) {
            throw new ClientException("no such file: " + Text.oneLine(file) + " (from -d @" + Text.oneLine(file)
                    + "; for a body starting with @, use --data-raw)");
        } catch (IOException | java.nio.file.InvalidPathException e) {
            throw new ClientException("cannot read " + Text.oneLine(file) + ": " + Text.oneLine(e.getMessage()));
        }
    }

    private byte[] readStdin() {
        try {
            return terminal.in().readAllBytes();
        } catch (IOException e) {
            throw new ClientException("cannot read stdin: " + Text.oneLine(e.getMessage()));
        }
    }

    private Map<String, List<String>> parseHeaders() {
        Map<String, List<String>> parsed = new LinkedHashMap<>();
        for (String header : headers) {
            int colon = header.indexOf(':');
            String headerName = colon > 0 ? header.substring(0, colon).strip() : "";
            if (headerName.isEmpty() || !headerName.chars().allMatch(InvokeCommand::isTokenChar)
                    || header.indexOf('\r') >= 0 || header.indexOf('\n') >= 0) {
                throw new ClientException("bad header '" + Text.oneLine(header) + "': use -H 'Name: value'");
            }
            parsed.computeIfAbsent(headerName, h -> new ArrayList<>()).add(header.substring(colon + 1).strip());
        }
        return parsed;
    }

    /** RFC 9110's token characters: what a header name or a method may be made of. */
    private static boolean isTokenChar(int c) {
        return c > 32 && c < 127 && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }

    /** A body that starts like a JSON object or array is sent as JSON unless a Content-Type says otherwise. */
    private static boolean looksLikeJson(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return b == '{' || b == '[';
            }
        }
        return false;
    }

    private static String invocationOf(Reply reply) {
        String id = reply.header("x-glambdar-invocation-id");
        return id == null ? "" : "; invocation " + Text.oneLine(id);
    }
}
