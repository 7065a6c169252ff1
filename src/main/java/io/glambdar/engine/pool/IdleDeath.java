package io.glambdar.engine.pool;

import io.glambdar.ipc.SafeText;
import io.glambdar.sandbox.Sandbox;
import io.glambdar.sandbox.SandboxExit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;

/**
 * A warm container whose worker died between invocations (a timer of the function threw after its reply, say): no
 * invocation is running to fail, so the server's log says so, with how it ended and the end of what it printed.
 */
final class IdleDeath {

    private static final Logger log = LoggerFactory.getLogger(IdleDeath.class);
    /** Asking Docker how it ended and what it printed: bounded, as it explains and never blocks an invocation. */
    private static final Duration EXPLAIN_AT_MOST = Duration.ofSeconds(2);
    private static final int READ_BYTES = 64 * 1024;
    /** The end of its output shown: enough for an error and the top of its stack. */
    private static final int TAIL_CHARS = 2000;

    private IdleDeath() {
    }

    /** @param idleSince when its last invocation ended: what it printed since is what explains the death */
    static void report(String functionName, int memoryMb, Sandbox sandbox, Instant idleSince) {
        SandboxExit exit = sandbox.exit(EXPLAIN_AT_MOST);
        // Docker's times have 1 s resolution.
        String printed = sandbox.logs(idleSince.minusSeconds(1), READ_BYTES, EXPLAIN_AT_MOST);
        String tail = printed.substring(Math.max(0, printed.length() - TAIL_CHARS));
        // Quoted: the function wrote it, so it may be forged to look like log lines.
        log.warn("A warm container of {} ({}) died between invocations, its process {}; the end of its output: {}",
                functionName, sandbox.key(), exit.describe(memoryMb).replace(" before replying", ""),
                SafeText.quoted(tail, TAIL_CHARS));
    }
}
