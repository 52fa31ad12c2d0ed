package dev.regions.management;

import java.lang.management.MemoryUsage;

/**
 * The process's regions, as JMX sees them: registered as {@code dev.regions:type=Regions} on the
 * platform MBean server when the first region is built, unless the system property
 * {@code regions.jmx} is {@code false}. If an MBean server exists by then (a JMX agent, a
 * monitoring library, a console that attached), the bean is registered before {@code build()}
 * returns; if none does, a daemon thread makes the platform server and registers the bean a
 * moment later, so that the first region of a process does not wait for it (a region built
 * once a server exists registers it on its own thread, waiting for that daemon if it is half
 * way). Attribute names follow
 * {@link java.lang.management.MemoryPoolMXBean}'s.
 */
public interface RegionsMXBean {

    /**
     * Every open region together: {@code used} is the live bytes (what callers hold),
     * {@code committed} the gross bytes (what the regions hold from their sources), {@code init} 0,
     * {@code max} undefined (-1).
     *
     * @return the usage now
     */
    MemoryUsage getUsage();

    /**
     * As {@link #getUsage()}, with {@code used} the highest live bytes since the process started
     * or the last {@link #resetPeakUsage()} (kept in steps of 64 KiB per region, see
     * {@code Regions.globalStats()}).
     *
     * @return the peak usage
     */
    MemoryUsage getPeakUsage();

    /** Sets the peak (and the low watermark) to the live bytes now, as {@code Regions.globalStatsAndResetPeaks()}. */
    void resetPeakUsage();

    /**
     * The live pieces of every open region.
     *
     * @return how many
     */
    long getLivePieces();

    /**
     * Pieces allocated in the process so far.
     *
     * @return how many
     */
    long getAllocations();

    /**
     * Pieces freed one by one in the process so far.
     *
     * @return how many
     */
    long getFrees();

    /**
     * Regions open now.
     *
     * @return how many
     */
    int getOpenRegions();

    /**
     * Regions reclaimed because nobody closed them ({@code Regions.reclaimedRegions()}).
     *
     * @return how many
     */
    long getReclaimedRegions();

    /**
     * The report of every open region ({@code Regions.report()}).
     *
     * @return one line per region and a total
     */
    String getReport();
}
