package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;

import java.util.Locale;

/**
 * What an allocator holds, for the multi-threaded workloads that print it at the end of each
 * iteration: the allocator's own figure ({@link PieceAllocator#ownBytes()}: Regions'
 * {@code stats().grossBytes()}, Netty's used direct memory; -1 for malloc), the growth of glibc's
 * bytes in use ({@link MallocInfo}, process-wide: it counts malloc's pieces, and also whatever
 * the JVM itself mallocs meanwhile, and Netty's and Regions' native memory where that comes from
 * malloc) and the growth of the resident set (VmRSS: everything, JIT and thread stacks included)
 * since the baseline taken when this object was made, before the allocator existed.
 */
final class HeldMemory {
    private final long rss0 = SpaceBench.rss();
    private final long malloc0 = MallocInfo.inUse();

    /**
     * One line, {@code tag key=value ...}, bytes in full.
     *
     * @param tag the line's first word (for grep)
     * @param context the peer and parameters, already as {@code key=value} words
     * @param allocator the allocator measured
     * @param liveBytes the bytes the caller's live pieces asked for
     * @return the line
     */
    String line(String tag, String context, PieceAllocator allocator, long liveBytes) {
        long malloc1 = MallocInfo.inUse();
        long rss1 = SpaceBench.rss();
        return String.format(Locale.ROOT, "%s %s live=%d own=%d mallinfo-growth=%d rss-growth=%d", tag, context,
                liveBytes, allocator.ownBytes(), malloc0 < 0 ? -1 : malloc1 - malloc0,
                rss0 < 0 ? -1 : rss1 - rss0);
    }
}
