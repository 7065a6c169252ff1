package io.glambdar.ipc;

/**
 * One invocation's logs, put together from the log frames that bring all its output as it is printed: its start and
 * its end (the last lines before a return or a crash are what a user debugs with), with one marker between them that
 * says how many bytes were dropped, {@link ReplyLimits#maxLogBytes()} in all. A worker may send without end: only
 * the start and a bounded end are held, what falls between is counted and let go.
 */
final class PrintedLogs {

    /** UTF-8 bytes of the start kept, at most: a quarter of the limit, or this. */
    static final int MAX_HEAD_BYTES = 4 * 1024;

    private final int maxBytes;
    private final int headChars;
    /** The start, up to {@link #headChars} chars; made at the first piece: most invocations print nothing. */
    private StringBuilder head;
    /** What came after the start, its own start trimmed off past twice the limit (in chars, each a byte or more). */
    private StringBuilder tail;
    /** Bytes trimmed off the tail's start, never to be shown. */
    private long trimmed;

    PrintedLogs(int maxBytes) {
        this.maxBytes = maxBytes;
        this.headChars = Math.min(MAX_HEAD_BYTES, maxBytes / 4);
    }

    void add(String piece) {
        if (piece.isEmpty()) {
            return;
        }
        if (head == null) {
            head = new StringBuilder();
        }
        int toHead = Math.min(piece.length(), headChars - head.length());
        head.append(piece, 0, toHead);
        if (toHead == piece.length()) {
            return;
        }
        if (tail == null) {
            tail = new StringBuilder();
        }
        tail.append(piece, toHead, piece.length());
        if (tail.length() > 2 * maxBytes) { // trimmed seldom, so each char is copied a bounded number of times
            int cut = tail.length() - maxBytes;
            trimmed += Utf8Text.length(tail.substring(0, cut));
            tail.delete(0, cut);
        }
    }

    /** @param dropped bytes the worker says it left out itself (one that keeps to the protocol leaves out none) */
    String logs(long dropped) {
        String start = head == null ? "" : head.toString();
        String end = tail == null ? "" : tail.toString();
        if (dropped == 0 && trimmed == 0 && Utf8Text.length(start) + Utf8Text.length(end) <= maxBytes) {
            return start + end;
        }
        String kept = Utf8Text.startWithin(start, headChars);
        long keptBytes = Utf8Text.length(kept);
        String last = Utf8Text.endWithin(end, (int) (maxBytes - Utf8Text.MARKER_ROOM - keptBytes));
        long left = Utf8Text.length(start) - keptBytes + trimmed + Utf8Text.length(end) - Utf8Text.length(last)
                + dropped;
        return kept + "\n[... " + left + " bytes dropped]\n" + last;
    }
}
