package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What confined and shared regions have in common: argument checks first, then the subclass's
 * guard, then the {@link Heap heaps}; {@code allocate} and {@code free}, the hot paths, are each
 * subclass's own. A confined region has one heap and its guard is an
 * owner-thread check. A shared region has one heap per lane, each behind its own lock: a thread
 * allocates in its lane and frees in the lane that holds the piece, so threads that keep to
 * their own pieces share no lock and no cache line; operations on the whole region (reset,
 * close, merge, limits, figures) take every lane's lock in order. Keeping the guards in a few
 * small methods leaves one copy of every operation.
 */
abstract sealed class AbstractRegion implements Region permits ConfinedRegion, SharedRegion {
    private static final AtomicLong IDS = new AtomicLong();

    /** Orders lock acquisition in a merge of two shared regions. */
    final long id = IDS.incrementAndGet();
    final String name;
    final MemorySource source;
    final boolean zeroing;
    final boolean bump;
    /** One heap (confined) or one per lane (shared); all on the same generation arenas. */
    final Heap[] heaps;

    AbstractRegion(String name, MemorySource source, boolean zeroing, boolean bump, long limit, int lanes) {
        this.name = name != null ? name : "region-" + id;
        this.source = source;
        this.zeroing = zeroing;
        this.bump = bump;
        this.heaps = new Heap[lanes];
        Arena first = newArena();
        try {
            for (int i = 0; i < lanes; i++) {
                heaps[i] = new Heap(this.name, source, isShared(), zeroing, bump, lanes == 1 ? limit : 0, first, i);
            }
        } catch (Throwable e) {
            first.close();
            for (Heap h : heaps) {
                if (h != null) {
                    h.end(true, null);
                }
            }
            throw e;
        }
    }

    abstract boolean isShared();

    /** A new arena for a generation: confined or shared as the region. */
    abstract Arena newArena();

    /** Takes the guard of every heap (for a confined region: the owner-thread check). */
    abstract void enterAll();

    abstract void exitAll();

    /** The guard for read-only calls that any thread may make (stats, limit, scope). */
    abstract void enterAllToRead();

    abstract void exitAllToRead();

    /** Whether {@code other} may be merged with this region: same kind, and same owner thread if confined. */
    abstract boolean compatible(AbstractRegion other);

    // The limit and figures of the region as a whole: the heap's own for a confined region, kept
    // across lanes for a shared one.

    abstract long limit0();

    abstract long setLimit0(long bytes);

    abstract RegionStats stats0();

    abstract void resetPeaks0();

    abstract void checkMerge0(AbstractRegion from);

    /** After a reset, close or merge: the region-wide figures follow the heaps'. */
    abstract void recount0();

    private void enterAllUsable() {
        enterAll();
        try {
            checkAllUsable();
        } catch (RuntimeException e) {
            exitAll();
            throw e;
        }
    }

    /** Busy before closed: while a close runs, its first lanes are closed before its callbacks end. */
    private void checkAllUsable() {
        for (Heap h : heaps) {
            if (h.isBusy()) {
                h.checkUsable();
            }
        }
        heaps[0].checkUsable();
    }

    @Override
    public final String name() {
        return name;
    }

    // allocate and free are each subclass's own: they are the hot paths, kept short for the JIT.

    @Override
    public final void reset() {
        end(false);
    }

    @Override
    public final void close() {
        end(true);
    }

    private void end(boolean closing) {
        enterAllUsable();
        try {
            Arena next = newArena(); // the one step that may fail comes before anything ends
            Throwable failure = null;
            for (Heap h : heaps) {
                h.markEnding(); // no cleanup action may use a lane that has not ended yet
            }
            try {
                for (Heap h : heaps) {
                    try {
                        h.end(closing, next);
                    } catch (Throwable e) {
                        failure = failure == null ? e : failure;
                        if (failure != e) {
                            failure.addSuppressed(e);
                        }
                    }
                }
            } finally {
                for (Heap h : heaps) {
                    h.clearBusy();
                }
                if (heaps[0].current.arena != next) {
                    next.close(); // no heap took it up: nothing ended, or the region closed
                }
                recount0();
            }
            Heap.rethrow(failure);
        } finally {
            exitAll();
        }
    }

    @Override
    public final MemorySegment.Scope scope() {
        enterAllToRead();
        try {
            return heaps[0].current.scope;
        } finally {
            exitAllToRead();
        }
    }

    @Override
    public final long setLimit(long bytes) {
        Checks.limit(bytes);
        enterAllUsable();
        try {
            return setLimit0(bytes);
        } finally {
            exitAll();
        }
    }

    @Override
    public final long limit() {
        enterAllToRead();
        try {
            return limit0();
        } finally {
            exitAllToRead();
        }
    }

    @Override
    public final RegionStats stats() {
        enterAllToRead();
        try {
            return stats0();
        } finally {
            exitAllToRead();
        }
    }

    @Override
    public final RegionStats statsAndResetPeaks() {
        enterAllUsable();
        try {
            RegionStats stats = stats0();
            resetPeaks0();
            return stats;
        } finally {
            exitAll();
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
        enterAllUsable(); // this region first, as in every call: the caller's thread, then its state
        exitAll();
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
        first.enterAll();
        try {
            second.enterAll();
            try {
                checkAllUsable();
                other.checkAllUsable();
                checkMerge0(other);
                Arena fresh = other.newArena(); // may fail: before anything moves
                for (int i = 0; i < heaps.length; i++) {
                    heaps[i].merge(other.heaps[i], fresh);
                }
                recount0();
                other.recount0();
                if (thenClose) {
                    other.end(true);
                }
            } finally {
                second.exitAll();
            }
        } finally {
            first.exitAll();
        }
    }

    private static String describe(AbstractRegion r) {
        return r instanceof ConfinedRegion c ? "a region confined to thread '" + c.owner.getName() + "'"
                : "a shared region";
    }

    final boolean isClosed() {
        return heaps[0].isClosed();
    }

    /** For tests: the first broken internal invariant, or null. */
    final String validate() {
        enterAllToRead();
        try {
            for (Heap h : heaps) {
                String broken = h.validate();
                if (broken != null) {
                    return (heaps.length > 1 ? "lane " + h.lane + ": " : "") + broken;
                }
            }
            return validate0();
        } finally {
            exitAllToRead();
        }
    }

    /** The region-wide figures agree with the heaps'. */
    abstract String validate0();

    @Override
    public String toString() {
        RegionStats s = stats();
        return (isShared() ? "SharedRegion[" : "ConfinedRegion[") + name() + ", live " + s.liveBytes()
                + " bytes in " + s.liveCount() + " pieces, gross " + s.grossBytes()
                + (isClosed() ? ", closed]" : "]");
    }
}
