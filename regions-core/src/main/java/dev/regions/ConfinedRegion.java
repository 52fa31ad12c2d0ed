package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A region that belongs to the thread that built it. It takes no locks: every mutating call
 * first checks that the caller is the owner ({@link WrongThreadException} otherwise), and its
 * generations are {@link Arena#ofConfined() confined arenas}, so its pieces are confined to the
 * owner too. Its one heap keeps the figures and the limit. Reads of the figures ({@code stats},
 * {@code limit}, {@code scope}) are allowed from any thread and may see a slightly stale value
 * there.
 */
final class ConfinedRegion extends AbstractRegion {
    final Thread owner = Thread.currentThread();

    ConfinedRegion(String name, MemorySource source, boolean zeroing, boolean bump, long limit) {
        super(name, source, zeroing, bump, limit, 1);
    }

    @Override
    boolean isShared() {
        return false;
    }

    @Override
    Arena newArena() {
        return Arena.ofConfined();
    }

    private final Heap heap = heaps[0];

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Checks.sizeAndAlignment(byteSize, byteAlignment);
        enterAll();
        heap.checkUsable();
        return heap.allocate(byteSize, byteAlignment);
    }

    @Override
    public void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        enterAll();
        heap.checkUsable();
        if (Checks.isNull(piece)) {
            return;
        }
        heap.free(piece);
    }

    @Override
    void enterAll() {
        if (Thread.currentThread() != owner) {
            throw Checks.wrongThread(name, owner);
        }
    }

    @Override
    void exitAll() {
    }

    @Override
    void enterAllToRead() {
    }

    @Override
    void exitAllToRead() {
    }

    @Override
    boolean compatible(AbstractRegion other) {
        return other instanceof ConfinedRegion c && c.owner == owner;
    }

    @Override
    long limit0() {
        return heaps[0].limit;
    }

    @Override
    long setLimit0(long bytes) {
        return heaps[0].setLimit(bytes);
    }

    @Override
    RegionStats stats0() {
        return heaps[0].stats();
    }

    @Override
    void resetPeaks0() {
        heaps[0].resetPeaks();
    }

    @Override
    void checkMerge0(AbstractRegion from) {
        // the heap checks its own limit
    }

    @Override
    void recount0() {
    }

    @Override
    String validate0() {
        return null;
    }
}
