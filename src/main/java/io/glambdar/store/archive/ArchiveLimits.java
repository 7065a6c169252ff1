package io.glambdar.store.archive;

/**
 * How much a deployed zip may hold.
 *
 * @param maxEntries           most entries (files, folders, symbolic links, and ignored macOS metadata) the zip may list
 * @param maxUncompressedBytes most bytes the extracted files may add up to, counted as they are written
 */
public record ArchiveLimits(int maxEntries, long maxUncompressedBytes) {

    public static final int DEFAULT_MAX_ENTRIES = 10_000;
    public static final long DEFAULT_MAX_UNCOMPRESSED_BYTES = 250L * 1024 * 1024;

    /** 10,000 entries, 250 MiB. */
    public static final ArchiveLimits DEFAULTS = new ArchiveLimits(DEFAULT_MAX_ENTRIES, DEFAULT_MAX_UNCOMPRESSED_BYTES);

    public ArchiveLimits {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1, got " + maxEntries);
        }
        if (maxUncompressedBytes < 0) {
            throw new IllegalArgumentException("maxUncompressedBytes must not be negative, got " + maxUncompressedBytes);
        }
    }
}
