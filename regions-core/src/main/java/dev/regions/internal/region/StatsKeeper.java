package dev.regions.internal.region;

import dev.regions.RegionStats;

/**
 * The stats and the limit of a region as a whole, kept the way its kind needs: a confined
 * region's are its one lane's ({@link ConfinedStats}), a shared region's are summed across its
 * lanes ({@link SharedStats}). Every method runs under the region's access.
 */
sealed interface StatsKeeper permits ConfinedStats, SharedStats {

    RegionStats stats();

    long limit();

    /** Sets the limit; returns the previous one. */
    long setLimit(long bytes);

    /** Both watermarks to the live bytes. */
    void resetWatermarks();

    /** The live bytes, exactly. */
    long liveBytes();

    /** After a reset, close or merge changed the lanes' stats without passing through these. */
    void recount();
}
