package dev.regions.internal.lane;

import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.stats.PendingFrees;

import java.lang.foreign.MemorySegment;

/**
 * Frees across lanes: in a shared region a thread that frees a piece of another lane does not
 * take that lane's lock and never waits for it. It checks that the segment is a live carved piece
 * of the lane exactly as {@link Lane#free} would, marks it free in its block, and pushes it onto
 * the lane's {@link PendingFrees} with one compare-and-set (mimalloc's {@code thread_free} list).
 * The lane takes the whole stack back with one swap when a size class runs dry (its allocation)
 * and whenever the region takes every lane's lock ({@link #drainInto}); only then do the pieces
 * serve again.
 *
 * <p>Why it is safe without the lane's lock: the freeing thread holds its own lane's lock, so no
 * operation on the whole region (which takes every lock) runs meanwhile, and what it reads of the
 * lane (its generations, the block's view owner and mark, whether it is closed) changes only in
 * those. The lane's own thread writes only the codes of units that are free, and moves the
 * block's pointer up: a live piece's code is written by no one but the thread that frees it.
 * Entries are objects on the Java heap, never links in freed memory.
 *
 * <p>What it cannot tell: two threads freeing the same piece at the same instant (a race in the
 * caller's code) may both pass the check before either marks it; the piece is then twice in the
 * lane's lists. Freed one after the other, the second is refused as always.
 *
 * <p>The figures: the ledgers' readers subtract what waits ({@link PendingFrees}); for a shared
 * region's counter in steps, {@link #drained} and {@link #freedForOthers} keep each lane's share
 * exact without touching another lane (see {@code SharedStats}).
 */
public final class RemoteFrees {
    /** Bytes of other lanes' frees this lane took back, and bytes this lane's threads freed in other lanes, since the region last settled. */
    public long drained, freedForOthers;

    /**
     * A piece waiting. It names its generation by id, not by reference: the stack hangs off the
     * ledger, which the process-wide records reach, and a generation reaches its region, which
     * must stay free to become unreachable (and be reclaimed) with pieces waiting.
     */
    private static final class Entry extends PendingFrees.Node {
        final CarvedBlock block;
        final int unit;
        final long generation;

        Entry(CarvedBlock block, int unit, long byteSize, long generation) {
            super(byteSize);
            this.block = block;
            this.unit = unit;
            this.generation = generation;
        }
    }

    /**
     * Frees {@code piece} of {@code owner}, whose block is {@code found}, from a thread that does
     * not hold the owner's lock (it holds its own lane's). Returns false, having changed nothing,
     * unless the segment is a live carved piece of the owner exactly as handed out: the caller then
     * frees it under the owner's lock, which says what is wrong with it.
     */
    public static boolean tryFree(Lane owner, Block found, MemorySegment piece) {
        long address = piece.address();
        long byteSize = piece.byteSize();
        if (!(found instanceof CarvedBlock block) || !owner.plain || byteSize - 1 >= SizeClasses.MEDIUM_MAX
                || byteSize <= 0 || (address & (SizeClasses.UNIT - 1)) != 0 || block.slotOwner != owner.ledger
                || piece.isReadOnly() || owner.isClosed() || owner.callouts.isCalloutThread()) {
            return false;
        }
        int unit = (int) ((address - block.base) >>> SizeClasses.UNIT_SHIFT);
        Generation generation;
        if (unit < block.mark || unit >= block.top || block.liveSizeAt(unit) != byteSize
                || (generation = owner.generations.find(piece.scope())) == null) {
            return false;
        }
        block.markFree(unit);
        owner.ledger.pending.push(new Entry(block, unit, byteSize, generation.id));
        return true;
    }

    /** Takes every piece other threads freed into {@code lane}'s free lists and figures (under the lane's access). */
    public void drainInto(Lane lane) {
        if (!lane.ledger.pending.any()) {
            return;
        }
        for (PendingFrees.Node n = lane.ledger.pending.takeAll(); n != null; n = n.next()) {
            Entry e = (Entry) n;
            // every whole-region operation drains first, so the generation is still the lane's
            Generation generation = lane.generations.findById(e.generation);
            if (generation == null) { // cannot happen; were it to, the piece died with its generation
                assert false : "a piece freed across lanes outlived its generation";
                continue;
            }
            lane.free.push(SizeClasses.classOf(e.byteSize), e.block, e.unit);
            generation.liveBytes -= e.byteSize;
            generation.liveCount--;
            lane.ledger.freed(e.byteSize);
            drained += e.byteSize;
        }
    }
}
