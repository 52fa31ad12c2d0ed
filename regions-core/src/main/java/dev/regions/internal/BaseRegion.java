package dev.regions.internal;

import dev.regions.MemorySource;
import dev.regions.Region;
import dev.regions.RegionStats;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What confined and shared regions share: every operation on the whole region (reset, close,
 * merge, limits, figures, scope), written once over two things that differ by kind, a guard
 * ({@link #guarded}) and the region's {@link RegionFigures}. The hot paths, {@code allocate} and
 * {@code free}, are each kind's own, kept short for the JIT.
 *
 * <p>Every operation checks its arguments first, then takes the guard, then checks the region's
 * state, then acts: misuse changes nothing.
 */
public abstract sealed class BaseRegion implements Region permits ConfinedRegion, SharedRegion {
    private static final AtomicLong IDS = new AtomicLong();

    /** How a whole-region operation takes the guard. */
    enum Access {
        /** Reads the figures: allowed from any thread. */
        READ,
        /** Changes the region: the owner thread (confined) or every lane's lock (shared). */
        CHANGE,
        /** Resets or closes it: as {@link #CHANGE}. */
        END
    }

    /** Orders lock acquisition in a merge of two shared regions. */
    final long id = IDS.incrementAndGet();
    final String name;
    final Settings settings;
    /** The arena of the current generation, shared by every heap of the region, and its anchor. */
    volatile Arena arena;
    Generation.Anchor anchor;
    /** Written under the guard; read without it by calls that must fail on a closed region. */
    volatile boolean closed;

    /** Takes {@code first}, the arena of the first generation: closes it if the region cannot be built. */
    BaseRegion(Settings settings, Arena first) {
        this.name = settings.name() != null ? settings.name() : "region-" + id;
        this.settings = settings;
        this.arena = first;
        try {
            this.anchor = Generation.anchor(first, this); // fails fast, before any memory is taken, without native access
        } catch (Throwable e) {
            first.close();
            throw e;
        }
    }

    /** The region's figures, kept as its kind needs. */
    abstract RegionFigures figures();

    /** Runs {@code action} with the region's guard taken for {@code access}. */
    abstract <T> T guarded(Access access, Supplier<T> action);

    /** The heaps of the region now (guard held). */
    abstract List<Heap> heaps();

    /** A new arena for a generation: confined or shared as the region. */
    abstract Arena newArena();

    /** Whether {@code other} may be merged with this region: same kind, and same owner thread if confined. */
    abstract boolean compatible(BaseRegion other);

    /** The heap of this region that takes the pieces of {@code from}, a heap of a compatible region (guard held). */
    abstract Heap heapFor(Heap from);

    abstract String describe();

    public final Settings settings() {
        return settings;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Throws unless every heap is open and not running a callout. Busy before closed: a close runs its callouts on closed lanes too. */
    final void checkUsable() {
        for (Heap h : heaps()) {
            if (h.callouts.isBusy()) {
                h.checkUsable();
            }
        }
        if (isClosed()) {
            throw Checks.closed(name);
        }
    }

    final boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- reset and close

    @Override
    public final void reset() {
        end(false);
    }

    @Override
    public final void close() {
        end(true);
    }

    final void end(boolean closing) {
        guarded(Access.END, () -> {
            checkUsable();
            endGuarded(closing);
            return null;
        });
        Reference.reachabilityFence(this);
    }

    /**
     * Ends the current generation of every heap (one arena: all or nothing), then the adopted
     * ones, then lets every heap take its memory back. If the current arena is in use (a downcall
     * holds a piece), nothing changes and its {@link IllegalStateException} is thrown. If an
     * adopted one is, the ones ended before it stay ended, the region stays open with the rest,
     * and the exception is thrown. A cleanup action or a source that throws stops no release.
     */
    private void endGuarded(boolean closing) {
        List<Heap> heaps = heaps();
        Arena next = newArena(); // the one step that may fail comes before anything ends
        Generation.Anchor nextAnchor;
        try {
            nextAnchor = Generation.anchor(next, this);
        } catch (Throwable e) {
            next.close();
            throw e;
        }
        String[] was = new String[heaps.size()];
        for (int i = 0; i < heaps.size(); i++) {
            was[i] = heaps.get(i).callouts.enter(Callouts.ENDING);
        }
        Throwable failure = null;
        Throwable inUse = null;
        boolean nextTaken = false;
        try {
            try {
                arena.close();
            } catch (Throwable e) {
                if (arena.scope().isAlive()) {
                    throw e; // in use: nothing ended
                }
                failure = e; // a cleanup action threw; the arena did close
            }
            Map<Arena, Boolean> adopted = new IdentityHashMap<>();
            for (Heap h : heaps) {
                for (Generation g : h.generations.adopted()) {
                    adopted.put(g.arena, Boolean.TRUE);
                }
            }
            for (Arena a : adopted.keySet()) {
                try {
                    a.close();
                } catch (Throwable e) {
                    if (a.scope().isAlive()) {
                        inUse = e;
                        break;
                    }
                    failure = Checks.addFailure(failure, e);
                }
            }
            boolean closes = closing && inUse == null; // a close that could not end everything leaves it open
            for (Heap h : heaps) {
                failure = Checks.addFailure(failure, h.afterEnd(closes, new Generation(h, next, nextAnchor)));
            }
            closed = closes;
            if (!closes) {
                arena = next;
                anchor = nextAnchor;
                nextTaken = true;
            }
        } finally {
            for (int i = 0; i < heaps.size(); i++) {
                heaps.get(i).callouts.exit(was[i]);
            }
            if (!nextTaken) {
                next.close();
            }
            figures().recount();
        }
        Checks.rethrow(Checks.addFailure(inUse, failure));
    }

    // ---------------------------------------------------------------- merge

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
        guarded(Access.CHANGE, () -> {
            checkUsable(); // this region first, as in every call: the caller's thread, then its state
            return null;
        });
        if (source == this) {
            throw new IllegalArgumentException("cannot merge region '" + name + "' into itself");
        }
        if (!(source instanceof BaseRegion other)) {
            throw new IllegalArgumentException("cannot merge " + source.getClass().getName()
                    + " into region '" + name + "': it is not a region built by Regions");
        }
        if (!compatible(other)) {
            throw new IllegalArgumentException("cannot merge region '" + other.name + "' into region '" + name
                    + "': " + other.describe() + " cannot merge into " + describe()
                    + " (both must be shared, or both confined to the same thread)");
        }
        BaseRegion first = id < other.id ? this : other;
        BaseRegion second = first == this ? other : this;
        first.guarded(Access.CHANGE, () -> second.guarded(Access.CHANGE, () -> {
            checkUsable();
            other.checkUsable();
            long moving = other.figures().liveBytes();
            long cap = figures().limit();
            if (cap != 0 && moving > 0 && moving > cap - figures().liveBytes()) {
                throw Checks.limitExceeded(name, "merging region '" + other.name + "' with live pieces", moving,
                        figures().liveBytes(), cap);
            }
            mergeGuarded(other);
            if (thenClose) {
                other.endGuarded(true);
            }
            return null;
        }));
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(other);
    }

    private void mergeGuarded(BaseRegion other) {
        Arena fresh = other.newArena(); // may fail: before anything moves
        Generation.Anchor freshAnchor;
        try {
            freshAnchor = Generation.anchor(fresh, other);
        } catch (Throwable e) {
            fresh.close();
            throw e;
        }
        for (Heap from : other.heaps()) {
            for (Generation g : from.generations.all()) {
                g.anchor.region = this; // a held piece of theirs now keeps this region alive
            }
            heapFor(from).merge(from, new Generation(from, fresh, freshAnchor));
        }
        other.arena = fresh;
        other.anchor = freshAnchor;
        figures().recount();
        other.figures().recount();
    }

    // ---------------------------------------------------------------- limits, figures, scope

    @Override
    public final MemorySegment.Scope scope() {
        return arena.scope(); // no guard: a reset publishes the new arena through a volatile field
    }

    @Override
    public final long setLimit(long bytes) {
        Checks.limit(bytes);
        return guarded(Access.CHANGE, () -> {
            checkUsable();
            return figures().setLimit(bytes);
        });
    }

    @Override
    public final long limit() {
        return figures().limit(); // no guard: a plain read of the limit, possibly a moment stale on another thread
    }

    @Override
    public final RegionStats stats() {
        return guarded(Access.READ, () -> figures().stats());
    }

    @Override
    public final RegionStats statsAndResetPeaks() {
        return guarded(Access.CHANGE, () -> {
            checkUsable();
            RegionStats stats = figures().stats();
            figures().resetWatermarks();
            return stats;
        });
    }

    MemorySource source() {
        return settings.source();
    }

    @Override
    public String toString() {
        RegionStats s = stats();
        return getClass().getSimpleName() + "[" + name + ", live " + s.liveBytes() + " bytes in " + s.liveCount()
                + " pieces, gross " + s.grossBytes() + (isClosed() ? ", closed]" : "]");
    }
}
