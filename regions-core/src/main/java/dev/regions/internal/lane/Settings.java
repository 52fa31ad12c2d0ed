package dev.regions.internal.lane;

import dev.regions.MemorySource;

/**
 * What a region was built with (see {@code Region.Builder}, which fills a {@link Builder} after
 * checking each argument). Immutable. A plain class rather than a record: Lincheck's model checker
 * cannot restore the fields of records it meets in a region's graph.
 */
public final class Settings {
    private final String name;
    private final boolean shared;
    private final long limit;
    private final long grossLimit;
    private final MemorySource source;
    private final boolean zeroing;
    private final boolean bump;
    private final boolean checked;
    private final boolean strictClose;
    private final int siteEvery;
    private final boolean monitored;

    private Settings(Builder b) {
        this.name = b.name;
        this.shared = b.shared;
        this.limit = b.limit;
        this.grossLimit = b.grossLimit;
        this.source = b.source;
        this.zeroing = b.zeroing;
        this.bump = b.bump;
        this.checked = b.checked && !b.bump; // a bump region's pieces have no records to check
        this.strictClose = b.strictClose;
        this.siteEvery = b.siteEvery;
        this.monitored = b.monitored;
    }

    /** The defaults of {@code Region.ofConfined()}: confined, on {@code malloc()}, zeroing, no limit. */
    public static Builder builder() {
        return new Builder();
    }

    /** A checked region records the site of one allocation in this many, unless told otherwise. */
    public static final int DEFAULT_SITE_EVERY = 64;

    /**
     * A builder preset with what a region built with this one as a template inherits: sharing, source,
     * zeroing and bump mode (the checked mode too, which {@code Region.Builder} resolves itself).
     */
    public Builder inherited() {
        return builder().shared(shared).source(source).zeroing(zeroing).bump(bump);
    }

    /** The name given, or null for a generated one. */
    public String name() {
        return name;
    }

    /** Any thread may use the region. */
    public boolean shared() {
        return shared;
    }

    /** The initial limit, 0 for none. */
    public long limit() {
        return limit;
    }

    /** The initial gross limit, 0 for none. */
    public long grossLimit() {
        return grossLimit;
    }

    /** Where its blocks come from. */
    public MemorySource source() {
        return source;
    }

    /** Whether pieces are zero-filled. */
    public boolean zeroing() {
        return zeroing;
    }

    /** Bump mode: no per-piece free. */
    public boolean bump() {
        return bump;
    }

    /** Checked mode: guard zones, a scope per piece, records. */
    public boolean checked() {
        return checked;
    }

    /** A checked region's close with live pieces throws. */
    public boolean strictClose() {
        return strictClose;
    }

    /** A checked region records the site of one allocation in this many. */
    public int siteEvery() {
        return siteEvery;
    }

    /** The region has a JMX bean of its own. */
    public boolean monitored() {
        return monitored;
    }

    /** Collects settings already checked by {@code Region.Builder}; each setter returns this builder. */
    public static final class Builder {
        private String name;
        private boolean shared;
        private long limit;
        private long grossLimit;
        private MemorySource source = MemorySource.malloc();
        private boolean zeroing = true;
        private boolean bump;
        private boolean checked;
        private boolean strictClose;
        private int siteEvery = DEFAULT_SITE_EVERY;
        private boolean monitored;

        private Builder() {
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder shared(boolean shared) {
            this.shared = shared;
            return this;
        }

        public Builder limit(long limit) {
            this.limit = limit;
            return this;
        }

        public Builder grossLimit(long grossLimit) {
            this.grossLimit = grossLimit;
            return this;
        }

        public Builder source(MemorySource source) {
            this.source = source;
            return this;
        }

        public Builder zeroing(boolean zeroing) {
            this.zeroing = zeroing;
            return this;
        }

        public Builder bump(boolean bump) {
            this.bump = bump;
            return this;
        }

        public Builder checked(boolean checked) {
            this.checked = checked;
            return this;
        }

        public Builder strictClose(boolean strictClose) {
            this.strictClose = strictClose;
            return this;
        }

        public Builder siteEvery(int siteEvery) {
            this.siteEvery = siteEvery;
            return this;
        }

        public Builder monitored(boolean monitored) {
            this.monitored = monitored;
            return this;
        }

        public Settings build() {
            return new Settings(this);
        }
    }
}
