package dev.regions.internal.region;

import dev.regions.internal.lane.Heap;
import dev.regions.internal.stats.Ledger;

import dev.regions.RegionStats;

/**
 * A confined region's figures: its one heap's, exact at every step (the heap's ledger counts
 * every allocate and free, and the heap enforces the limit). Read from another thread, they may
 * be slightly stale, never torn.
 */
final class HeapFigures implements RegionFigures {
    private final Heap heap;

    HeapFigures(Heap heap) {
        this.heap = heap;
    }

    @Override
    public RegionStats stats() {
        Ledger l = heap.ledger;
        return new RegionStats(l.liveBytesNow(), l.liveCountNow(), l.grossBytes(), l.peakLiveBytes, l.lowLiveBytes,
                l.allocationsNow(), l.freesNow());
    }

    @Override
    public long limit() {
        return heap.limit;
    }

    @Override
    public long setLimit(long bytes) {
        long previous = heap.limit;
        heap.limit = bytes;
        return previous;
    }

    @Override
    public void resetWatermarks() {
        heap.ledger.resetWatermarks();
    }

    @Override
    public long liveBytes() {
        return heap.ledger.liveBytes;
    }

    @Override
    public void recount() {
        // the heap's ledger is the region's figures: nothing is kept apart from it
    }
}
