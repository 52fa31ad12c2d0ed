package dev.regions.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The physical limit of a bump pointer: {@link SegmentAllocator#slicingAllocator} over one
 * segment allocated up front. A round's bulk release starts a new slicing allocator over the same
 * segment. Pieces are 16-byte aligned, like those of malloc and Regions. No per-piece free, no
 * zeroing after the first use, no bookkeeping: nothing an allocator that can free can be faster
 * than.
 */
final class SlicingAllocator implements PieceAllocator {
    private static final long ALIGNMENT = 16;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment backing;
    private SegmentAllocator slicer;

    SlicingAllocator(long capacity) {
        backing = arena.allocate(capacity, 4096);
        slicer = SegmentAllocator.slicingAllocator(backing);
    }

    @Override
    public Object allocate(long size) {
        MemorySegment piece = slicer.allocate(size, ALIGNMENT);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        throw new UnsupportedOperationException("a bump pointer frees only all at once");
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        slicer = SegmentAllocator.slicingAllocator(backing);
    }

    @Override
    public void close() {
        arena.close();
    }
}
