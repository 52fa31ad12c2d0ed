package dev.regions;

import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What confined and shared regions have in common: argument checks first, then the subclass's
 * guard ({@link #enter()}/{@link #exit()}: an owner-thread check, or a lock), then the
 * {@link Heap}. Keeping the guard in two small methods leaves one copy of every operation.
 */
abstract sealed class AbstractRegion implements Region permits ConfinedRegion, SharedRegion {
    private static final AtomicLong IDS = new AtomicLong();

    /** Orders lock acquisition in a merge of two shared regions. */
    final long id = IDS.incrementAndGet();
    final Heap heap;

    AbstractRegion(String name, MemorySource source, boolean shared, boolean zeroing, boolean bump, long limit) {
        this.heap = new Heap(name != null ? name : "region-" + id, source, shared, zeroing, bump, limit);
    }

    /** Takes the guard or throws {@link WrongThreadException}; does not check the state. */
    abstract void enter();

    abstract void exit();

    abstract boolean isShared();

    /** Whether {@code other} may be merged with this region: same kind, and same owner thread if confined. */
    abstract boolean compatible(AbstractRegion other);

    private void enterUsable() {
        enter();
        try {
            heap.checkUsable();
        } catch (RuntimeException e) {
            exit();
            throw e;
        }
    }

    @Override
    public final String name() {
        return heap.name;
    }

    @Override
    public final MemorySegment allocate(long byteSize, long byteAlignment) {
        Checks.sizeAndAlignment(byteSize, byteAlignment);
        enterUsable();
        try {
            return heap.allocate(byteSize, byteAlignment);
        } finally {
            exit();
        }
    }

    @Override
    public final void free(MemorySegment piece) {
        Objects.requireNonNull(piece, "piece");
        enterUsable();
        try {
            if (piece.address() == 0 && piece.byteSize() == 0 && piece.isNative()) {
                return; // MemorySegment.NULL: the original ignored a NULL pointer
            }
            heap.free(piece);
        } finally {
            exit();
        }
    }

    @Override
    public final void reset() {
        enterUsable();
        try {
            heap.reset();
        } finally {
            exit();
        }
    }

    @Override
    public final void close() {
        enterUsable();
        try {
            heap.close();
        } finally {
            exit();
        }
    }

    @Override
    public final MemorySegment.Scope scope() {
        enter0();
        try {
            return heap.current.scope;
        } finally {
            exit0();
        }
    }

    @Override
    public final long setLimit(long bytes) {
        Checks.limit(bytes);
        enterUsable();
        try {
            return heap.setLimit(bytes);
        } finally {
            exit();
        }
    }

    @Override
    public final long limit() {
        enter0();
        try {
            return heap.limit;
        } finally {
            exit0();
        }
    }

    @Override
    public final RegionStats stats() {
        enter0();
        try {
            return heap.stats();
        } finally {
            exit0();
        }
    }

    @Override
    public final RegionStats statsAndResetPeaks() {
        enterUsable();
        try {
            return heap.statsAndResetPeaks();
        } finally {
            exit();
        }
    }

    @Override
    public final void merge(Region source) {
        merge(source, false);
    }

    @Override
    public final void mergeAndClose(Region source) {
        merge(source, true);
    }

    private void merge(Region source, boolean thenClose) {
        Objects.requireNonNull(source, "source");
        enterUsable(); // this region first, as in every call: the caller's thread, then its state
        exit();
        if (source == this) {
            throw new IllegalArgumentException("cannot merge region '" + name() + "' into itself");
        }
        if (!(source instanceof AbstractRegion other)) {
            throw new IllegalArgumentException("cannot merge " + source.getClass().getName()
                    + " into region '" + name() + "': it is not a region built by Regions");
        }
        if (!compatible(other)) {
            throw new IllegalArgumentException("cannot merge region '" + other.name() + "' into region '" + name()
                    + "': " + describe(other) + " cannot merge into " + describe(this)
                    + " (both must be shared, or both confined to the same thread)");
        }
        AbstractRegion first = id < other.id ? this : other;
        AbstractRegion second = first == this ? other : this;
        first.enter();
        try {
            second.enter();
            try {
                heap.checkUsable();
                other.heap.checkUsable();
                heap.merge(other.heap);
                if (thenClose) {
                    other.heap.close();
                }
            } finally {
                second.exit();
            }
        } finally {
            first.exit();
        }
    }

    private static String describe(AbstractRegion r) {
        return r instanceof ConfinedRegion c ? "a region confined to thread '" + c.owner.getName() + "'"
                : "a shared region";
    }

    /** The guard for read-only calls that any thread may make (stats, limit, scope). */
    abstract void enter0();

    abstract void exit0();

    /** For tests: the first broken internal invariant, or null. */
    final String validate() {
        enter0();
        try {
            return heap.validate();
        } finally {
            exit0();
        }
    }

    @Override
    public String toString() {
        RegionStats s = stats();
        return (isShared() ? "SharedRegion[" : "ConfinedRegion[") + name() + ", live " + s.liveBytes()
                + " bytes in " + s.liveCount() + " pieces, gross " + s.grossBytes()
                + (heap.isClosed() ? ", closed]" : "]");
    }
}
