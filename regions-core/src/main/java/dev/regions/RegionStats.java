package dev.regions;

/**
 * A snapshot of a region's stats, or of the whole process's ({@link Regions#globalStats()}).
 *
 * <p>Replaces the original's {@code alloc_GetStat} and {@code alloc_GlobalGetStat}.
 *
 * @param liveBytes     bytes of the pieces callers hold now (the sizes they asked for, net of
 *                      frees and resets)
 * @param liveCount     pieces callers hold now (zero-length pieces count)
 * @param grossBytes    bytes held from the {@link MemorySource} now, the allocator's own overhead
 *                      and free space included
 * @param peakLiveBytes highest {@code liveBytes} since creation or the last reset of peaks
 * @param lowLiveBytes  lowest {@code liveBytes} since creation or the last reset of peaks
 * @param allocations   pieces allocated since creation (history: never goes down)
 * @param frees         pieces released by {@link Region#free} since creation (history)
 */
public record RegionStats(
        long liveBytes,
        long liveCount,
        long grossBytes,
        long peakLiveBytes,
        long lowLiveBytes,
        long allocations,
        long frees) {
}
