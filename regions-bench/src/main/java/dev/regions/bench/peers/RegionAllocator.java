package dev.regions.bench.peers;

import dev.regions.Region;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * Regions, as users get it: {@code region.allocate(size)}, {@code region.free(piece)},
 * {@code region.reset()} for a bulk release and {@code region.close()}. The region (confined,
 * shared, zeroing or not, bump) is chosen by {@link Peers}; this class is the same for all. A bump
 * region's {@code free} throws {@code UnsupportedOperationException}, as the interface allows.
 */
final class RegionAllocator implements PieceAllocator {
    private final Region region;

    RegionAllocator(Region region) {
        this.region = region;
    }

    @Override
    public Object allocate(long size) {
        MemorySegment piece = region.allocate(size);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        region.free((MemorySegment) piece);
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        region.reset();
    }

    @Override
    public long ownBytes() {
        return region.stats().grossBytes();
    }

    @Override
    public void close() {
        region.close();
    }
}
