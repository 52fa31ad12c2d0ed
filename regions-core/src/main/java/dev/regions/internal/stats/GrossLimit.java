package dev.regions.internal.stats;

import dev.regions.internal.util.Refusals;

/**
 * A region's gross limit: a cap on the bytes it holds from its source (the gross bytes of its
 * lanes' ledgers, overhead included), checked before every source call, so that the source is
 * never asked for a block that would take the region over it. A lane reserves the block's bytes
 * before the call ({@link #reserve}) and turns the reservation into its lease after it
 * ({@link #taken}), under this object's monitor, so that lanes of a shared region taking blocks at
 * once never pass the cap together. Source calls are rare (one per block), so a monitor will do.
 *
 * <p>It caps only what the region asks for: blocks a merge brings in, or a cap lowered below the
 * gross bytes, may leave the region over it; it then takes nothing from the source until resets
 * or closes give blocks back. A reset keeps the blocks its generation carved, and they stay in
 * the gross bytes. References the region's record, never the region.
 */
public final class GrossLimit {
    private final RegionRecord record;
    private volatile long cap;
    /** Bytes asked of the source and not yet in a lease. */
    private long reserved;

    public GrossLimit(RegionRecord record, long cap) {
        this.record = record;
        this.cap = cap;
    }

    public long cap() {
        return cap;
    }

    /** Sets the cap; returns the previous one. */
    public synchronized long set(long bytes) {
        long previous = cap;
        cap = bytes;
        return previous;
    }

    /**
     * Reserves {@code bytes} for a source call, or throws if they would take the region over the
     * cap; returns false if there is no cap (nothing reserved).
     */
    public synchronized boolean reserve(String region, long bytes) {
        long limit = cap;
        if (limit == 0) {
            return false;
        }
        long gross = record.sums()[2] + reserved;
        if (bytes > limit - gross) {
            throw Refusals.grossLimitExceeded(region, bytes, gross, limit);
        }
        reserved += bytes;
        return true;
    }

    /** The call for {@code bytes} reserved failed, or its block is counted in a ledger now (call under this monitor). */
    public synchronized void taken(long bytes) {
        reserved -= bytes;
    }
}
