package dev.regions;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide figures behind {@link Regions#globalStats()}: every heap reports each change
 * of its live and gross bytes here as it happens, so the global watermarks see every value the
 * global live bytes take (each new value is produced by exactly one atomic add, and that thread
 * raises the peak or lowers the low to it).
 *
 * <p>Figures are exact whenever no operation is in flight; a snapshot taken while threads
 * allocate may mix before and after values of different fields.
 */
final class GlobalAccounting {
    private GlobalAccounting() {
    }

    private static final AtomicLong LIVE_BYTES = new AtomicLong();
    private static final AtomicLong LIVE_COUNT = new AtomicLong();
    private static final AtomicLong GROSS_BYTES = new AtomicLong();
    private static final AtomicLong PEAK = new AtomicLong();
    private static final AtomicLong LOW = new AtomicLong();
    private static final AtomicLong ALLOCATIONS = new AtomicLong();
    private static final AtomicLong FREES = new AtomicLong();

    static void allocated(long byteSize) {
        ALLOCATIONS.incrementAndGet();
        LIVE_COUNT.incrementAndGet();
        raisePeak(LIVE_BYTES.addAndGet(byteSize));
    }

    static void freed(long byteSize) {
        FREES.incrementAndGet();
        LIVE_COUNT.decrementAndGet();
        lowerLow(LIVE_BYTES.addAndGet(-byteSize));
    }

    /** Pieces that died together (reset, close). */
    static void released(long byteSize, long count) {
        LIVE_COUNT.addAndGet(-count);
        lowerLow(LIVE_BYTES.addAndGet(-byteSize));
    }

    static void gross(long delta) {
        GROSS_BYTES.addAndGet(delta);
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
        long live = LIVE_BYTES.get();
        RegionStats stats = new RegionStats(live, LIVE_COUNT.get(), GROSS_BYTES.get(), PEAK.get(), LOW.get(),
                ALLOCATIONS.get(), FREES.get());
        if (resetPeaks) {
            PEAK.set(live);
            LOW.set(live);
        }
        return stats;
    }
}
