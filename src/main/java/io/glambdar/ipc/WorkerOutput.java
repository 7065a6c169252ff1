package io.glambdar.ipc;

/**
 * Told of what the function prints while an invocation runs, as the worker's log frames bring it: pieces of text, not
 * lines (a line may span pieces, a piece may hold many lines). Called on the invocation's thread, between reads of
 * the socket, so it must be quick.
 */
@FunctionalInterface
public interface WorkerOutput {

    WorkerOutput NONE = (stream, text) -> {
    };

    /** @param text UTF-8 text as the worker sent it, at most {@link ReplyLimits#maxLogBytes()} of it per piece */
    void printed(LogStream stream, String text);
}
