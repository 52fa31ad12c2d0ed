package dev.regions.management;

import java.lang.management.MemoryUsage;

/**
 * One region, as JMX sees it: registered as
 * {@code dev.regions:type=Region,name=<its name>,id=<its number>} while a region built with
 * {@code Region.Builder.monitored(true)} is open. Attribute names follow
 * {@link java.lang.management.MemoryPoolMXBean}'s. The bean holds no reference to the region, so
 * it does not keep a region nobody closes from being reclaimed.
 */
public interface RegionMXBean {

    /**
     * The region's name.
     *
     * @return the name
     */
    String getName();

    /**
     * What kind of region it is.
     *
     * @return "confined to thread '...'" or "shared"
     */
    String getKind();

    /**
     * The region's memory: {@code used} is its live bytes, {@code committed} its gross bytes,
     * {@code max} its limit, {@code init} 0. {@code max} is -1 when there is no limit, and also
     * when the limit (on live bytes) is below the gross bytes, which {@code MemoryUsage} does not
     * allow; {@link #getLimit()} always gives the limit.
     *
     * @return the usage now
     */
    MemoryUsage getUsage();

    /**
     * As {@link #getUsage()}, with {@code used} the highest live bytes since the region was
     * built or its watermarks were last reset (a shared region used by several threads keeps it
     * in steps, see {@code Region.stats()}).
     *
     * @return the peak usage
     */
    MemoryUsage getPeakUsage();

    /**
     * The region's live pieces.
     *
     * @return how many
     */
    long getLivePieces();

    /**
     * The region's limit on live bytes.
     *
     * @return the limit, 0 for none
     */
    long getLimit();
}
