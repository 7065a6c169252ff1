package io.glambdar.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@code glambdar info NAME}: one function's metadata ({@code GET /info/:name}), one field a line. */
@Command(name = "info", description = "Show a function's metadata, settings and statistics.")
public final class InfoCommand extends ClientCommand {

    @Parameters(index = "0", paramLabel = "NAME", description = "The function.")
    String name;

    @Override
    int run(GlambdarClient client) {
        return show(client, "/info/" + segment(name), fields -> printFields(fields, terminal));
    }

    /** Each field as {@code name  value}, aligned; objects as {@code k=v, ...}, lists comma-separated. */
    static void printFields(Map<String, Object> fields, Terminal terminal) {
        Table table = Table.withoutHeaders(2);
        fields.forEach((field, value) -> table.row(field + ":", show(field, value)));
        table.print(terminal.out());
    }

    private static String show(String field, Object value) {
        if (value instanceof Map<?, ?> map) {
            return map.entrySet().stream().map(e -> e.getKey() + "=" + show(String.valueOf(e.getKey()), e.getValue()))
                    .collect(Collectors.joining(", "));
        }
        if (value instanceof List<?> list) {
            return list.isEmpty() ? "-" : list.stream().map(v -> show(field, v)).collect(Collectors.joining(", "));
        }
        if (field.endsWith("At") && value instanceof String) {
            return Text.time(value);
        }
        return Text.cell(value);
    }
}
