package io.glambdar.cli;

import picocli.CommandLine.Command;

import java.util.Map;

/** {@code glambdar schedules}: every function's schedules, their next and last runs ({@code GET /schedules}). */
@Command(name = "schedules", description = "List the schedules of every function, with their next and last runs.")
public final class SchedulesCommand extends ClientCommand {

    @Override
    int run(GlambdarClient client) {
        Reply reply = client.get("/schedules").orThrow();
        if (printedJson(reply)) {
            return 0;
        }
        var schedules = Json.objects(reply.json(), "schedules");
        if (schedules.isEmpty()) {
            terminal.out().println("No schedules. A function declares them in its glambdar.json: \"schedules\".");
            return 0;
        }
        Table table = new Table("FUNCTION", "INDEX", "CRON", "TIMEZONE", "NEXT RUN (UTC)", "LAST RUN (UTC)",
                "LAST STATUS", "SKIPPED", "LAST INVOCATION");
        for (Map<String, Object> schedule : schedules) {
            table.row(schedule.get("function"), schedule.get("index"), schedule.get("cron"), schedule.get("timezone"),
                    Text.time(schedule.get("nextRunAt")), Text.time(schedule.get("lastRunAt")),
                    schedule.get("lastStatus"), schedule.get("skipped"), schedule.get("lastInvocationId"));
        }
        table.print(terminal.out());
        return 0;
    }
}
