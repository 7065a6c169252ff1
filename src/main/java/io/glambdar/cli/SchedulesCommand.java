package io.glambdar.cli;

import picocli.CommandLine.Command;

/** {@code glambdar schedules}: every function's schedules, their next and last runs ({@code GET /schedules}). */
@Command(name = "schedules", description = "List the schedules of every function, with their next and last runs.")
public final class SchedulesCommand extends ClientCommand {

    @Override
    int run(GlambdarClient client) {
        return showTable(client, "/schedules", "schedules",
                "No schedules. A function declares them in its glambdar.json: \"schedules\".",
                new Table("FUNCTION", "INDEX", "CRON", "TIMEZONE", "NEXT RUN (UTC)", "LAST RUN (UTC)", "LAST STATUS",
                        "SKIPPED", "LAST INVOCATION"),
                schedule -> new Object[]{schedule.get("function"), schedule.get("index"), schedule.get("cron"),
                        schedule.get("timezone"), Text.time(schedule.get("nextRunAt")),
                        Text.time(schedule.get("lastRunAt")), schedule.get("lastStatus"), schedule.get("skipped"),
                        schedule.get("lastInvocationId")});
    }
}
