package dev.regions;

import java.lang.foreign.MemorySegment;

/**
 * The block of one large piece (over {@link SizeClasses#MAX_SMALL} bytes, or aligned beyond a
 * page), taken from the source on its own and rounded up to a large size class.
 *
 * <p>A freed large block is <em>not</em> returned to the source: its stale segment is still
 * bound to a live generation, and the source might unmap the memory under it. It stays with the
 * heap on a per-class free stack and is reused for the next large piece of its class; a reset or
 * close ends the generation first and then returns it. So a region that frees large pieces keeps
 * their memory until it resets, at most one block per live-at-once piece per class.
 */
final class LargeBlock extends Block {
    final MemorySource source;
    final MemorySegment block;
    final long base;
    final long byteSize;
    final int largeClass;
    final MemorySegment view;
    /** The live piece's size, or -1 while the block is free. */
    long liveSize = -1;
    /** Where the live piece starts: 0, or the middle of the block for a zero-length piece. */
    long pieceOffset;

    /** Links in the heap's list of all its large blocks. */
    LargeBlock prev;
    LargeBlock next;
    /** Link in the heap's free stack of this class. */
    LargeBlock nextFree;

    LargeBlock(MemorySource source, MemorySegment block, long byteSize, int largeClass, Generation generation) {
        super(generation);
        this.source = source;
        this.block = block;
        this.base = block.address();
        this.byteSize = byteSize;
        this.largeClass = largeClass;
        this.view = generation.bind(base, byteSize);
    }
}
