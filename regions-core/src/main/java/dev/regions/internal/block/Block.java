package dev.regions.internal.block;

import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

/**
 * Memory a lane took from its source in one call, as the lane sees it: where pieces are cut
 * from, and what {@link AddressDirectory} maps their addresses to. Two kinds: a
 * {@link CarvedBlock} holds many small and medium pieces back to back, a {@link LargeBlock} one
 * large piece at a time. The memory itself, and who must give it back, is the block's
 * {@link Lease}.
 *
 * <p>Pieces are slices of a <em>view</em> of the block: its memory bound to the generation that
 * hands them out. A lane keeps its views apart ({@code Views}): a block references no arena, lane
 * or generation, so that the process-wide {@link AddressDirectory} can hold it without keeping
 * any region reachable.
 *
 * <p>Used only under the access of the lane that holds it (its thread, or its lock).
 */
public abstract sealed class Block implements Lease.Occupant permits CarvedBlock, LargeBlock {

    public final Lease lease;
    public final long base;
    public final long byteSize;
    /** The index of the lane that holds the block (0 in a confined region); merges keep it. */
    public final int laneIndex;
    /** The block this one lies in, if it was registered inside another region's block (see {@link AddressDirectory}). */
    public Block shadowed;
    /** Which lane's {@code Views} has a slot for this block, by its ledger, and which slot. */
    public Ledger slotOwner;
    public int slot;


    Block(Lease lease, int laneIndex) {
        this.lease = lease;
        this.base = lease.address;
        this.byteSize = lease.byteSize;
        this.laneIndex = laneIndex;
    }

    @Override
    public void leftBy(Ledger ledger) {
    }

    @Override
    public final void vacate() {
        AddressDirectory.unregister(this);
    }

    /** Whether {@code address} lies in this block. */
    public final boolean contains(long address) {
        return address - base >= 0 && address - base < byteSize;
    }
}
