package dev.regions.internal;

import java.lang.foreign.MemorySegment;

/**
 * Memory a heap took from its source in one call, as the heap sees it: where pieces are cut
 * from, and what {@link AddressDirectory} maps their addresses to. Two kinds: a
 * {@link CarvedBlock} holds many small and medium pieces back to back, a {@link LargeBlock} one
 * large piece at a time. The memory itself, and who must give it back, is the block's
 * {@link Lease}.
 *
 * <p>Pieces are slices of a <em>view</em> of the block: the block's memory bound to the
 * generation that hands them out ({@link Generation#bind}). The view of the generation last asked
 * for is kept ({@link #viewFor}); a new generation binds the block anew, once.
 *
 * <p>Guarded by the heap that holds it (its thread, or its lane's lock).
 */
abstract sealed class Block permits CarvedBlock, LargeBlock {
    final Lease lease;
    final long base;
    final long byteSize;
    /** The lane of the shared region whose heap holds the block (0 in a confined region); merges keep it. */
    final int lane;
    private MemorySegment view;
    private Generation viewGeneration;

    Block(Lease lease, int lane) {
        this.lease = lease;
        this.base = lease.address;
        this.byteSize = lease.byteSize;
        this.lane = lane;
    }

    /** The block bound to {@code generation} (binding it if the last view was of another). */
    final MemorySegment viewFor(Generation generation) {
        if (viewGeneration != generation) {
            view = generation.bind(base, byteSize);
            viewGeneration = generation;
        }
        return view;
    }

    /** Whether {@code address} lies in this block. */
    final boolean contains(long address) {
        return address - base >= 0 && address - base < byteSize;
    }
}
