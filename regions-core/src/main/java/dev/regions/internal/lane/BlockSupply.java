package dev.regions.internal.lane;

import dev.regions.LimitExceededException;
import dev.regions.MemorySource;
import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.source.RawSource;
import dev.regions.internal.stats.GrossLimit;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Where a lane's blocks come from and go back to: it takes them from the source through the
 * lane's {@link Callouts}, checks what the source returned, registers them in the
 * {@link AddressDirectory}, lets go of them, and decides at each reset which carved blocks to
 * keep.
 *
 * <p><b>Growth.</b> A lane's first block is {@value SizeClasses#FIRST_BLOCK} bytes and each next
 * one about 1.4 times larger, up to {@value SizeClasses#MAX_BLOCK}
 * ({@link SizeClasses#nextBlockSize}): a region of a few pieces holds 4 KiB, one of many pays a
 * source call per megabyte. A growth factor of 2 can leave half the memory unused in the last
 * block; 1.4 leaves under a third, so a region of a few hundred small pieces stays within twice
 * its live bytes.
 *
 * <p><b>Keep on reset.</b> A reset keeps, of the carved blocks the lane alone holds, the ones it
 * carved in the generation that ended, so that the same work runs again
 * in the same blocks, in the same order, without a source call; it gives back the rest: blocks
 * merges brought in, and blocks an earlier, larger generation carved (else they would pile up).
 * A block another lane also holds stays as long as that lane does (see {@link Lease}).
 */
public final class BlockSupply {
    private final MemorySource source;
    private final boolean sourceZeroes;
    private final Ledger ledger;
    private final Callouts callouts;
    private final int laneIndex;
    private final Views views;
    private final String region;
    private long lastSize;

    /** Every carved block this lane holds, carving or not. */
    public final List<CarvedBlock> blocks = new ArrayList<>();
    /** Blocks kept by a reset (or brought by a merge) with room, carved after the current one. */
    private final ArrayDeque<CarvedBlock> roomy = new ArrayDeque<>();

    BlockSupply(String region, MemorySource source, Ledger ledger, Callouts callouts, int laneIndex, Views views) {
        this.region = region;
        this.source = source;
        this.sourceZeroes = RawSource.zeroes(source);
        this.ledger = ledger;
        this.callouts = callouts;
        this.laneIndex = laneIndex;
        this.views = views;
    }

    /** The next block to carve {@code units} units from: a kept one with room, or a new one. */
    CarvedBlock nextToCarve(int units) {
        while (!roomy.isEmpty()) {
            CarvedBlock next = roomy.poll();
            if (next.room() >= units) {
                return next; // the rest of the ones skipped waits for the next reset
            }
        }
        return newBlock((long) units << SizeClasses.UNIT_SHIFT);
    }

    /** A new carved block of at least {@code minBytes}, held by this lane. */
    private CarvedBlock newBlock(long minBytes) {
        long size = Math.max(SizeClasses.nextBlockSize(lastSize), SizeClasses.roundToBlock(minBytes));
        Lease lease = take(size, SizeClasses.BLOCK_ALIGNMENT);
        CarvedBlock block;
        try {
            block = new CarvedBlock(lease, laneIndex, sourceZeroes);
            register(block);
        } catch (Throwable e) {
            untake(lease, e);
            throw e;
        }
        lastSize = size;
        blocks.add(block);
        return block;
    }

    /** A new large block of {@code byteSize} bytes (a multiple of 4 KiB) aligned to {@code byteAlignment}. */
    LargeBlock newLargeBlock(long byteSize, long byteAlignment) {
        Lease lease = take(byteSize, Math.max(byteAlignment, SizeClasses.BLOCK_ALIGNMENT));
        try {
            LargeBlock block = new LargeBlock(lease, laneIndex, sourceZeroes);
            register(block);
            return block;
        } catch (Throwable e) {
            untake(lease, e);
            throw e;
        }
    }

    private void register(Block block) {
        AddressDirectory.register(block);
        block.lease.occupant = block;
        views.add(block);
    }

    /**
     * Takes a block from the source and counts it in the gross bytes. A block the region could
     * not safely bind (not native, too small, misaligned, read-only, or from a scope that already
     * ended) goes back to the source and the call fails.
     */
    private Lease take(long byteSize, long byteAlignment) {
        GrossLimit cap = ledger.grossLimit;
        boolean reserved;
        try {
            reserved = cap != null && cap.reserve(region, byteSize); // refused: nothing asked, nothing changed
        } catch (LimitExceededException refused) {
            RegionEvents.limitExceeded(region, byteSize, ledger.grossBytes(), cap.cap());
            throw refused;
        }
        MemorySegment block;
        try {
            block = callouts.allocate(source, byteSize, byteAlignment);
        } catch (Throwable e) {
            if (reserved) {
                cap.taken(byteSize);
            }
            throw e;
        }
        if (block == null || !block.isNative() || block.byteSize() < byteSize
                || (block.address() & (byteAlignment - 1)) != 0 || block.isReadOnly() || !block.scope().isAlive()) {
            if (reserved) {
                cap.taken(byteSize);
            }
            IllegalStateException bad = Refusals.badSource(source, block, byteSize, byteAlignment);
            if (block != null) {
                Refusals.addFailure(bad, callouts.giveBack(source, block));
            }
            throw bad;
        }
        Lease lease;
        if (reserved) {
            synchronized (cap) { // from reserved to counted at once: another lane never sees the bytes twice
                lease = new Lease(source, block, byteSize, ledger);
                cap.taken(byteSize);
            }
        } else {
            lease = new Lease(source, block, byteSize, ledger);
        }
        ledger.leases.add(lease);
        RegionEvents.sourceCall(region, "take", byteSize, source);
        return lease;
    }

    /** Gives back a lease just taken whose block could not be set up (the Java heap ran out). */
    private void untake(Lease lease, Throwable failure) {
        ledger.leases.remove(ledger.leases.size() - 1);
        lease.letGo(ledger);
        Refusals.addFailure(failure, callouts.giveBack(lease.source, lease.segment));
    }

    /**
     * Lets go of a block: if no other lane holds it, unregisters it and gives it back. Returns what
     * the source threw, or null. The caller rebuilds the ledger's list of leases.
     */
    Throwable letGo(Block block) {
        views.remove(block);
        if (!block.lease.letGo(ledger)) {
            return null;
        }
        AddressDirectory.unregister(block);
        RegionEvents.sourceCall(region, "give back", block.byteSize, block.lease.source);
        return callouts.giveBack(block.lease.source, block.lease.segment);
    }

    /**
     * After every generation of the lane ended: keeps the carved blocks worth keeping (for a
     * close, none), rewound, in the order they were carved, to carve them again, and lets go of
     * the rest. A shared block whose pieces above the mark were this lane's stays, rewound to its
     * mark. Returns the block to carve next, or null. What the source throws is added to
     * {@code failure[0]}.
     */
    CarvedBlock afterEnd(boolean closing, Generation ended, Throwable[] failure) {
        roomy.clear();
        if (!closing && allCarvedAlone(ended.id)) { // the common reset: every block is kept, rewound to its start
            for (CarvedBlock b : blocks) {
                b.mark = 0;
                b.rewind(0);
                b.carver = null;
                roomy.add(b);
            }
        } else {
            sortOut(closing, ended, failure);
        }
        CarvedBlock carving = roomy.poll();
        if (carving != null) {
            carving.carver = ledger;
        }
        return carving;
    }

    /**
     * Whether every block was carved in generation {@code id} and no merge ever shared one. A
     * loop of loads alone, with nothing depending on one block before the next is read: the
     * blocks of a region reset cold are cache misses, and this way they overlap instead of
     * following one another.
     */
    private boolean allCarvedAlone(long id) {
        int carved = 0;
        boolean shared = false;
        for (CarvedBlock b : blocks) {
            carved += b.carvedIn == id ? 1 : 0;
            shared |= b.everShared;
        }
        return !shared && carved == blocks.size();
    }

    /** {@link #afterEnd} when some block goes (a close, or one not carved in the generation that ended) or may be shared. */
    private void sortOut(boolean closing, Generation ended, Throwable[] failure) {
        int kept = 0; // the blocks kept move to the front of the list, in order: no list per reset
        for (int i = 0, n = blocks.size(); i < n; i++) {
            CarvedBlock b = blocks.get(i);
            if (closing) {
                b.leftBy(ledger);
                failure[0] = Refusals.addFailure(failure[0], letGo(b));
            } else if (b.everShared && b.lease.holderCount() > 1) { // the lease (a cache line of its own, and a lock) only if it may be shared
                if (b.carver == ledger) { // its pieces above the mark were this lane's: dead now
                    b.rewind(b.mark);
                    blocks.set(kept++, b);
                    roomy.add(b);
                } else {
                    failure[0] = Refusals.addFailure(failure[0], letGo(b));
                }
            } else if (b.carvedIn == ended.id) {
                b.mark = 0;
                b.rewind(0);
                b.carver = null;
                blocks.set(kept++, b);
                roomy.add(b);
            } else {
                b.carver = null;
                failure[0] = Refusals.addFailure(failure[0], letGo(b));
            }
        }
        for (int i = blocks.size() - 1; i >= kept; i--) {
            blocks.remove(i);
        }
    }

    /**
     * Takes every carved block of {@code from} (a merge). The one {@code from} still carves, if
     * any, becomes shared: {@code from} keeps carving it above its mark.
     */
    void takeAll(BlockSupply from, CarvedBlock stillCarved) {
        for (CarvedBlock b : from.blocks) {
            boolean added;
            if (b == stillCarved) {
                b.everShared = true; // before the second holder exists: a reset that finds it unset asks no lease
                added = b.lease.hold(ledger);
            } else {
                added = b.lease.transfer(from.ledger, ledger);
            }
            if (b != stillCarved) {
                from.views.remove(b);
            }
            if (added) {
                blocks.add(b);
                views.add(b);
            }
        }
        from.blocks.clear();
        if (stillCarved != null) {
            from.blocks.add(stillCarved);
        }
        if (!from.roomy.isEmpty()) {
            // a set, not roomy.contains per block: a merge stays linear in the blocks of both lanes
            Set<CarvedBlock> queued = Collections.newSetFromMap(new IdentityHashMap<>(roomy.size() + from.roomy.size()));
            queued.addAll(roomy);
            for (CarvedBlock b : from.roomy) {
                if (queued.add(b)) {
                    roomy.add(b);
                }
            }
        }
        from.roomy.clear();
        // What the source holds is gone: its next block starts small again, so a scratch region
        // merged after every statement does not grow its blocks (and the tail of its last one)
        // with the total it ever handed over.
        from.lastSize = 0;
    }
}
