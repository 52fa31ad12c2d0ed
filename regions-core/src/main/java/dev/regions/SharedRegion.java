package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A region any number of threads may use at once, built as lanes: one {@link Heap} per lane,
 * each behind its own {@link RegionLock}. A thread allocates in its own lane (threads get lanes in
 * turn) and frees in the lane that holds the piece (its own lane first, else the one the
 * {@link BlockDirectory} names), so threads that allocate and free their own pieces share no
 * lock (see BENCHMARKS.md, W3, for what that measured). All lanes bind their pieces to the same generation arena, a
 * {@link Arena#ofShared() shared arena} whose close is a handshake with every thread: an access
 * racing with a reset either completes before the memory goes back or throws
 * {@link IllegalStateException}, and none reads freed memory.
 *
 * <p>Operations on the whole region (reset, close, merge, setLimit, stats) take every lane's
 * lock in lane order, so each is atomic and its live figures exact; {@link SharedFigures} keeps
 * the limit and the watermarks of the sum across lanes (exactly, or in steps once several lanes
 * allocate and no limit is set).
 *
 * <p>What it costs: each lane takes its own chunks from the source, so a region used by many
 * threads holds up to one partly used chunk per lane and size class more than one used by one
 * thread; and when there are more threads than lanes, threads share a lane and its lock.
 */
final class SharedRegion extends AbstractRegion {
    /** Lanes per shared region: a power of two, four times the processors (so threads rarely share one), at most 64. */
    static final int LANES = Math.min(64, Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1);

    /**
     * Each thread's lane number, handed out in turn as threads first use a shared region (any
     * one): so n threads get n different lanes up to {@link #LANES}, where thread ids, which other
     * threads' creation spaces apart, could pick the same lane for two threads.
     */
    private static final AtomicInteger NEXT_LANE = new AtomicInteger();
    private static final ThreadLocal<Integer> THREAD_LANE = ThreadLocal.withInitial(NEXT_LANE::getAndIncrement);

    private final RegionLock[] locks = new RegionLock[LANES];
    private final SharedFigures figures;

    SharedRegion(String name, MemorySource source, boolean zeroing, boolean bump, long limit) {
        super(name, source, zeroing, bump, limit, LANES);
        for (int i = 0; i < LANES; i++) {
            locks[i] = new RegionLock();
        }
        figures = new SharedFigures(limit);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Checks.sizeAndAlignment(byteSize, byteAlignment);
        Heap heap = enter();
        try {
            heap.checkUsable();
            if (!heap.laneUsed) {
                heap.laneUsed = true;
                figures.laneUsed();
            }
            if (!figures.exact()) {
                MemorySegment piece = heap.allocate(byteSize, byteAlignment);
                if ((heap.regionUnpublished += byteSize) >= SharedFigures.STEP) {
                    figures.publish(heap);
                }
                return piece;
            }
            long liveAfter = figures.reserve(name, byteSize);
            MemorySegment piece;
            try {
                piece = heap.allocate(byteSize, byteAlignment);
            } catch (Throwable e) {
                figures.unreserve(byteSize);
                throw e;
            }
            figures.allocated(liveAfter);
            return piece;
        } finally {
            exit(heap);
        }
    }

    @Override
    public void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        Heap heap = enterHolding(piece);
        try {
            heap.checkUsable();
            if (Checks.isNull(piece)) {
                return;
            }
            heap.free(piece);
            if (figures.exact()) {
                figures.freed(piece.byteSize());
            } else if ((heap.regionUnpublished -= piece.byteSize()) <= -SharedFigures.STEP) {
                figures.publish(heap);
            }
        } finally {
            exit(heap);
        }
    }

    /** For tests: whether some thread holds a lane's lock. */
    boolean anyLaneLocked() {
        for (RegionLock lock : locks) {
            if (lock.isLocked()) {
                return true;
            }
        }
        return false;
    }

    @Override
    boolean isShared() {
        return true;
    }

    @Override
    Arena newArena() {
        return Arena.ofShared();
    }

    private static int laneOfThisThread() {
        return THREAD_LANE.get() & (LANES - 1);
    }

    private Heap enter() {
        int lane = laneOfThisThread();
        locks[lane].lock();
        return heaps[lane];
    }

    /**
     * Locks the lane that holds {@code piece} (this thread's lane if none does) and returns its
     * heap. This thread's own lane is tried first, through its heap's cached directory leaf: a
     * thread usually frees its own pieces.
     */
    private Heap enterHolding(MemorySegment piece) {
        int own = laneOfThisThread();
        locks[own].lock();
        Heap heap = heaps[own];
        if (!piece.isNative() || heap.holds(piece.address())) {
            return heap;
        }
        locks[own].unlock();
        int lane = own;
        Block block = BlockDirectory.lookup(piece.address());
        Heap owner = block == null ? null : block.generation.owner; // read without its lock: checked again under it
        if (owner != null && owner.lane < LANES && heaps[owner.lane] == owner) {
            lane = owner.lane;
        }
        locks[lane].lock();
        return heaps[lane];
    }

    private void exit(Heap heap) {
        locks[heap.lane].unlock();
    }

    @Override
    void enterAll() {
        for (RegionLock lock : locks) {
            lock.lock();
        }
    }

    @Override
    void exitAll() {
        for (int i = LANES - 1; i >= 0; i--) {
            locks[i].unlock();
        }
    }

    @Override
    void enterAllToRead() {
        enterAll();
    }

    @Override
    void exitAllToRead() {
        exitAll();
    }

    @Override
    boolean compatible(AbstractRegion other) {
        return other instanceof SharedRegion;
    }

    @Override
    long limit0() {
        return figures.limit;
    }

    @Override
    long setLimit0(long bytes) {
        figures.settle(heaps); // a limit needs the exact count from now on
        long previous = figures.limit;
        figures.limit = bytes;
        return previous;
    }

    @Override
    RegionStats stats0() {
        long count = 0;
        long gross = 0;
        long allocations = 0;
        long frees = 0;
        for (Heap h : heaps) {
            count += h.liveCount;
            gross += h.grossBytes;
            allocations += h.allocations;
            frees += h.frees;
        }
        long live = figures.settle(heaps);
        return new RegionStats(live, count, gross, figures.peak(), figures.low(), allocations, frees);
    }

    @Override
    void resetPeaks0() {
        figures.resetPeaks(heaps);
    }

    @Override
    void checkMerge0(AbstractRegion from) {
        long moving = ((SharedRegion) from).lanesLive();
        long cap = figures.limit;
        long live = lanesLive();
        if (cap != 0 && moving > 0 && moving > cap - live) {
            throw Checks.limitExceeded(name, "merging region '" + from.name + "' with live pieces", moving, live, cap);
        }
    }

    @Override
    void recount0() {
        figures.recount(heaps);
    }

    /** Every lane's lock held: the live bytes of all lanes. */
    private long lanesLive() {
        long live = 0;
        for (Heap h : heaps) {
            live += h.liveBytes;
        }
        return live;
    }

    @Override
    String validate0() {
        long live = lanesLive();
        long counted = figures.settle(heaps);
        if (live != counted) {
            return "lanes hold " + live + " live bytes, the region counts " + counted;
        }
        if (figures.peak() < live || figures.low() > live) {
            return "watermarks " + figures.low() + ".." + figures.peak() + " do not bracket " + live;
        }
        return null;
    }
}
