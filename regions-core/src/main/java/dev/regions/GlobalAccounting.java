package dev.regions;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide figures behind {@link Regions#globalStats()}.
 *
 * <p>Counts and gross bytes are not kept twice: they are the sums of the open heaps' own figures
 * (plus the history of closed heaps), read when asked. The global watermarks need a global live
 * counter that sees the values the global live bytes take; updating it on every allocate and
 * free would put one atomic add on the hot path and, worse, one cache line that every thread of
 * every region writes. So each heap adds its change to the global counter in steps: when its
 * unpublished change reaches {@value #STEP} bytes either way, and at every reset, close and
 * merge. The global live bytes in a snapshot are still exact (counter plus every heap's
 * unpublished change); the global watermarks can miss a swing smaller than {@value #STEP} bytes
 * per open region. A region's own watermarks are always exact.
 *
 * <p>Figures are exact whenever no operation is in flight (for instance once the threads that
 * used the regions have been joined); a snapshot taken while threads allocate may mix before and
 * after values of different regions, and reads a confined region's counters without its thread.
 */
final class GlobalAccounting {
    private GlobalAccounting() {
    }

    /** How far a heap's live bytes may move before the global counter hears of it. */
    static final long STEP = 64 * 1024;

    private static final Set<Heap> OPEN = ConcurrentHashMap.newKeySet();
    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final AtomicLong LOW = new AtomicLong();
    private static final AtomicLong CLOSED_ALLOCATIONS = new AtomicLong();
    private static final AtomicLong CLOSED_FREES = new AtomicLong();

    static void opened(Heap heap) {
        OPEN.add(heap);
    }

    /**
     * The heap has given everything back; its history stays in the global counts. Synchronized
     * with {@link #snapshot} so that no snapshot counts the heap's history twice.
     */
    static synchronized void closed(Heap heap) {
        CLOSED_ALLOCATIONS.addAndGet(heap.allocations);
        CLOSED_FREES.addAndGet(heap.frees);
        OPEN.remove(heap);
    }

    /** A heap's live bytes moved by {@code delta} since it last published. */
    static void changed(long delta) {
        long live = LIVE_BYTES.addAndGet(delta);
        Watermarks.raise(PEAK, live);
        Watermarks.lower(LOW, live);
    }

    static synchronized RegionStats snapshot(boolean resetPeaks) {
        long count = 0;
        long gross = 0;
        long allocations = CLOSED_ALLOCATIONS.get();
        long frees = CLOSED_FREES.get();
        long live = LIVE_BYTES.get();
        for (Heap heap : OPEN) {
            live += heap.unpublished;
            count += heap.liveCount;
            gross += heap.grossBytes;
            allocations += heap.allocations;
            frees += heap.frees;
        }
        Watermarks.raise(PEAK, live); // a value seen is a value the live bytes took
        Watermarks.lower(LOW, live);
        RegionStats stats = new RegionStats(live, count, gross, PEAK.get(), LOW.get(), allocations, frees);
        if (resetPeaks) {
            PEAK.set(live);
            LOW.set(live);
        }
        return stats;
    }
}
