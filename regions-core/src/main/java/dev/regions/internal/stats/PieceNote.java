package dev.regions.internal.stats;

import dev.regions.PieceInfo;

import java.time.Duration;

/**
 * What a leak report says of one live checked piece, and nothing that reaches its region: the
 * checked mode keeps one per piece in the lane's {@link Ledger} too, so that the reclaimer can
 * report the pieces of a region nobody closed without holding the region.
 */
public final class PieceNote {
    private final long id;
    private final long byteSize;
    private final long address;
    private final long born = System.nanoTime();
    private final StackTraceElement site;

    public PieceNote(long id, long byteSize, long address, StackTraceElement site) {
        this.id = id;
        this.byteSize = byteSize;
        this.address = address;
        this.site = site;
    }

    /** The piece as a report lists it, its age counted to {@code now} ({@link System#nanoTime()}). */
    public PieceInfo info(long now) {
        return new PieceInfo(id, byteSize, address, Duration.ofNanos(now - born), site);
    }
}
