package dev.regions.internal.stats;

import dev.regions.MemorySource;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Memory leased from a {@link MemorySource}: the segment one {@code allocate} call returned,
 * which goes back to that source, exactly as it was returned, once no lane holds it any more.
 *
 * <p>Usually one lane holds a lease. A merge can leave two holding one block: the destination
 * holds the pieces it received, the source region goes on carving the same block above them (so
 * that merging after every few pieces wastes nothing). Whoever lets go last gives the memory back.
 * The block's bytes count in the gross bytes of exactly one holder ({@link #countedBy}); when
 * that one lets go, they move to another.
 *
 * <p>A lease lives on the ledger side (see {@link Ledger}): it references no arena and no lane (its
 * block does not either),
 * so that the cleaner that reclaims an unreachable region can reach every lease without keeping
 * the region reachable. Holder changes happen at merge, reset, close and reclaim, under this
 * object's monitor: two regions may let go of a shared lease on two threads at once.
 */
public final class Lease {
    public final MemorySource source;
    public final MemorySegment segment;
    public final long address;
    public final long byteSize;


    /** What is built on this memory (its block), once registered in the directory: for the reclaimer, which has no lane. */
    public Occupant occupant;


    /** What a reclaim must tell the block built on a lease, without knowing blocks. */
    public interface Occupant {

        /** The lane with {@code ledger} is gone: it carves here no more. */
        void leftBy(Ledger ledger);

        /** The memory goes back to its source: nothing may find the block any more. */
        void vacate();
    }

    private Ledger[] holders;
    private int holderCount;
    private Ledger countedBy;
    /**
     * Each holder's index in {@link #holders}, once there are more than {@value #FEW}: a source
     * region that keeps carving one block while it is merged into many regions in turn gives the
     * block a holder per merge, and {@code free} asks whether its lane holds the block
     * ({@link #isHeldBy}), which must stay O(1).
     */
    private Map<Ledger, Integer> index;
    private static final int FEW = 8;

    public Lease(MemorySource source, MemorySegment segment, long byteSize, Ledger taker) {
        this.source = source;
        this.segment = segment;
        this.address = segment.address();
        this.byteSize = byteSize;
        this.holders = new Ledger[] {taker};
        this.holderCount = 1;
        this.countedBy = taker;
        taker.addGross(byteSize);
    }

    /** {@code ledger} holds this lease too; returns false if it already did. */
    public synchronized boolean hold(Ledger ledger) {
        if (indexOf(ledger) >= 0) {
            return false;
        }
        if (holderCount == holders.length) {
            holders = Arrays.copyOf(holders, holderCount * 2);
        }
        holders[holderCount++] = ledger;
        if (index != null) {
            index.put(ledger, holderCount - 1);
        } else if (holderCount > FEW) {
            index = new IdentityHashMap<>();
            for (int i = 0; i < holderCount; i++) {
                index.put(holders[i], i);
            }
        }
        return true;
    }

    /**
     * {@code ledger} lets go. Returns true if no one holds the lease any more: the caller then
     * gives the memory back to the source (its gross bytes are already taken off).
     */
    public synchronized boolean letGo(Ledger ledger) {
        int i = indexOf(ledger);
        if (i < 0) {
            return false;
        }
        remove(i);
        if (countedBy == ledger) {
            countedBy = holderCount > 0 ? holders[0] : null;
            moveGross(ledger, countedBy);
        }
        return holderCount == 0;
    }

    /**
     * {@code from} hands its hold to {@code to} (a merge): the gross bytes follow if {@code from}
     * counted them. Returns false if {@code to} already held the lease.
     */
    public synchronized boolean transfer(Ledger from, Ledger to) {
        int i = indexOf(from);
        boolean added = indexOf(to) < 0;
        if (i >= 0) {
            if (added) {
                holders[i] = to;
                if (index != null) {
                    index.remove(from);
                    index.put(to, i);
                }
            } else {
                remove(i);
            }
            if (countedBy == from) {
                countedBy = to;
                moveGross(from, to);
            }
        }
        return added;
    }

    /** The gross bytes leave {@code from} for {@code to} (null: for the source), as one move for snapshots. */
    private void moveGross(Ledger from, Ledger to) {
        if (to == null) {
            from.addGross(-byteSize);
            return;
        }
        GlobalStats.moving();
        try {
            from.addGross(-byteSize);
            to.addGross(byteSize);
        } finally {
            GlobalStats.moved();
        }
    }

    public synchronized int holderCount() {
        return holderCount;
    }

    public synchronized boolean isHeldBy(Ledger ledger) {
        return indexOf(ledger) >= 0;
    }

    public synchronized boolean isCountedBy(Ledger ledger) {
        return countedBy == ledger;
    }

    /** Takes the holder at {@code i} out: the last one takes its place. */
    private void remove(int i) {
        Ledger gone = holders[i];
        Ledger moved = holders[--holderCount];
        holders[i] = moved;
        holders[holderCount] = null;
        if (index != null) {
            index.remove(gone);
            if (moved != gone) {
                index.put(moved, i);
            }
        }
    }

    private int indexOf(Ledger ledger) {
        if (index != null) {
            Integer i = index.get(ledger);
            return i == null ? -1 : i;
        }
        for (int i = 0; i < holderCount; i++) {
            if (holders[i] == ledger) {
                return i;
            }
        }
        return -1;
    }


    @Override
    public String toString() {
        return "lease of " + byteSize + " bytes at 0x" + Long.toHexString(address) + " from " + source;
    }
}
