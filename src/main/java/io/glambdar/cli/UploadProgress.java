package io.glambdar.cli;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * A progress bar for a long upload, redrawn in place on a terminal ({@code \r}) each time the percentage moves:
 * {@code uploading hello.zip [#########           ]  45%  2.3 MB / 5.0 MB}.
 */
final class UploadProgress {

    /** Smaller uploads take a blink: no bar. */
    static final long LARGE_UPLOAD_BYTES = 1024 * 1024;
    private static final int WIDTH = 30;

    private final PrintStream terminal;
    private final String label;
    private final long total;
    private long sent;
    private int shownPercent = -1;
    private int shownLength;

    UploadProgress(PrintStream terminal, String label, long total) {
        this.terminal = terminal;
        this.label = label;
        this.total = total;
    }

    /** Counts {@code bytes} more as sent. */
    synchronized void advance(long bytes) {
        sent = Math.min(total, sent + bytes);
        int percent = total == 0 ? 100 : (int) (sent * 100 / total);
        if (percent != shownPercent) {
            shownPercent = percent;
            int filled = percent * WIDTH / 100;
            String line = "uploading " + label + " [" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] "
                    + String.format("%3d%%", percent) + "  " + Text.bytes(sent) + " / " + Text.bytes(total);
            // Spaces over what a longer line before left ("1023.9 KB" becomes "1.0 MB").
            terminal.print("\r" + line + " ".repeat(Math.max(0, shownLength - line.length())));
            shownLength = Math.max(shownLength, line.length());
            if (percent == 100) {
                terminal.println();
            }
            terminal.flush();
        }
    }

    /** Ends a bar the upload left short (refused or broken part-way), so that what comes next starts a line. */
    synchronized void end() {
        if (shownPercent >= 0 && shownPercent < 100) {
            terminal.println();
            terminal.flush();
            shownPercent = 100;
        }
    }

    /** {@code in}, counting what is read from it. */
    InputStream counting(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    advance(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    advance(n);
                }
                return n;
            }
        };
    }
}
