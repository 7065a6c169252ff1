package io.glambdar.ipc;

/**
 * One invocation's logs, put together from the log frames that bring its output as it is printed: the worker sends
 * that output once, and its reply says only how many bytes it left out ({@code droppedLogBytes}). The result is the
 * text the worker kept, cut and marked as worker.js cuts it, to {@link ReplyLimits#maxLogBytes()} in all.
 */
final class PrintedLogs {

    private final int maxBytes;
    /** Made at the first piece: most invocations print nothing. */
    private StringBuilder text;
    /** Bytes of pieces beyond what a worker can send (one that keeps to the limit never has any). */
    private long over;

    PrintedLogs(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    void add(String piece) {
        int kept = text == null ? 0 : text.length();
        if (kept + piece.length() <= maxBytes) { // chars, each at least a byte: bounds what is kept
            if (text == null) {
                text = new StringBuilder(piece.length());
            }
            text.append(piece);
        } else {
            over += Utf8Text.length(piece);
        }
    }

    /** @param dropped the bytes the worker left out, as its reply says */
    String logs(long dropped) {
        return Utf8Text.truncate(text == null ? "" : text.toString(), maxBytes, dropped + over);
    }
}
