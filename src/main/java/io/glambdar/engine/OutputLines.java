package io.glambdar.engine;

import io.glambdar.ipc.LogStream;
import io.glambdar.ipc.WorkerOutput;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One invocation's live output, turned from the pieces the worker sends into whole lines for an
 * {@link OutputListener}: a piece may end mid-line (kept until the rest comes) or hold many lines. Not thread-safe:
 * only the invocation's thread uses it.
 */
final class OutputLines implements WorkerOutput {

    private final OutputListener listener;
    /** The start of a line not yet ended, per stream; made at the first such (most invocations print none). */
    private Map<OutputListener.Stream, StringBuilder> partial;
    /** The last line passed on, from either stream: where a container's own record of its output catches up. */
    private String lastLine;

    OutputLines(OutputListener listener) {
        this.listener = listener;
    }

    @Override
    public void printed(LogStream stream, String text) {
        OutputListener.Stream to = stream == LogStream.STDERR ? OutputListener.Stream.STDERR
                : OutputListener.Stream.STDOUT;
        StringBuilder held = partial == null ? null : partial.get(to);
        int start = 0;
        for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
            if (held != null && !held.isEmpty()) {
                held.append(text, start, end);
                emit(to, held.toString());
                held.setLength(0);
            } else {
                emit(to, text.substring(start, end));
            }
            start = end + 1;
        }
        if (start < text.length()) {
            if (partial == null) {
                partial = new EnumMap<>(OutputListener.Stream.class);
            }
            partial.computeIfAbsent(to, s -> new StringBuilder()).append(text, start, text.length());
        }
    }

    /** The invocation ended: a last line without a line break is a line too. */
    void finish() {
        if (partial == null) {
            return;
        }
        partial.forEach((stream, held) -> {
            if (!held.isEmpty()) {
                emit(stream, held.toString());
                held.setLength(0);
            }
        });
    }

    /** Text printed that never came through log frames (while loading): every line of it. */
    void all(OutputListener.Stream stream, String text) {
        if (!text.isEmpty()) {
            text.lines().forEach(line -> emit(stream, line));
        }
    }

    /**
     * The container's own record of its output, read after its process was lost: the lines after the last one
     * already passed on (found from the end), or all of them when none was or it is not there.
     *
     * @return whether the record holds all that was passed on before (it has the last line, or there was none)
     */
    boolean after(OutputListener.Stream stream, String record) {
        List<String> lines = record.lines().toList();
        int last = lastLine == null ? -1 : lines.lastIndexOf(lastLine);
        boolean caughtUp = lastLine == null || last >= 0;
        lines.subList(last + 1, lines.size()).forEach(line -> emit(stream, line));
        return caughtUp;
    }

    private void emit(OutputListener.Stream stream, String line) {
        String text = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
        lastLine = text;
        listener.line(stream, text);
    }
}
