package dev.regions.internal.lane;

import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.DirectoryCursor;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.util.Padded;
import dev.regions.internal.util.Refusals;
import dev.regions.internal.util.Zeroing;

import java.lang.foreign.MemorySegment;

/**
 * The allocator behind one confined region, or one lane of a shared region: it dispatches each
 * call to the concept that handles it and keeps the two hot paths, {@link #allocate} and
 * {@link #free}, small enough for the JIT to inline. Not thread-safe: a confined region calls it
 * from its thread, a shared region under the lane's lock, and region-wide calls with every lane
 * held.
 *
 * <ul>
 * <li>Small and medium pieces are carved back to back from the current {@link CarvedBlock}, or
 *     reuse the units of a freed piece of their class ({@link FreeLists}); blocks come from the
 *     {@link BlockSupply}.
 * <li>Large pieces live in {@link LargeBlock}s of their own ({@link LargeBlocks}).
 * <li>Every piece is bound to the current {@link Generation}; merged-in generations are kept in
 *     {@link Generations}. A piece is this lane's if its scope is one of them.
 * <li>Stats go to the {@link Ledger}; source calls and cleanup actions run inside the
 *     {@link Callouts} fence.
 * </ul>
 *
 * <p>Zeroing, bump mode, and what a lane does not do: the {@linkplain dev.regions.internal.lane
 * package documentation}.
 */
public final class Lane extends Padded {
    private static final long SMALL_FAST = SizeClasses.SMALL_MAX; // allocate's fast path: 1..256 bytes, default alignment
    public final String name;
    public final int laneIndex;
    final boolean zeroing, bump;
    /** The checked mode's records, or null (a lane that is not checked gets them with merged checked pieces). */
    public CheckedMode checked;
    /** Neither bump mode nor checked: the fast paths apply, and other threads may free carved pieces ({@link RemoteFrees}). */
    final boolean plain;
    public final Ledger ledger;
    public final Callouts callouts = new Callouts();
    public final Generations generations;
    final Views views;
    public final BlockSupply supply;
    public final FreeLists free = new FreeLists();
    /** Pieces other threads freed (a lane of a shared region), taken back when a class runs dry. */
    public final RemoteFrees remote = new RemoteFrees();
    public final LargeBlocks large = new LargeBlocks();
    public long limit;
    public long limitCredit; // live bytes the limit check leaves out: a moving reallocation's old piece, freed once copied
    private boolean closed;
    /** Whether some live pieces are bump pieces, recorded nowhere (for the {@code Validator}). */
    public boolean holdsBumpPieces;
    /** Whether a merge brought pieces that are not checked into a lane whose own are (for the {@code Validator}). */
    public boolean holdsUncheckedPieces;

    private CarvedBlock carve;
    private MemorySegment carveView;
    private final DirectoryCursor directory = new DirectoryCursor();

    /** A lane of a shared region: its shares of the region's live counter (bounds on its live bytes); whether it ever allocated. */
    public long regionFloor, regionCeiling;
    public boolean used;
    public int handovers; // a lane of a shared region: how often it had changed hands when its shares were last settled
    /** {@code checkedMode} makes the lane's checked records, or is null if its pieces are not checked. */
    public Lane(String name, Settings settings, long limit, int laneIndex, Generation first, Ledger ledger,
            java.util.function.Function<Lane, CheckedMode> checkedMode) {
        this.name = name;
        this.laneIndex = laneIndex;
        this.zeroing = settings.zeroing();
        this.bump = settings.bump();
        this.checked = checkedMode == null ? null : checkedMode.apply(this);
        this.plain = !bump && checked == null;
        this.limit = limit;
        this.holdsBumpPieces = bump;
        this.ledger = ledger;
        this.views = new Views(ledger, first);
        this.supply = new BlockSupply(name, settings.source(), ledger, callouts, laneIndex, views);
        this.generations = new Generations(first);
        first.owner = this;
        GlobalStats.opened(ledger);
    }

