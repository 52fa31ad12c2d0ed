package dev.regions.internal.region;

import dev.regions.internal.block.AddressDirectory;
import dev.regions.internal.block.Block;
import dev.regions.internal.lane.Callouts;
import dev.regions.internal.lane.Heap;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.util.Checks;

import dev.regions.MemoryCorruptionException;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A region any number of threads may use at once, built as {@link Lanes}: a thread allocates in
 * its own lane's heap under that lane's lock, and frees in the lane whose block holds the piece.
 * All lanes bind their pieces to the same generation arena, a {@link Arena#ofShared() shared
 * arena} whose close is a handshake with every thread: an access racing with a reset either
 * completes before the memory goes back or throws {@link IllegalStateException}, and none reads
 * freed memory.
 *
 * <p>Operations on the whole region (reset, close, merge, limits, figures) take every lane's lock
 * in lane order, so each is atomic; a reset or close ends the one arena all lanes share, so it
 * ends in every lane or in none. {@link SharedFigures} keeps the live bytes, watermarks and limit
 * of the sum across lanes. A thread running a callout of this region (a source call, a cleanup
 * action) that calls back into it gets {@link IllegalStateException} before any lock is taken:
 * waiting for a lane another thread holds while that thread waits for ours would never end.
 *
 * <p>What it costs: each lane takes its own blocks, so a region used by many threads holds up to
 * a partly used block per lane more than one used by one thread; when there are more threads
 * than lanes, threads share a lane and its lock.
 */
public final class SharedRegion extends BaseRegion {
    private final Lanes lanes = new Lanes();
    private final SharedFigures figures;

    public SharedRegion(Settings settings) {
        super(settings, Arena.ofShared(), "shared");
        this.figures = new SharedFigures(lanes.all, settings.limit());
        record.sharedLive = figures.live;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Checks.sizeAndAlignment(byteSize, byteAlignment);
        int index = Lanes.ofThisThread();
        RegionLock lock = lanes.locks[index];
        lock.lock();
        try {
            Heap heap = lanes.all[index];
            if (heap == null) {
                heap = newLane(index);
            }
            heap.checkUsable();
            if (!heap.used) {
                figures.laneUsed(heap);
            }
            MemorySegment piece;
            if (figures.limited() && byteSize == 0) {
                piece = heap.allocate(0, byteAlignment); // adds nothing: fits under any limit, as in Heap
            } else if (figures.limited()) {
                figures.reserve(name, byteSize);
                try {
                    piece = heap.allocate(byteSize, byteAlignment);
                } catch (Throwable e) {
                    figures.unreserve(byteSize);
                    throw e;
                }
                figures.made(byteSize);
            } else {
                piece = heap.allocate(byteSize, byteAlignment);
                figures.changed(heap, byteSize);
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
        lock.lock();
        Heap heap = lanes.all[index];
        if (heap == null || !(heap.blockAt(piece.address()) instanceof Block b && b.laneIndex == index)) {
            // a thread usually frees its own pieces; else the lane is the directory's to tell
            lock.unlock();
            index = laneHolding(piece, index);
            lock = lanes.locks[index];
            lock.lock();
            heap = lanes.all[index];
        }
        try {
            if (heap == null) {
                if (closed) {
                    throw Checks.closed(name);
                }
                if (Checks.isNull(piece)) {
                    return;
                }
                heap = newLane(index); // it refuses the piece, with the reason
            }
            heap.checkUsable();
            if (Checks.isNull(piece)) {
                return;
            }
            try {
                heap.free(piece);
            } catch (MemoryCorruptionException damaged) { // a checked piece, freed, then reported
                countFree(heap, piece);
                throw damaged;
            }
            countFree(heap, piece);
        } finally {
            lock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    private void countFree(Heap heap, MemorySegment piece) {
        if (figures.limited()) {
            figures.release(piece.byteSize());
        } else {
            figures.changed(heap, -piece.byteSize());
        }
    }

    /**
     * The lane whose block holds {@code piece}, read without its lock (the heap checks again under
     * it), or {@code own} if none does. Refused first if this thread runs a callout of this region:
     * it may hold its own lane's lock, and the other lane's holder may be waiting for it.
     */
    private int laneHolding(MemorySegment piece, int own) {
        checkNotInCallout();
        Block block = AddressDirectory.lookup(piece.address());
        return block != null && block.laneIndex >= 0 && block.laneIndex < Lanes.COUNT ? block.laneIndex : own;
    }

    /** Makes the heap of a lane used for the first time (its lock held). */
    private Heap newLane(int index) {
        checkNotInCallout(); // a callout may hold every lock (a reset's cleanup action): no new lane then
        if (closed) {
            throw Checks.closed(name);
        }
        Heap heap = addLane(0, index);
        lanes.all[index] = heap;
        return heap;
    }

    @Override
    public <T> T guarded(Access access, Supplier<T> action) {
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
        Heap heap = lanes.calloutHeap();
        if (heap != null) {
            throw Checks.busy(name, heap.callouts.isBusy() ? heap.callouts.busy() : Callouts.ENDING);
        }
    }

    @Override
    public List<Heap> heaps() {
        List<Heap> heaps = new ArrayList<>(Lanes.COUNT);
        for (Heap h : lanes.all) {
            if (h != null) {
                heaps.add(h);
            }
        }
        return heaps;
    }

    @Override
    RegionFigures figures() {
        return figures;
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
    Heap heapFor(Heap from) {
        Heap heap = lanes.all[from.laneIndex];
        if (heap == null) {
            heap = newLane(from.laneIndex);
        }
        if (!heap.used && from.ledger.liveCount > 0) {
            figures.laneUsed(heap);
        }
        return heap;
    }

    @Override
    String describe() {
        return "a shared region";
    }

    public Lanes lanes() {
        return lanes;
    }
}
