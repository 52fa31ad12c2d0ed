package dev.regions.internal.region;

import dev.regions.internal.lane.Heap;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.util.Checks;

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
 * owner too. Its one heap keeps its figures and its limit ({@link HeapFigures}); reading them
 * ({@code stats}, {@code limit}, {@code scope}) is allowed from any thread and may see a slightly
 * stale value there.
 *
 * <p>Once its thread has died, any thread may reset or close it (under this object's monitor, so
 * that two threads doing so take turns); see {@link BaseRegion#endGuarded}.
 */
public final class ConfinedRegion extends BaseRegion {
    final Thread owner = Thread.currentThread();
    private final Heap heap;
    private final HeapFigures figures;

    public ConfinedRegion(Settings settings) {
        super(settings, Arena.ofConfined(), "confined to thread '" + Thread.currentThread().getName() + "'");
        this.heap = addLane(settings.limit(), 0);
        this.figures = new HeapFigures(heap);
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Checks.sizeAndAlignment(byteSize, byteAlignment);
        if (Thread.currentThread() != owner) {
            throw Checks.wrongThread(name, owner);
        }
        heap.checkUsable();
        MemorySegment piece = heap.allocate(byteSize, byteAlignment);
        Reference.reachabilityFence(this);
        return piece;
    }

    @Override
    public void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        if (Thread.currentThread() != owner) {
            throw Checks.wrongThread(name, owner);
        }
        heap.checkUsable();
        if (!Checks.isNull(piece)) {
            heap.free(piece);
        }
        Reference.reachabilityFence(this);
    }

    @Override
    public <T> T guarded(Access access, Supplier<T> action) {
        Thread caller = Thread.currentThread();
        if (caller != owner) {
            if (access == Access.END && !owner.isAlive()) {
                synchronized (this) { // threads ending a dead thread's region take turns
                    return action.get();
                }
            }
            if (access != Access.READ) {
                throw Checks.wrongThread(name, owner);
            }
        } else if (heap.callouts.isBusy()) {
            throw Checks.busy(name, heap.callouts.busy()); // a callout calling back: even reads see a heap half changed
        }
        return action.get();
    }

    /** Any thread may reset or close the region once its thread has died (see {@link BaseRegion#endGuarded}). */
    @Override
    boolean abandoned() {
        return Thread.currentThread() != owner;
    }

    @Override
    public List<Heap> heaps() {
        return List.of(heap);
    }

    @Override
    RegionFigures figures() {
        return figures;
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
    Heap heapFor(Heap from) {
        return heap;
    }

    @Override
    String describe() {
        return "a region confined to thread '" + owner.getName() + "'";
    }
}