    /** Throws unless the lane is open and not running a callout. */
    public void checkUsable() {
        if (closed || callouts.isBusy()) {
            throw closed ? Refusals.closed(name) : Refusals.busy(name, callouts.busy());
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Whether the lane's own pieces are checked (a checked region's lane). */
    public boolean checksItsPieces() {
        return !plain && !bump;
    }

    // ---------------------------------------------------------------- allocate

    public MemorySegment allocate(long byteSize, long byteAlignment) {
        if (byteSize - 1 < SMALL_FAST && byteSize > 0 && byteAlignment <= SizeClasses.UNIT && plain) {
            return allocateSmall(byteSize, byteSize);
        }
        return checksItsPieces() ? checked.allocate(byteSize, byteAlignment) : allocateRaw(byteSize, byteAlignment, byteSize);
    }

    /** A piece of {@code byteSize} bytes counted as {@code counted} (the checked mode's raw pieces hold guard zones). */
    public MemorySegment allocateRaw(long byteSize, long byteAlignment, long counted) {
        if (byteSize - 1 < SMALL_FAST && byteSize > 0 && byteAlignment <= SizeClasses.UNIT && !bump) {
            return allocateSmall(byteSize, counted);
        }
        return allocateOther(byteSize, byteAlignment, counted);
    }

    private MemorySegment allocateSmall(long byteSize, long counted) {
        if (limit != 0) {
            checkLimit(counted);
        }
        int units = (int) ((byteSize + SizeClasses.UNIT - 1) >>> SizeClasses.UNIT_SHIFT);
        Generation generation = generations.current;
        MemorySegment piece;
        int unit = reusable(units - 1);
        if (unit >= 0) {
            piece = reuse(free.popped, unit, byteSize);
        } else {
            CarvedBlock block = carve;
            if (block != null && block.hasPrepared(units)) {
                unit = block.top;
                block.top = unit + units;
            } else {
                unit = carveSlow(units, 1);
                block = carve;
            }
            block.markLive(unit, byteSize);
            piece = carveView.asSlice((long) unit << SizeClasses.UNIT_SHIFT, byteSize);
        }
        generation.liveBytes += counted;
        generation.liveCount++;
        ledger.allocated(counted);
        return piece;
    }

    /** A freed piece of {@code sizeClass} (its block in {@code free.popped}), after those other threads freed; or -1. */
    private int reusable(int sizeClass) {
        int unit = free.pop(sizeClass);
        if (unit < 0 && ledger.pending.any()) {
            remote.drainInto(this);
            unit = free.pop(sizeClass);
        }
        return unit;
    }

    /** Hands out the place of a freed piece again, zeroed: it may hold what the freed piece's owner wrote. */
    private MemorySegment reuse(CarvedBlock block, int unit, long byteSize) {
        block.markLive(unit, byteSize);
        block.generations.reused(unit, generations.current.id);
        MemorySegment piece = views.of(block).asSlice((long) unit << SizeClasses.UNIT_SHIFT, byteSize);
        if (zeroing) {
            Zeroing.zero(piece);
        }
        return piece;
    }

    private MemorySegment allocateOther(long byteSize, long byteAlignment, long counted) {
        long alignment = Math.max(SizeClasses.UNIT, byteAlignment);
        if (byteSize > SizeClasses.MEDIUM_MAX || alignment > SizeClasses.MAX_CARVED_ALIGNMENT
                || (byteSize == 0 && 2 * alignment > SizeClasses.MEDIUM_MAX)) {
            return allocateLarge(byteSize, alignment, counted);
        }
        if (limit != 0) {
            checkLimit(counted);
        }
        int alignUnits = (int) (alignment >>> SizeClasses.UNIT_SHIFT);
        Generation generation = generations.current;
        MemorySegment piece;
        if (byteSize == 0) {
            piece = allocateEmpty(alignUnits);
        } else if (bump) {
            int unit = carveSlow(SizeClasses.unitsOf(byteSize), alignUnits);
            piece = carveView.asSlice((long) unit << SizeClasses.UNIT_SHIFT, byteSize);
        } else {
            int sizeClass = SizeClasses.classOf(byteSize);
            int unit = alignUnits == 1 ? reusable(sizeClass) : -1;
            if (unit >= 0) {
                piece = reuse(free.popped, unit, byteSize);
            } else {
                unit = carveSlow(SizeClasses.units(sizeClass), alignUnits);
                carve.markLive(unit, byteSize);
                piece = carveView.asSlice((long) unit << SizeClasses.UNIT_SHIFT, byteSize);
            }
        }
        generation.liveBytes += counted;
        generation.liveCount++;
        ledger.allocated(counted);
        return piece;
    }

    /**
     * A zero-length piece takes two units and sits at the second, aligned: the first is its own
     * padding, so no other piece ends where it starts, and an empty slice at the end of a piece is
     * never equal to it. Its two units serve any later piece of that class when it is freed.
     */
    private MemorySegment allocateEmpty(int alignUnits) {
        int unit = free.pop(EMPTY_CLASS);
        CarvedBlock block = free.popped;
        if (unit >= 0 && ((unit + 1) & (alignUnits - 1)) != 0) {
            free.push(EMPTY_CLASS, block, unit); // not aligned enough: carve instead
            unit = -1;
        }
        MemorySegment view;
        if (unit >= 0) {
            view = views.of(block);
        } else {
            unit = carveSlow(2, alignUnits, 1);
            block = carve;
            view = carveView;
        }
        if (!bump) { // a bump piece is recorded nowhere, so that no region can free it alone
            block.markLive(unit + 1, 0);
            block.generations.reused(unit + 1, generations.current.id);
        }
        return view.asSlice((long) (unit + 1) << SizeClasses.UNIT_SHIFT, 0);
    }

    static final int EMPTY_CLASS = 1; // the class of a zero-length piece's two units

    private int carveSlow(int units, int alignUnits) {
        return carveSlow(units, alignUnits, 0);
    }

    /**
     * Carves {@code units} units from the current block, or the next one with room, such that
     * the unit {@code offset} units in is aligned to {@code alignUnits}.
     */
    private int carveSlow(int units, int alignUnits, int offset) {
        CarvedBlock block = carve;
        if (block != null) {
            if (carveView == null) {
                carveView = views.of(block); // a reset rewound it and left its view to its first use
            }
            int unit = block.carve(units, alignUnits, offset, zeroing, carveView);
            if (unit >= 0) {
                return unit;
            }
            // the rest of it waits for the next reset; it stays this lane's (its carver): the
            // pieces above its mark are this lane's, even once it carves elsewhere
        }
        block = supply.nextToCarve(units + alignUnits - 1);
        block.carver = ledger;
        block.bumpCarved |= bump;
        block.carvedIn = generations.current.id;
        block.generations.carvingFrom(block.top, block.carvedIn);
        carve = block;
        carveView = views.of(block);
        return block.carve(units, alignUnits, offset, zeroing, carveView);
    }

    private MemorySegment allocateLarge(long byteSize, long alignment, long counted) {
        checkLimit(counted);
        MemorySegment piece = large.allocate(this, byteSize, alignment);
        Generation generation = generations.current;
        generation.liveBytes += counted;
        generation.liveCount++;
        ledger.allocated(counted);
        if (counted >= RegionEvents.LARGE_PIECE_EVENT && RegionEvents.recorder()) {
            RegionEvents.LargePiece e = new RegionEvents.LargePiece();
            e.region = name;
            e.bytes = counted;
            e.commit();
        }
        return piece;
    }

    /** A piece that adds no bytes (zero-length) takes no region over its limit, even one already over it. */
    void checkLimit(long byteSize) {
        if (limit != 0 && byteSize > limit - (ledger.liveBytes - limitCredit) && byteSize > 0) {
            RegionEvents.limitExceeded(name, byteSize, ledger.liveBytes, limit);
            throw Refusals.limitExceeded(name, "allocating a piece", byteSize, ledger.liveBytes, limit);
        }
    }

    // ---------------------------------------------------------------- free

    public void free(MemorySegment piece) {
        if (!plain) { // bump mode or checked
            if (bump) {
                throw Refusals.bumpFree(name);
            }
            if (generations.find(piece.scope()) == null) { // not an unchecked piece a merge brought
                checked.free(piece);
                return;
            }
        }
        // The common case, small so the JIT inlines it: a live carved piece exactly as handed out,
        // in a block this lane's views hold (one identity comparison), between the mark and the
        // pointer (else a segment rebuilt in this region's scope over another region's piece, or
        // over a piece a reset ended, would pass). The rest, and every mistake: freeOther.
        long address = piece.address();
        long byteSize = piece.byteSize();
        if (blockAt(address) instanceof CarvedBlock block && byteSize - 1 < SizeClasses.MEDIUM_MAX && byteSize > 0
                && (address & (SizeClasses.UNIT - 1)) == 0 && block.slotOwner == ledger && !piece.isReadOnly()) {
            int unit = (int) ((address - block.base) >>> SizeClasses.UNIT_SHIFT);
            Generation generation;
            if (unit >= block.mark && unit < block.top && block.liveSizeAt(unit) == byteSize
                    && (generation = generations.find(piece.scope())) != null) {
                block.markFree(unit);
                free.push(SizeClasses.classOf(byteSize), block, unit);
                generation.liveBytes -= byteSize;
                generation.liveCount--;
                ledger.freed(byteSize);
                return;
            }
        }
        freeOther(piece, byteSize);
    }

    /** Frees a raw piece of the checked mode, which counted {@code counted} bytes. */
    public void freeRaw(MemorySegment raw, long counted) {
        freeOther(raw, counted);
    }

    private void freeOther(MemorySegment piece, long counted) {
        if (checked != null && checked.holds(piece.scope())) {
            checked.free(piece); // a checked piece a merge brought into this lane
            return;
        }
        PieceFinder.Found found = PieceFinder.find(this, piece);
        Generation generation = found.generation();
        long byteSize = piece.byteSize();
        if (found.block() instanceof LargeBlock block) {
            large.freed(block);
        } else {
            CarvedBlock block = (CarvedBlock) found.block();
            int unit = found.unit();
            block.markFree(unit);
            if (byteSize > 0) {
                free.push(SizeClasses.classOf(byteSize), block, unit);
            } else {
                free.push(EMPTY_CLASS, block, unit - 1);
            }
        }
        generation.liveBytes -= counted;
        generation.liveCount--;
        ledger.freed(counted);
    }

    /** The block at {@code address} in the directory, through the last leaf this lane used. */
    public Block blockAt(long address) {
        return directory.blockAt(address);
    }

    // ---------------------------------------------------------------- reset, close and merge

    /**
     * After the region ended the generations it could (see {@code BaseRegion.end}): if all of
     * this lane's ended (or were {@code abandoned}: their thread is gone), takes everything back (a reset keeps some blocks, a close none) and
     * starts {@code next}; if some are still alive (a downcall holds a piece), keeps every block
     * (the dead pieces' memory waits for a later reset or close), drops the dead generations'
     * stats and starts {@code next}. Returns what a source threw, or null.
     */
    public Throwable afterEnd(boolean closing, Generation next, boolean abandoned) {
        Throwable[] failure = new Throwable[1];
        boolean complete = abandoned || !generations.anyAlive();
        if (complete) {
            free.clear();
            large.letGoAll(supply, failure);
            holdsBumpPieces = bump;
            holdsUncheckedPieces = false;
            carve = supply.afterEnd(closing, generations.current, failure);
            carveView = null;
            views.keepOnly(supply.blocks);
        }
        long[] dead = generations.replace(closing && complete ? generations.current : next, abandoned);
        if (!closing || !complete) {
            next.owner = this;
            views.start(next);
            if (carve != null) {
                carve.carvedIn = next.id;
                carve.generations.carvingFrom(carve.top, next.id);
                // rewound: only carveSlow, which binds the view, can carve it; left as it was: bind now
                carveView = complete ? null : views.of(carve);
            }
        }
        ledger.dropped(dead[0], dead[1]);
        if (ledger.leases.size() != supply.blocks.size() + large.blocks.size()) {
            // the ledger listed every block held before (a new block's lease is added as it is
            // taken, a merge rebuilds the list): same size, then nothing was let go, same list
            rebuildLeases();
        }
        if (closing && complete) {
            closed = true;
            GlobalStats.closed(ledger);
        }
        return failure[0];
    }

    /**
     * Moves everything {@code from} holds into this lane. Both regions' access held; both open; the region
     * checked the limit.
     */
    public void merge(Lane from, Generation freshForFrom) {
        CarvedBlock stillCarved = from.carve;
        if (stillCarved != null) {
            stillCarved.mark = stillCarved.top; // what the source carved so far is ours now
            stillCarved.generations.carvingFrom(stillCarved.top, freshForFrom.id);
        }
        holdsBumpPieces |= from.holdsBumpPieces;
        holdsUncheckedPieces |= from.holdsUncheckedPieces || (!from.checksItsPieces() && from.ledger.liveCount > 0);
        if (from.checked != null && !from.checked.isEmpty()) {
            if (checked == null) {
                checked = from.checked.forLane(this);
            }
            checked.takeAll(from.checked);
        }
        generations.adoptAll(from.generations, this, freshForFrom);
        freshForFrom.owner = from;
        supply.takeAll(from.supply, stillCarved);
        large.takeAll(from.large, from, this);
        free.takeAll(from.free);
        from.views.start(freshForFrom);
        if (stillCarved != null) {
            from.carveView = from.views.of(stillCarved);
        }
        from.ledger.moveLiveTo(ledger);
        rebuildLeases();
        from.rebuildLeases();
    }

    /** The ledger lists exactly the leases of the blocks this lane holds. */
    private void rebuildLeases() {
        ledger.leases.clear();
        for (CarvedBlock b : supply.blocks) {
            ledger.leases.add(b.lease);
        }
        for (LargeBlock b : large.blocks) {
            ledger.leases.add(b.lease);
        }
    }
}
