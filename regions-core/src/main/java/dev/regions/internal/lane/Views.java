package dev.regions.internal.lane;

import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.Block;
import dev.regions.internal.stats.Ledger;

import java.lang.foreign.MemorySegment;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A lane's views of its blocks in its current generation: the block's memory bound to the
 * generation's scope ({@link Generation#bind}), which every piece handed out is a slice of. A
 * block is bound once per generation, when the lane first hands out a piece of it.
 *
 * <p>Views live here, not in the blocks, because a view reaches its generation's arena and so its
 * region (see {@link Generation}), and blocks are reachable from the process-wide
 * {@link AddressDirectory}: a block holding its view would keep every region reachable for ever.
 * A block records only which slot of which lane's table holds its view ({@link Block#slot}, by
 * the lane's {@link Ledger}); a lane that holds a block another lane has the slot of (a merge
 * shared it) keeps its view in a map instead.
 *
 * <p>Not thread-safe: used only under the lane's access (its thread, or its lock).
 */
public final class Views {
    private final Ledger owner;
    private Generation generation;
    private MemorySegment[] bySlot = new MemorySegment[8];
    private int slots;
    private Map<Block, MemorySegment> others;

    Views(Ledger owner, Generation generation) {
        this.owner = owner;
        this.generation = generation;
    }

    /** The view of {@code block} in the current generation. */
    MemorySegment of(Block block) {
        if (block.slotOwner == owner) {
            MemorySegment view = bySlot[block.slot];
            if (view != null) {
                return view;
            }
            return bySlot[block.slot] = generation.bind(block.base, block.byteSize);
        }
        if (others == null) {
            others = new IdentityHashMap<>();
        }
        return others.computeIfAbsent(block, b -> generation.bind(b.base, b.byteSize));
    }

    /** {@code block} joins this lane: it gets a slot, unless another lane has its slot already. */
    void add(Block block) {
        if (block.slotOwner != null && block.slotOwner != owner) {
            return;
        }
        if (slots == bySlot.length) {
            bySlot = java.util.Arrays.copyOf(bySlot, slots * 2);
        }
        block.slotOwner = owner;
        block.slot = slots++;
    }

    /** {@code block} leaves this lane (a merge moved it, or the lane let go of it). */
    void remove(Block block) {
        if (block.slotOwner == owner) {
            bySlot[block.slot] = null;
            block.slotOwner = null;
        } else if (others != null) {
            others.remove(block);
        }
    }

    /** A new generation: every view is bound anew when next used. */
    void start(Generation next) {
        generation = next;
        java.util.Arrays.fill(bySlot, 0, slots, null);
        others = null;
    }

    /** After a reset kept only {@code blocks}: they get the first slots. */
    void keepOnly(Iterable<? extends Block> blocks) {
        java.util.Arrays.fill(bySlot, 0, slots, null);
        slots = 0;
        others = null;
        for (Block b : blocks) {
            b.slotOwner = null;
            add(b);
        }
    }
}
