package dev.regions.internal.lane;

import dev.regions.MemorySource;

/**
 * What a region was built with (see {@code Region.Builder}). A plain class rather than a record:
 * Lincheck's model checker cannot restore the fields of records it meets in a region's graph.
 */
public final class Settings {
    private final String name;
    private final boolean shared;
    private final long limit;
    private final MemorySource source;
    private final boolean zeroing;
    private final boolean bump;
    private final boolean checked;
    private final boolean strictClose;
    private final int siteEvery;
    private final boolean monitored;

    /**
     * @param name    the name given, or null for a generated one
     * @param shared  any thread may use it
     * @param limit   the initial limit, 0 for none
     * @param source  where its blocks come from
     * @param zeroing whether pieces are zero-filled
     * @param bump    bump mode: no per-piece free
     * @param checked checked mode: guards, a scope per piece, records
     * @param strictClose a checked region's close with live pieces throws
     * @param siteEvery a checked region records the site of one allocation in this many
     * @param monitored the region has a JMX bean of its own
     */
    public Settings(String name, boolean shared, long limit, MemorySource source, boolean zeroing, boolean bump,
            boolean checked, boolean strictClose, int siteEvery, boolean monitored) {
        this.name = name;
        this.shared = shared;
        this.limit = limit;
        this.source = source;
        this.zeroing = zeroing;
        this.bump = bump;
        this.checked = checked;
        this.strictClose = strictClose;
        this.siteEvery = siteEvery;
        this.monitored = monitored;
    }

    public String name() {
        return name;
    }

    public boolean shared() {
        return shared;
    }

    public long limit() {
        return limit;
    }

    public MemorySource source() {
        return source;
    }

    public boolean zeroing() {
        return zeroing;
    }

    public boolean bump() {
        return bump;
    }

    public boolean checked() {
        return checked;
    }

    public boolean strictClose() {
        return strictClose;
    }

    public int siteEvery() {
        return siteEvery;
    }

    public boolean monitored() {
        return monitored;
    }
}
