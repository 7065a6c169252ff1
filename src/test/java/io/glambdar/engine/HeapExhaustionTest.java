package io.glambdar.engine;

import io.glambdar.sandbox.SandboxExit;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HeapExhaustionTest {

    private static final String V8_OUTPUT = """
            <--- Last few GCs --->
            [7:0x5e0] 279 ms: Mark-Compact 189.9 (196.5) -> 189.5 (197.2) MB, allocation failure

            <--- JS stacktrace --->

            FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
            ----- Native stack trace -----
             1: 0xb78db3 node::OOMErrorHandler(char const*, v8::OOMDetails const&) [node]
            """;

    @Test
    void v8sFatalErrorAndAnAbortAreRunningOutOfHeapWhetherAsPid1OrUnderAnInit() {
        assertThat(HeapExhaustion.reported(V8_OUTPUT, new SandboxExit(134, false))).isTrue();
        assertThat(HeapExhaustion.reported(V8_OUTPUT, new SandboxExit(139, false))).isTrue();
        assertThat(HeapExhaustion.reported("FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed"
                + " - JavaScript heap out of memory\n", new SandboxExit(134, false))).isTrue();
    }

    @Test
    void theLineAloneIsNotEnoughNorAnAbortWithoutIt() {
        assertThat(HeapExhaustion.reported(V8_OUTPUT, new SandboxExit(1, false))).as("printed, then exit(1)").isFalse();
        assertThat(HeapExhaustion.reported(V8_OUTPUT, SandboxExit.UNKNOWN)).isFalse();
        assertThat(HeapExhaustion.reported("segfault in a native addon\n", new SandboxExit(139, false))).isFalse();
        assertThat(HeapExhaustion.reported("log: FATAL ERROR: ... JavaScript heap out of memory\n",
                new SandboxExit(134, false))).as("not at a line's start").isFalse();
    }

    @Test
    void itSaysWhatTheHeapReachedAndHowToRaiseIt() {
        assertThat(HeapExhaustion.describe(240L * 1024 * 1024, 256)).isEqualTo("ran out of memory: its JavaScript"
                + " heap reached its limit of 240 MB, which Node sets from the function's 256 MB \"memory\" (raise"
                + " \"memory\" in glambdar.json, or hold less in memory at once)");
        assertThat(HeapExhaustion.describe(null, 256)).contains("heap reached its limit, which Node sets");
    }
}
