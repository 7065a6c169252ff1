package io.glambdar.store;

import static io.glambdar.store.DeployRejectedException.quote;
import static org.assertj.core.api.Assertions.assertThat;

import io.glambdar.store.DeployRejectedException.Reason;
import org.junit.jupiter.api.Test;

class DeployRejectedExceptionTest {

    @Test
    void carriesReasonAndMessage() {
        DeployRejectedException e = new DeployRejectedException(Reason.CONFLICT, "a function named \"x\" exists");

        assertThat(e).isInstanceOf(RuntimeException.class).hasMessage("a function named \"x\" exists");
        assertThat(e.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(DeployRejectedException.badRequest("m").reason()).isEqualTo(Reason.BAD_REQUEST);
        assertThat(new DeployRejectedException(Reason.TOO_LARGE, "big", new IllegalStateException("internal")))
                .hasMessage("big");
    }

    @Test
    void quoteEscapesWhatCouldConfuseAReader() {
        assertThat(quote("plain")).isEqualTo("\"plain\"");
        assertThat(quote("")).isEqualTo("\"\"");
        assertThat(quote(null)).isEqualTo("null");
        assertThat(quote("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(quote("l1\nl2\r\t")).isEqualTo("\"l1\\nl2\\r\\t\"");
        assertThat(quote("nul\u0000 bell\u0007 del\u007f")).isEqualTo("\"nul\\u0000 bell\\u0007 del\\u007f\"");
        assertThat(quote("bidi\u202e zw\u200b")).isEqualTo("\"bidi\\u202e zw\\u200b\"");
        assertThat(quote("lone\ud800")).isEqualTo("\"lone\\ud800\"");
        assertThat(quote("héllo 名前 😀")).isEqualTo("\"héllo 名前 😀\"");
    }

    @Test
    void quoteTruncatesLongInput() {
        assertThat(quote("x".repeat(80))).isEqualTo("\"" + "x".repeat(80) + "\"");
        assertThat(quote("x".repeat(81))).isEqualTo("\"" + "x".repeat(80) + "…\"");
        assertThat(quote("😀".repeat(100))).isEqualTo("\"" + "😀".repeat(80) + "…\"");
    }
}
