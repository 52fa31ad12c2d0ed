package dev.regions;

import dev.regions.internal.Engine;

/**
 * Process-wide stats over every region. Replaces the original's {@code alloc_InitStat()} and
 * {@code alloc_GlobalGetStat(...)}.
 */
public final class Regions {
    private Regions() {
    }

    /**
     * The process's stats: live bytes, live count and gross bytes sum every open region (pieces
     * moved by a merge count once; a closed region no longer counts); allocations and frees count
     * every allocation and free in the process so far; the watermarks are the global live bytes'
     * highest and lowest since start or the last {@link #globalStatsAndResetPeaks()}.
     *
     * <p>Regions report their live bytes to the global watermarks in steps of 64 KiB (and at
     * every reset, close and merge), so that allocating and freeing touch no counter shared by
     * every thread of the process: the global watermarks may miss a swing of less than 64 KiB per
     * open region (a swing made of larger pieces is seen exactly); they never show a value the
     * global live bytes did not take. The global live bytes themselves are exact; for every
     * region's own watermarks, see {@link Region#stats()}.
     *
     * @return a snapshot of the global stats
     */
    public static RegionStats globalStats() {
        return Engine.globalStats(false);
    }

    /**
     * Like {@link #globalStats()}, then sets both watermarks to the current live bytes, as the
     * original's {@code alloc_GlobalGetStat} did on every read.
     *
     * @return the stats as they were before the watermarks were reset
     */
    public static RegionStats globalStatsAndResetPeaks() {
        return Engine.globalStats(true);
    }

    /**
     * How many regions this process has reclaimed so far: regions that became unreachable (with
     * every piece of theirs) before anyone closed them, a thread that ended with its region open
     * among them. Their memory went back to its source by itself, their stats left the global
     * stats, and each was reported as a warning on the {@code System.Logger} named
     * {@code dev.regions}. A program that closes its regions keeps this at 0.
     *
     * @return the count since the process started
     */
    public static long reclaimedRegions() {
        return Engine.reclaimed();
    }

    /**
     * A report of every open region, one line each, largest live bytes first, then a total:
     * name, kind, live, gross and peak bytes, pieces, limit (PostgreSQL's {@code MemoryContextStats}
     * for regions). A confined region's stats are read without its thread, so a region in use
     * may show a moment-old value.
     *
     * @return the report, one line per region and a total
     */
    public static String report() {
        return Engine.report();
    }
}
