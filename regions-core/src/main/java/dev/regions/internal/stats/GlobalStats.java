package dev.regions.internal.stats;

import dev.regions.RegionStats;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process-wide stats behind {@code Regions.globalStats()}: sums over the {@link Ledger
 * ledgers} of every open lane, plus the history of closed ones.
 *
 * <p>Counts, gross bytes and history are read from the ledgers when asked; nothing global is
 * written on the hot path. The watermarks need a counter that sees the values the process's live
 * bytes take: each ledger tells {@link #LIVE} bounds on its live bytes in steps (see
 * {@link SteppedCounter}), a confined region's of {@value SteppedCounter#STEP} bytes, a shared
 * region's lanes' of that divided by the lane count, so the global watermarks may miss a swing
 * smaller than {@value SteppedCounter#STEP} bytes per open region, never show a value the live
 * bytes did not take; a snapshot, which sums the ledgers' exact live bytes, shows them the value
 * it read.
 *
 * <p>A snapshot is a possible state: live bytes and watermarks are never negative, and no piece
 * counts twice. Three things move stats between ledgers or out of them: a merge (live bytes
 * from one ledger to another), a close (a ledger leaves, its history joins the closed history)
 * and a lease changing hands (gross bytes). Each is bracketed by {@link #moving()} and
 * {@link #moved()}, and a snapshot retries until no such move overlapped its reading. Allocations
 * and frees on other threads still run while it reads: it sees each ledger at some moment of the
 * read, as a confined region's stats read from another thread are.
 */
public final class GlobalStats {
    private GlobalStats() {
    }

    static final SteppedCounter LIVE = new SteppedCounter();

    private static final Set<Ledger> OPEN = ConcurrentHashMap.newKeySet();
    private static final Set<RegionRecord> OPEN_REGIONS = ConcurrentHashMap.newKeySet();
    private static final AtomicLong CLOSED_ALLOCATIONS = new AtomicLong();
    private static final AtomicLong CLOSED_FREES = new AtomicLong();
    private static final AtomicLong MOVES_BEGUN = new AtomicLong();
    private static final AtomicLong MOVES_ENDED = new AtomicLong();

    public static void opened(Ledger ledger) {
        OPEN.add(ledger);
    }

    public static void regionOpened(RegionRecord record) {
        OPEN_REGIONS.add(record);
    }

    /**
     * What the layers above want told when a region is done (the monitoring unregisters its bean),
     * or null. Not a do-nothing lambda: that would bootstrap the process's first lambda on the
     * first region's path.
     */
    private static volatile java.util.function.Consumer<RegionRecord> whenDone;

    /** Installs the action {@link #regionDone} runs after taking a region out (one, for the monitoring). */
    public static void whenRegionDone(java.util.function.Consumer<RegionRecord> action) {
        whenDone = action;
    }

    /** The region was closed or reclaimed. */
    public static void regionDone(RegionRecord record) {
        OPEN_REGIONS.remove(record);
        java.util.function.Consumer<RegionRecord> action = whenDone;
        if (action != null) {
            action.accept(record);
        }
    }

    /** The records of the regions open now. */
    public static java.util.List<RegionRecord> openRegions() {
        return java.util.List.copyOf(OPEN_REGIONS);
    }

    /** Recentres the ledger's shares on its live bytes after they changed by {@code change} (see {@link SteppedCounter}). */
    static void publish(Ledger ledger, long change) {
        share(ledger, SteppedCounter.floorOf(ledger.liveBytes, ledger.step, change),
                SteppedCounter.ceilingOf(ledger.liveBytes, ledger.step, change));
    }

    private static void share(Ledger ledger, long floor, long ceiling) {
        long floorDelta = floor - ledger.globalFloor;
        long ceilingDelta = ceiling - ledger.globalCeiling;
        ledger.globalFloor = floor;
        ledger.globalCeiling = ceiling;
        LIVE.add(floorDelta, ceilingDelta);
    }

    static void moving() {
        MOVES_BEGUN.incrementAndGet();
    }

    static void moved() {
        MOVES_ENDED.incrementAndGet();
    }

    /** The ledger's lane has died: its live pieces with it, its history stays in the totals. */
    public static void closed(Ledger ledger) {
        moving();
        try {
            ledger.liveBytes = ledger.liveCount = ledger.lowLiveBytes = 0;
            share(ledger, 0, 0); // it leaves the sums
            if (OPEN.remove(ledger)) {
                CLOSED_ALLOCATIONS.addAndGet(ledger.allocations);
                CLOSED_FREES.addAndGet(ledger.frees);
            }
        } finally {
            moved();
        }
    }

    public static RegionStats snapshot(boolean resetWatermarks) {
        long live;
        long count;
        long gross;
        long allocations;
        long frees;
        while (true) {
            long begun = MOVES_BEGUN.get();
            if (MOVES_ENDED.get() != begun) {
                Thread.onSpinWait(); // a move is in flight: it takes nanoseconds
                continue;
            }
            live = count = gross = 0;
            allocations = CLOSED_ALLOCATIONS.get();
            frees = CLOSED_FREES.get();
            for (Ledger l : OPEN) {
                live += l.liveBytesNow();
                count += l.liveCountNow();
                gross += l.grossBytes();
                allocations += l.allocationsNow();
                frees += l.freesNow();
            }
            if (MOVES_BEGUN.get() == begun) {
                break;
            }
        }
        LIVE.observe(live);
        RegionStats stats = new RegionStats(live, count, gross, LIVE.peak(), LIVE.low(), allocations, frees);
        if (resetWatermarks) {
            LIVE.resetWatermarks(live);
        }
        return stats;
    }
}
