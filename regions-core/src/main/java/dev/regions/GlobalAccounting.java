package dev.regions;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide figures behind {@link Regions#globalStats()}.
 *
 * <p>Counts and gross bytes are not kept twice: they are the sums of the open heaps' own figures
 * (plus the history of closed heaps), read when asked. Only the live bytes need a global counter,
 * because the global watermarks must see every value the global live bytes take: each change is
 * one atomic add, and the thread whose add produced a new extreme raises the peak or lowers the
 * low to it. So the hot path pays one atomic add per allocate and per free.
 *
 * <p>Figures are exact whenever no operation is in flight (for instance once the threads that
 * used the regions have been joined); a snapshot taken while threads allocate may mix before and
 * after values of different regions, and reads a confined region's counters without its thread.
 */
final class GlobalAccounting {
    private GlobalAccounting() {
    }

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

    static void allocated(long byteSize) {
        long live = LIVE_BYTES.addAndGet(byteSize);
        if (live > PEAK.get()) {
            raisePeak(live);
        }
    }

    /** One piece freed, or the pieces of a reset or close, which die together. */
    static void freed(long byteSize) {
        long live = LIVE_BYTES.addAndGet(-byteSize);
        if (live < LOW.get()) {
            lowerLow(live);
        }
    }

    private static void raisePeak(long live) {
        long peak;
        while (live > (peak = PEAK.get()) && !PEAK.compareAndSet(peak, live)) {
            Thread.onSpinWait();
        }
    }

    private static void lowerLow(long live) {
        long low;
        while (live < (low = LOW.get()) && !LOW.compareAndSet(low, live)) {
            Thread.onSpinWait();
        }
    }

    static synchronized RegionStats snapshot(boolean resetPeaks) {
        long count = 0;
        long gross = 0;
        long allocations = CLOSED_ALLOCATIONS.get();
        long frees = CLOSED_FREES.get();
        for (Heap heap : OPEN) {
            count += heap.liveCount;
            gross += heap.grossBytes;
            allocations += heap.allocations;
            frees += heap.frees;
        }
        long live = LIVE_BYTES.get();
        RegionStats stats = new RegionStats(live, count, gross, PEAK.get(), LOW.get(), allocations, frees);
        if (resetPeaks) {
            PEAK.set(live);
            LOW.set(live);
        }
        return stats;
    }
}
