package io.glambdar.ipc;

/**
 * Holds one invocation's live output to the same total as its logs ({@link ReplyLimits#maxLogBytes()}), however many
 * log frames the worker sends: past it, pieces are cut, one note says so, and the rest is dropped.
 */
final class OutputBudget implements WorkerOutput {

    private final WorkerOutput target;
    private final int maxBytes;
    private long left;
    private boolean spent;

    OutputBudget(WorkerOutput target, int maxBytes) {
        this.target = target;
        this.maxBytes = maxBytes;
        this.left = maxBytes - Utf8Text.MARKER_ROOM; // room for the note, as in the logs' truncation marker
    }

    @Override
    public void printed(LogStream stream, String text) {
        if (spent || text.isEmpty()) {
            return;
        }
        long bytes = Utf8Text.length(text);
        if (bytes <= left) {
            left -= bytes;
            target.printed(stream, text);
            return;
        }
        spent = true;
        String start = Utf8Text.startWithin(text, (int) left);
        target.printed(stream, start + "\n[... output over " + maxBytes + " bytes is not shown live]\n");
    }
}
