package dev.regions.internal.region;

import dev.regions.PieceInfo;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.internal.checked.CheckedLanes;
import dev.regions.internal.checked.CheckedPieces;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.Callouts;
import dev.regions.internal.lane.Generation;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.GrossLimit;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.stats.RegionRecord;
import dev.regions.internal.stats.SteppedCounter;
import dev.regions.internal.util.Refusals;

import jdk.jfr.Event;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Reference;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * What confined and shared regions share: every operation on the whole region (reset, close,
 * merge, limits, stats, scope), written once over two things that differ by kind, an access rule
 * ({@link #withAccess}) and the region's {@link StatsKeeper}. The hot paths, {@code allocate} and
 * {@code free}, are each kind's own, kept short for the JIT.
 *
 * <p>Every operation checks its arguments first, then takes access, then checks the region's
 * state, then acts: misuse changes nothing.
 */
public abstract sealed class BaseRegion implements Region permits ConfinedRegion, SharedRegion {
    private static final AtomicLong IDS = new AtomicLong();

    /** How a whole-region operation takes access. */
    public enum Access {
        /** Reads the stats: allowed from any thread. */
        READ,
        /** Changes the region: the owner thread (confined) or every lane's lock (shared). */
        CHANGE,
        /** Resets or closes it: as {@link #CHANGE}. */
        END
    }

    /** Orders lock acquisition in a merge of two shared regions. */
    final long id = IDS.incrementAndGet();
    public final String name;
    final Settings settings;
    /** The arena of the current generation, shared by every lane of the region, and its anchor. */
    volatile Arena arena;
    Generation.Anchor anchor;
    /** Written with access taken; read without it by calls that must fail on a closed region. */
    volatile boolean closed;
    /** What the process knows of this region without the region object (see {@link RegionRecord}). */
    public final RegionRecord record;
    /** The cleaner's hold on the region's memory, should it become unreachable before it is closed. */
    private final java.lang.ref.Cleaner.Cleanable reclaim;
    /** The cap on the bytes the region takes from its source; every lane's source calls check it. */
    final GrossLimit grossLimit;

    /**
     * Takes {@code first}, the arena of the first generation (closed if the region cannot be
     * built); {@code kind} says what region it is, for the reclaimer's report.
     */
    BaseRegion(Settings settings, Arena first, String kind) {
        this.name = settings.name() != null ? settings.name() : "region-" + id;
        this.settings = settings;
        this.arena = first;
        try {
            this.anchor = Generation.anchor(first, this); // fails fast, before any memory is taken, without native access
        } catch (Throwable e) {
            first.close();
            throw e;
        }
        this.record = new RegionRecord(id, name, kind, settings.limit());
        this.grossLimit = new GrossLimit(record, settings.grossLimit());
        this.reclaim = Reclaimer.register(this, record);
        GlobalStats.regionOpened(record);
    }

    /** The region's stats, kept as its kind needs. */
    abstract StatsKeeper statsKeeper();

    /** A new lane of this region, whose ledger the reclaimer is told of. */
    final Lane addLane(long limit, int laneIndex) {
        // a lane's share of the process's watermark step, so that they miss less than one step per region
        Ledger ledger = new Ledger(settings.shared() ? SteppedCounter.STEP / Lanes.COUNT : SteppedCounter.STEP);
        ledger.grossLimit = grossLimit;
        Lane lane = new Lane(name, settings, limit, laneIndex, new Generation(null, arena, anchor), ledger,
                settings.checked() ? h -> new CheckedPieces(h, settings.shared(), settings.siteEvery()) : null);
        record.add(lane.ledger);
        return lane;
    }

    /** Runs {@code action} with the region's access taken for {@code access}. */
    public abstract <T> T withAccess(Access access, Supplier<T> action);

    /** The lanes of the region now (access held). */
    public abstract List<Lane> lanes();

    /** A new arena for a generation: confined or shared as the region. */
    abstract Arena newArena();

    /** Whether {@code other} may be merged with this region: same kind, and same owner thread if confined. */
    abstract boolean compatible(BaseRegion other);

    /** The lane of this region that takes the pieces of {@code from}, a lane of a compatible region (access held). */
    abstract Lane laneFor(Lane from);

    /** "a shared region", "a region confined to thread 'main'": for messages. */
    abstract String describe();

    public final Settings settings() {
        return settings;
    }

    @Override
    public final String name() {
        return name;
    }

    /** Throws unless every lane is open and not running a callout. Busy before closed: a close runs its callouts on closed lanes too. */
    final void checkUsable() {
        for (Lane h : lanes()) {
            if (h.callouts.isBusy()) {
                h.checkUsable();
            }
        }
        if (isClosed()) {
            throw Refusals.closed(name);
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
        withAccess(Access.END, new Ending(this, closing));
        Reference.reachabilityFence(this);
    }

    /** What {@link #end} does with access taken; a class, not a lambda, to keep a bootstrap off a process's first close. */
    private static final class Ending implements Supplier<Void> {
        private final BaseRegion region;
        private final boolean closing;

        Ending(BaseRegion region, boolean closing) {
            this.region = region;
            this.closing = closing;
        }

        @Override
        public Void get() {
            region.checkUsable();
            region.endWithAccess(closing);
            assert closing ? Validator.gaveEverythingBack(region) : Validator.valid(region);
            return null;
        }
    }

    /**
     * Ends the current generation of every lane (one arena: all or nothing), then the adopted
     * ones, then lets every lane take its memory back. If the current arena is in use (a downcall
     * holds a piece), nothing changes and its {@link IllegalStateException} is thrown. If an
     * adopted one is, the ones ended before it stay ended, the region stays open with the rest,
     * and the exception is thrown. A cleanup action or a source that throws stops no release.
     *
     * <p>A confined region whose thread has died is {@linkplain #abandoned() abandoned}: its
     * arenas can no longer be closed (only their thread could), and need not be (no thread can
     * touch their pieces), so its memory is taken back with its scopes left as they are.
     */
    private void endWithAccess(boolean closing) {
        List<Lane> lanes = lanes();
        boolean abandoned = abandoned();
        Event event = !RegionEvents.recorder() ? null
                : closing ? new RegionEvents.RegionClosed() : new RegionEvents.RegionReset();
        long[] before = event != null && event.isEnabled() ? record.sums() : null;
        if (before != null) {
            event.begin();
        }
        Arena next = closing ? null : newArena(); // it may fail (no memory): before anything ends
        Throwable[] checkedFindings = null;
        Generation.Anchor nextAnchor = null;
        int entered = 0;
        Throwable failure = null;
        Throwable inUse = null;
        boolean nextTaken = false;
        try {
            if (CheckedLanes.any(lanes)) {
                checkedFindings = CheckedLanes.end(name, lanes, closing, abandoned, settings.checked());
            }
            if (next != null) {
                nextAnchor = Generation.anchor(next, this);
            }
            for (Lane h : lanes) {
                h.callouts.enter(Callouts.ENDING); // no lane was busy: checkUsable passed
                entered++;
            }
            if (!abandoned) {
                failure = ArenaEnds.close(arena, true);
                Throwable[] adopted = ArenaEnds.closeAdopted(lanes);
                inUse = adopted[0];
                failure = Refusals.addFailure(failure, adopted[1]);
            }
            boolean closes = closing && inUse == null; // a close that could not end everything leaves it open
            if (!closes && next == null) {
                next = newArena();
                nextAnchor = Generation.anchor(next, this);
            }
            for (Lane h : lanes) {
                Generation generation = closes ? null : new Generation(h, next, nextAnchor);
                failure = Refusals.addFailure(failure, h.afterEnd(closes, generation, abandoned));
            }
            closed = closes;
            if (!closes) {
                arena = next;
                anchor = nextAnchor;
                nextTaken = true;
            }
        } finally {
            for (int i = 0; i < entered; i++) {
                lanes.get(i).callouts.exit(null);
            }
            if (next != null && !nextTaken) {
                next.close();
            }
            statsKeeper().recount();
        }
        if (closed && record.finish()) {
            GlobalStats.regionDone(record);
            reclaim.clean(); // unregisters: the reclaim sees the record finished and does nothing
        }
        if (before != null) {
            RegionEvents.ended(event, name, before, statsKeeper().stats(), record.sums()[2]);
        }
        if (checkedFindings != null) {
            // strictClose is the checked mode's: an unchecked region given checked pieces by a merge logs their leak
            failure = CheckedLanes.report(name, checkedFindings, settings.strictClose() && settings.checked(), failure);
        }
        Refusals.rethrow(Refusals.addFailure(inUse, failure));
    }

    /** Whether the region's thread has died, and its memory is taken back by another (confined regions). */
    boolean abandoned() {
        return false;
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
        withAccess(Access.CHANGE, () -> {
            checkUsable(); // this region first, as in every call: the caller's thread, then its state
            return null;
        });
        if (source == this) {
            throw new IllegalArgumentException("cannot merge region '" + name + "' into itself");
        }
        BaseRegion other = (BaseRegion) source; // Region permits only BaseRegion
        if (!compatible(other)) {
            throw new IllegalArgumentException("cannot merge region '" + other.name + "' into region '" + name
                    + "': " + other.describe() + " cannot merge into " + describe()
                    + " (both must be shared, or both confined to the same thread)");
        }
        BaseRegion first = id < other.id ? this : other;
        BaseRegion second = first == this ? other : this;
        first.withAccess(Access.CHANGE, () -> second.withAccess(Access.CHANGE, () -> {
            checkUsable();
            other.checkUsable();
            long moving = other.statsKeeper().liveBytes();
            long cap = statsKeeper().limit();
            if (cap != 0 && moving > 0 && moving > cap - statsKeeper().liveBytes()) {
                RegionEvents.limitExceeded(name, moving, statsKeeper().liveBytes(), cap);
                throw Refusals.limitExceeded(name, "merging region '" + other.name + "' with live pieces", moving,
                        statsKeeper().liveBytes(), cap);
            }
            mergeWithAccess(other);
            if (thenClose) {
                other.endWithAccess(true);
            }
            assert Validator.valid(this) && (thenClose ? Validator.gaveEverythingBack(other) : Validator.valid(other));
            return null;
        }));
        Reference.reachabilityFence(this);
        Reference.reachabilityFence(other);
    }

    private void mergeWithAccess(BaseRegion other) {
        RegionEvents.RegionMerged event = RegionEvents.recorder() ? new RegionEvents.RegionMerged() : null;
        long[] moving = event != null && event.isEnabled() ? other.record.sums() : null;
        if (moving != null) {
            event.begin();
        }
        mergeLanes(other);
        if (moving != null) {
            event.destination = name;
            event.source = other.name;
            event.liveBytes = moving[0];
            event.pieces = moving[1];
            event.commit();
        }
    }

    private void mergeLanes(BaseRegion other) {
        Arena fresh = other.newArena(); // may fail: before anything moves
        Generation.Anchor freshAnchor;
        try {
            freshAnchor = Generation.anchor(fresh, other);
        } catch (Throwable e) {
            fresh.close();
            throw e;
        }
        for (Lane from : other.lanes()) {
            for (Generation g : from.generations.all()) {
                g.anchor.region = this; // a held piece of theirs now keeps this region alive
            }
            laneFor(from).merge(from, new Generation(from, fresh, freshAnchor));
        }
        other.arena = fresh;
        other.anchor = freshAnchor;
        statsKeeper().recount();
        other.statsKeeper().recount();
    }

    // ---------------------------------------------------------------- limits, stats, scope

    @Override
    public final MemorySegment.Scope scope() {
        return arena.scope(); // no access taken: a reset publishes the new arena through a volatile field
    }

    @Override
    public final long setLimit(long bytes) {
        Refusals.limit(bytes);
        return withAccess(Access.CHANGE, () -> {
            checkUsable();
            record.limit = bytes;
            return statsKeeper().setLimit(bytes);
        });
    }

    @Override
    public final long limit() {
        return statsKeeper().limit(); // no access taken: a plain read of the limit, possibly a moment stale on another thread
    }

    @Override
    public final long setGrossLimit(long bytes) {
        Refusals.limit(bytes);
        return withAccess(Access.CHANGE, () -> {
            checkUsable();
            return grossLimit.set(bytes);
        });
    }

    @Override
    public final long grossLimit() {
        return grossLimit.cap();
    }

    @Override
    public final RegionStats stats() {
        return withAccess(Access.READ, () -> statsKeeper().stats());
    }

    @Override
    public final void verify() {
        withAccess(Access.CHANGE, () -> {
            checkUsable();
            Refusals.rethrow(CheckedLanes.verify(lanes())); // a MemoryCorruptionException, if any
            return null;
        });
    }

    @Override
    public final List<PieceInfo> livePieces() {
        return withAccess(Access.CHANGE, () -> {
            checkChecked("livePieces");
            return CheckedLanes.pieces(lanes());
        });
    }

    @Override
    public final String leakReport() {
        return withAccess(Access.CHANGE, () -> {
            checkChecked("leakReport");
            String report = CheckedLanes.leaks(name, lanes(), true);
            return report != null ? report : CheckedPieces.report(name, List.of());
        });
    }

    private void checkChecked(String what) {
        checkUsable();
        if (!settings.checked()) {
            throw Refusals.notChecked(name, what);
        }
    }

    @Override
    public final RegionStats statsAndResetPeaks() {
        return withAccess(Access.CHANGE, () -> {
            checkUsable();
            RegionStats stats = statsKeeper().stats();
            statsKeeper().resetWatermarks();
            return stats;
        });
    }

    @Override
    public String toString() {
        RegionStats s = stats();
        return getClass().getSimpleName() + "[" + name + ", live " + s.liveBytes() + " bytes in " + s.liveCount()
                + " pieces, gross " + s.grossBytes() + (isClosed() ? ", closed]" : "]");
    }
}
