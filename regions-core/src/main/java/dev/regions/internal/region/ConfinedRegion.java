package dev.regions.internal.region;

import dev.regions.internal.lane.Lane;
import dev.regions.internal.lane.PieceAt;
import dev.regions.internal.lane.Reallocation;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A region that belongs to the thread that built it. It takes no locks: every call that changes
 * it first checks that the caller is the owner ({@link WrongThreadException} otherwise), and its
 * generations are {@link Arena#ofConfined() confined arenas}, so its pieces are confined to the
 * owner too. Its one lane keeps its stats and its limit ({@link ConfinedStats}); reading them
 * ({@code stats}, {@code limit}, {@code scope}) is allowed from any thread and may see a slightly
 * stale value there.
 *
 * <p>Once its thread has died, any thread may reset or close it (under this object's monitor, so
 * that two threads doing so take turns); see {@link BaseRegion#endWithAccess}.
 */
public final class ConfinedRegion extends BaseRegion {
    final Thread owner = Thread.currentThread();
    private final Lane lane;
    private final ConfinedStats stats;

    public ConfinedRegion(Settings settings) {
        super(settings, Arena.ofConfined(), "confined to thread '" + Thread.currentThread().getName() + "'");
        this.lane = addLane(settings.limit(), 0);
        this.stats = new ConfinedStats(lane);
    }

    /** First in every call of the hot paths: the owner's thread, then the lane open and not in a callout. */
    private void enter() {
        if (Thread.currentThread() != owner) {
            throw Refusals.wrongThread(name, owner);
        }
        lane.checkUsable();
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Refusals.sizeAndAlignment(byteSize, byteAlignment);
        enter();
        MemorySegment piece = lane.allocate(byteSize, byteAlignment);
        Reference.reachabilityFence(this);
        return piece;
    }

    @Override
    public void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        enter();
        if (!Refusals.isNull(piece)) {
            lane.free(piece);
        }
        Reference.reachabilityFence(this);
    }

    @Override
    public MemorySegment pieceAt(long address) {
        enter();
        MemorySegment piece = PieceAt.find(lane, address);
        Reference.reachabilityFence(this);
        return piece;
    }

    @Override
    public MemorySegment reallocate(MemorySegment piece, long newByteSize) {
        Objects.requireNonNull(piece, "piece");
        Refusals.sizeAndAlignment(newByteSize, 1);
        enter();
        MemorySegment resized = Refusals.isNull(piece) ? lane.allocate(newByteSize, 1)
                : Reallocation.run(lane, piece, newByteSize);
        Reference.reachabilityFence(this);
        return resized;
    }

    @Override
    public <T> T withAccess(Access access, Supplier<T> action) {
        Thread caller = Thread.currentThread();
        if (caller != owner) {
            if (access == Access.END && !owner.isAlive()) {
                synchronized (this) { // threads ending a dead thread's region take turns
                    return action.get();
                }
            }
            if (access != Access.READ) {
                throw Refusals.wrongThread(name, owner);
            }
        } else if (lane.callouts.isBusy()) {
            throw Refusals.busy(name, lane.callouts.busy()); // a callout calling back: even reads see a lane half changed
        }
        return action.get();
    }

    /** Any thread may reset or close the region once its thread has died (see {@link BaseRegion#endWithAccess}). */
    @Override
    boolean abandoned() {
        return Thread.currentThread() != owner;
    }

    @Override
    public List<Lane> lanes() {
        return List.of(lane);
    }

    @Override
    StatsKeeper statsKeeper() {
        return stats;
    }

    @Override
    Arena newArena() {
        return Arena.ofConfined();
    }

    @Override
    boolean compatible(BaseRegion other) {
        return other instanceof ConfinedRegion c && c.owner == owner;
    }

    @Override
    Lane laneFor(Lane from) {
        return lane;
    }

    @Override
    String describe() {
        return "a region confined to thread '" + owner.getName() + "'";
    }
}
