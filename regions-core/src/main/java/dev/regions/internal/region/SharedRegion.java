package dev.regions.internal.region;

import dev.regions.MemoryCorruptionException;
import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.Block;
import dev.regions.internal.lane.Callouts;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.lane.PieceAt;
import dev.regions.internal.lane.Reallocation;
import dev.regions.internal.lane.RemoteFrees;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A region any number of threads may use at once, built as {@link Lanes}: a thread allocates in
 * its own lane under that lane's lock, and frees its own pieces there too. A piece of another
 * lane it frees without that lane's lock, under its own ({@link RemoteFrees}): checked, marked
 * free and pushed onto the owner's stack with one compare-and-set, so a consumer never waits for
 * a producer; the owner takes such pieces back when a size class runs dry. Pieces the fast checks
 * cannot vouch for (large, checked, bump, empty, every mistake) are freed under the owner's lock,
 * which says what is wrong with them. All lanes bind their pieces to the same generation arena, a
 * {@link Arena#ofShared() shared arena} whose close is a handshake with every thread: an access
 * racing with a reset either completes before the memory goes back or throws
 * {@link IllegalStateException}, and none reads freed memory.
 *
 * <p>Operations on the whole region (reset, close, merge, limits, stats) take every lane's lock
 * in lane order, and then every lane takes back the pieces other threads freed, so each is atomic
 * and its figures exact; a reset or close ends the one arena all lanes share, so it ends in every
 * lane or in none. {@link SharedStats} keeps the live bytes, watermarks and limit of the sum
 * across lanes. A thread running a callout of this region (a source call, a cleanup action) that
 * calls back into it gets {@link IllegalStateException} before any lock is taken: waiting for a
 * lane another thread holds while that thread waits for ours would never end.
 *
 * <p>What it costs: the owner's allocate and free take an uncontended lock, one compare-and-set.
 * An owner path with none is not possible here: the whole-region operations may come from any
 * thread and must exclude the owner, and mutual exclusion needs either an atomic read-modify-write
 * or a store-load fence on both sides (Attiya et al., "Laws of Order", POPL 2011); Java has no
 * asymmetric fence (Linux's {@code membarrier}) that would let the rare side pay for both. Each
 * lane takes its own blocks, so a region used by many threads at once holds up to a partly used
 * block per lane more than one used by one thread; when there are more threads than lanes,
 * threads share a lane and its lock. A thread that ended leaves its lane, with its blocks and
 * free space, to the next thread that comes ({@link ThreadLanes}), whose first allocation settles
 * the lane's share of the stats ({@link SharedStats#handedOver}).
 */
public final class SharedRegion extends BaseRegion {
    private final Lanes lanes = new Lanes();
    private final SharedStats stats;

    public SharedRegion(Settings settings) {
        super(settings, Arena.ofShared(), "shared");
        this.stats = new SharedStats(lanes.all, settings.limit());
        record.sharedLive = stats.live;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Refusals.sizeAndAlignment(byteSize, byteAlignment);
        int index = Lanes.ofThisThread();
        RegionLock lock = lanes.locks[index];
        lock.lock();
        try {
            Lane lane = lanes.all[index];
            if (lane == null) {
                lane = newLane(index);
            }
            lane.checkUsable();
            if (!lane.used) {
                stats.laneUsed(lane);
            }
            int handovers = ThreadLanes.handovers(index);
            if (lane.handovers != handovers) { // an ended thread left this lane to the calling one
                stats.handedOver(lane, handovers);
            }
            MemorySegment piece;
            if (stats.limited() && byteSize == 0) {
                piece = lane.allocate(0, byteAlignment); // adds nothing: fits under any limit, as in Lane
            } else if (stats.limited()) {
                stats.reserve(name, byteSize);
                try {
                    piece = lane.allocate(byteSize, byteAlignment);
                } catch (Throwable e) {
                    stats.unreserve(byteSize);
                    throw e;
                }
                stats.made(byteSize);
            } else {
                piece = lane.allocate(byteSize, byteAlignment);
                stats.changed(lane, byteSize);
            }
            return piece;
        } finally {
            lock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        int index = Lanes.ofThisThread();
        RegionLock lock = lanes.locks[index];
        if (!lock.isHeldByCurrentThread()) { // else a callout or a cleanup action: freeUnderOwnersLock refuses it
            lock.lock();
            try {
                Lane own = lanes.all[index];
                Block block = own != null ? own.blockAt(piece.address()) : AddressDirectory.lookup(piece.address());
                if (own != null && block != null && block.laneIndex == index) {
                    freeIn(own, piece); // a thread usually frees its own pieces
                    return;
                }
                // Another lane's piece: freed without its lock if it is a plain live piece (RemoteFrees)
                if (block != null && block.laneIndex >= 0 && block.laneIndex < Lanes.COUNT && !closed
                        && lanes.all[block.laneIndex] instanceof Lane owner) {
                    own = own != null ? own : newLane(index); // it answers for the bytes freed (see SharedStats)
                    own.checkUsable();
                    if (RemoteFrees.tryFree(owner, block, piece)) {
                        countRemoteFree(own, piece.byteSize());
                        return;
                    }
                }
            } finally {
                lock.unlock();
                Reference.reachabilityFence(this);
            }
        }
        freeUnderOwnersLock(piece, index);
    }

    /** Frees {@code piece} under the lock of the lane whose block holds it (the directory's to tell), or of {@code own}. */
    private void freeUnderOwnersLock(MemorySegment piece, int own) {
        int index = laneHolding(piece, own);
        RegionLock lock = lanes.locks[index];
        lock.lock();
        try {
            Lane lane = lanes.all[index];
            if (lane == null) {
                if (closed) {
                    throw Refusals.closed(name);
                }
                if (Refusals.isNull(piece)) {
                    return;
                }
                lane = newLane(index); // it refuses the piece, with the reason
            }
            freeIn(lane, piece);
        } finally {
            lock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /** Frees {@code piece} in {@code lane}, its lock held. */
    private void freeIn(Lane lane, MemorySegment piece) {
        lane.checkUsable();
        if (Refusals.isNull(piece)) {
            return;
        }
        try {
            lane.free(piece);
        } catch (MemoryCorruptionException damaged) { // a checked piece, freed, then reported
            countFree(lane, piece);
            throw damaged;
        }
        countFree(lane, piece);
    }

    @Override
    public MemorySegment pieceAt(long address) {
        int index = laneAt(address);
        RegionLock lock = lanes.locks[index];
        lock.lock();
        try {
            Lane lane = lanes.all[index];
            if (lane == null) {
                if (closed) {
                    throw Refusals.closed(name);
                }
                throw Refusals.noPieceAt(name, address, "it is not in this region's memory (foreign, or another"
                        + " region's)");
            }
            lane.checkUsable();
            return PieceAt.find(lane, address);
        } finally {
            lock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    @Override
    public MemorySegment reallocate(MemorySegment piece, long newByteSize) {
        Objects.requireNonNull(piece, "piece");
        Refusals.sizeAndAlignment(newByteSize, 1);
        if (Refusals.isNull(piece)) {
            return allocate(newByteSize, 1); // C's realloc(NULL, n)
        }
        int index = laneAt(piece.address());
        RegionLock lock = lanes.locks[index];
        lock.lock();
        try {
            Lane lane = lanes.all[index];
            if (lane == null) {
                lane = newLane(index); // it refuses the piece, with the reason
            }
            lane.checkUsable();
            long old = piece.byteSize();
            if (!stats.limited()) {
                MemorySegment resized = Reallocation.run(lane, piece, newByteSize);
                stats.changed(lane, newByteSize - old);
                return resized;
            }
            long growth = Math.max(0, newByteSize - old); // the limit counts only the growth (see Reallocation)
            if (growth > 0) {
                stats.reserve(name, growth);
            }
            MemorySegment resized;
            try {
                resized = Reallocation.run(lane, piece, newByteSize);
            } catch (Throwable e) {
                if (growth > 0) {
                    stats.unreserve(growth);
                }
                throw e;
            }
            if (growth > 0) {
                stats.made(growth);
            } else if (old > newByteSize) {
                stats.release(old - newByteSize);
            }
            return resized;
        } finally {
            lock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /**
     * The lane whose block holds {@code address} (through the blocks it shadows), read without its
     * lock (the lane checks again under it), or this thread's lane if none does.
     */
    private int laneAt(long address) {
        checkNotInCallout();
        for (Block block = AddressDirectory.lookup(address); block != null; block = block.shadowed) {
            Lane lane = block.laneIndex >= 0 && block.laneIndex < Lanes.COUNT ? lanes.all[block.laneIndex] : null;
            if (lane != null && (block.slotOwner == lane.ledger || block.lease.isHeldBy(lane.ledger))) {
                return block.laneIndex;
            }
        }
        return Lanes.ofThisThread();
    }

    /** {@code own}, the freeing thread's lane, freed {@code byteSize} bytes of another lane's (its lock held). */
    private void countRemoteFree(Lane own, long byteSize) {
        if (stats.limited()) {
            stats.release(byteSize);
        } else {
            own.remote.freedForOthers += byteSize;
            if (!own.used) {
                stats.laneUsed(own);
            }
            stats.changed(own, -byteSize);
        }
    }

    private void countFree(Lane lane, MemorySegment piece) {
        if (stats.limited()) {
            stats.release(piece.byteSize());
        } else {
            stats.changed(lane, -piece.byteSize());
        }
    }

    /**
     * The lane whose block holds {@code piece}, read without its lock (the lane checks again under
     * it), or {@code own} if none does. Refused first if this thread runs a callout of this region:
     * it may hold its own lane's lock, and the other lane's holder may be waiting for it.
     */
    private int laneHolding(MemorySegment piece, int own) {
        checkNotInCallout();
        Block block = AddressDirectory.lookup(piece.address());
        return block != null && block.laneIndex >= 0 && block.laneIndex < Lanes.COUNT ? block.laneIndex : own;
    }

    /** Makes a lane used for the first time (its lock held). */
    private Lane newLane(int index) {
        checkNotInCallout(); // a callout may hold every lock (a reset's cleanup action): no new lane then
        if (closed) {
            throw Refusals.closed(name);
        }
        Lane lane = addLane(0, index);
        lanes.all[index] = lane;
        return lane;
    }

    @Override
    public <T> T withAccess(Access access, Supplier<T> action) {
        checkNotInCallout();
        lanes.lockAll();
        try {
            return action.get();
        } finally {
            lanes.unlockAll();
        }
    }

    /** A callout of this region calling back into it, about to wait for a lock: see the class comment. */
    private void checkNotInCallout() {
        Lane lane = lanes.calloutLane();
        if (lane != null) {
            throw Refusals.busy(name, lane.callouts.isBusy() ? lane.callouts.busy() : Callouts.ENDING);
        }
    }

    @Override
    public List<Lane> lanes() {
        List<Lane> open = new ArrayList<>(Lanes.COUNT);
        for (Lane h : lanes.all) {
            if (h != null) {
                open.add(h);
            }
        }
        return open;
    }

    @Override
    StatsKeeper statsKeeper() {
        return stats;
    }

    @Override
    Arena newArena() {
        return Arena.ofShared();
    }

    @Override
    boolean compatible(BaseRegion other) {
        return other instanceof SharedRegion;
    }

    @Override
    Lane laneFor(Lane from) {
        Lane lane = lanes.all[from.laneIndex];
        if (lane == null) {
            lane = newLane(from.laneIndex);
        }
        if (!lane.used && from.ledger.liveCount > 0) {
            stats.laneUsed(lane);
        }
        return lane;
    }

    @Override
    String describe() {
        return "a shared region";
    }

    /** The lanes and their locks (for the {@link Validator}). */
    Lanes laneSet() {
        return lanes;
    }
}
