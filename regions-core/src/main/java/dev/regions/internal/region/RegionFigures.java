package dev.regions.internal.region;

import dev.regions.RegionStats;

/**
 * The figures and the limit of a region as a whole, kept the way its kind needs: a confined
 * region's are its one heap's ({@link HeapFigures}), a shared region's are summed across its
 * lanes ({@link SharedFigures}). Every method runs under the region's guard.
 */
sealed interface RegionFigures permits HeapFigures, SharedFigures {

    RegionStats stats();

    long limit();

    /** Sets the limit; returns the previous one. */
    long setLimit(long bytes);

    /** Both watermarks to the live bytes. */
    void resetWatermarks();

    /** The live bytes, exactly. */
    long liveBytes();

    /** After a reset, close or merge changed the heaps' figures without passing through these. */
    void recount();
}
