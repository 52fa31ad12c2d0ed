package dev.regions.internal.region;

import dev.regions.RegionStats;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.stats.Ledger;

/**
 * A confined region's stats: its one lane's, exact at every step (the lane's ledger counts
 * every allocate and free, and the lane enforces the limit). Read from another thread, they may
 * be slightly stale, never torn.
 */
final class ConfinedStats implements StatsKeeper {
    private final Lane lane;

    ConfinedStats(Lane lane) {
        this.lane = lane;
    }

    @Override
    public RegionStats stats() {
        Ledger l = lane.ledger;
        return new RegionStats(l.liveBytesNow(), l.liveCountNow(), l.grossBytes(), l.peakLiveBytes, l.lowLiveBytes,
                l.allocationsNow(), l.freesNow());
    }

    @Override
    public long limit() {
        return lane.limit;
    }

    @Override
    public long setLimit(long bytes) {
        long previous = lane.limit;
        lane.limit = bytes;
        return previous;
    }

    @Override
    public void resetWatermarks() {
        lane.ledger.resetWatermarks();
    }

    @Override
    public long liveBytes() {
        return lane.ledger.liveBytes;
    }

    @Override
    public void recount() {
        // the lane's ledger is the region's stats: nothing is kept apart from it
    }
}
