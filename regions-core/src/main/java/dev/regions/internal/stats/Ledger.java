package dev.regions.internal.stats;

import dev.regions.internal.util.Padded;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * What one lane owes and has done: the {@link Lease leases} it holds and its stats (live bytes
 * and pieces, gross bytes, watermarks, history). It is the part of a lane that outlives the
 * region object: the process-wide stats ({@link GlobalStats}) sum the ledgers of open lanes,
 * and the cleaner that reclaims a region nobody closed ({@code Reclaimer}) gives back the leases
 * of its ledgers. So a ledger references no arena, generation or lane: anything that reaches a
 * region's arenas reaches the region object too (see {@code Generation}), and would keep it from
 * ever becoming unreachable. For the same reason a ledger also stands for its lane wherever the
 * block side must name a lane without reaching it (a block's slot owner, a carved block's
 * carver): one object, two roles, by design.
 *
 * <p>The stats are written by the lane's owner only (its thread, or the holder of its lane's
 * lock), with plain writes on the hot path; other threads read them with opaque reads, so they
 * may see a slightly stale value but never a torn one. Gross bytes alone may be moved by
 * another region's thread (a shared {@link Lease} changing hands), so they change atomically.
 *
 * <p>Invariants, with no operation in flight: {@code liveBytes} and {@code liveCount} are the
 * sums over the live pieces of the lane's generations; {@code lowLiveBytes <= liveBytes <=
 * peakLiveBytes}; {@code grossBytes} is the sum of the leases this ledger counts;
 * {@code 0 <= globalFloor <= liveBytes <= globalCeiling} are this ledger's shares of the process's
 * live counter ({@link SteppedCounter}), at most {@link #step} apart unless exact.
 */
public final class Ledger extends Padded {
    private static final VarHandle GROSS;
    private static final VarHandle LIVE;
    private static final VarHandle COUNT;
    private static final VarHandle ALLOCATIONS;
    private static final VarHandle FREES;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            GROSS = lookup.findVarHandle(Ledger.class, "grossBytes", long.class);
            LIVE = lookup.findVarHandle(Ledger.class, "liveBytes", long.class);
            COUNT = lookup.findVarHandle(Ledger.class, "liveCount", long.class);
            ALLOCATIONS = lookup.findVarHandle(Ledger.class, "allocations", long.class);
            FREES = lookup.findVarHandle(Ledger.class, "frees", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public long liveBytes;
    public long liveCount;
    public long peakLiveBytes;
    public long lowLiveBytes;
    public long allocations;
    public long frees;
    /**
     * This ledger's shares of the process's live counter: bounds on {@link #liveBytes} that it
     * moves only when the live bytes leave them ({@link SteppedCounter}).
     */
    long globalFloor;
    long globalCeiling;
    /**
     * How far the shares may lag the live bytes: {@value SteppedCounter#STEP} bytes for a confined
     * region's lane, that divided by the lane count for a lane of a shared region, so that the
     * process's watermarks miss less than {@value SteppedCounter#STEP} bytes per region.
     */
    final long step;
    @SuppressWarnings("unused") // through GROSS
    private long grossBytes;

    /** The gross limit of the ledger's region, checked before each source call (see {@link GrossLimit}), or null. */
    public GrossLimit grossLimit;

    /** The leases this ledger holds (it may share some with the ledgers of other lanes). */
    public final List<Lease> leases = new ArrayList<>();
    /** Pieces of this lane other threads freed, not yet taken back (a shared region's lanes). */
    public final PendingFrees pending = new PendingFrees();

    /** A ledger of a confined region's lane. */
    public Ledger() {
        this(SteppedCounter.STEP);
    }

    /** A ledger whose shares of the process's live counter lag its live bytes by at most {@code step}. */
    public Ledger(long step) {
        this.step = step;
    }

    /**
     * A lane with checked pieces: what the leak report says of each live one, or null. Here, not
     * in the lane, so that a region reclaimed unclosed can be reported ({@link Reclaimer}).
     * Written by the lane's owner, like the stats; read by the reclaimer once nothing else can.
     */
    public java.util.Set<PieceNote> checkedNotes;

    // ---------------------------------------------------------------- the hot path

    public void allocated(long byteSize) {
        liveCount++;
        allocations++;
        if ((liveBytes += byteSize) > peakLiveBytes) {
            peakLiveBytes = liveBytes;
        }
        if (liveBytes > globalCeiling) {
            GlobalStats.publish(this, byteSize);
        }
    }

    public void freed(long byteSize) {
        liveCount--;
        frees++;
        if ((liveBytes -= byteSize) < lowLiveBytes) {
            lowLiveBytes = liveBytes;
        }
        assert liveBytes >= 0 && liveCount >= 0 : "a free took live bytes to " + liveBytes + ", pieces to " + liveCount;
        if (liveBytes < globalFloor) {
            GlobalStats.publish(this, -byteSize);
        }
    }

    /** A live piece changed size in place by {@code delta} bytes (a reallocation): no piece came or went. */
    public void resized(long delta) {
        liveBytes += delta;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        lowLiveBytes = Math.min(lowLiveBytes, liveBytes);
        if (liveBytes > globalCeiling || liveBytes < globalFloor) {
            GlobalStats.publish(this, delta);
        }
    }

    // ---------------------------------------------------------------- whole-lane changes

    /** Pieces died at once (a reset, or the generations a failed reset did end). */
    public void dropped(long bytes, long count) {
        liveBytes -= bytes;
        liveCount -= count;
        assert liveBytes >= 0 && liveCount >= 0 : "dropping took live bytes to " + liveBytes + ", pieces to " + liveCount;
        lowLiveBytes = Math.min(lowLiveBytes, liveBytes);
        GlobalStats.publish(this, -bytes);
    }

    /** Moves every live piece's stats to {@code to} (a merge); the history stays here. */
    public void moveLiveTo(Ledger to) {
        GlobalStats.moving();
        try {
            to.liveBytes += liveBytes;
            to.liveCount += liveCount;
            to.peakLiveBytes = Math.max(to.peakLiveBytes, to.liveBytes);
            to.globalFloor += globalFloor; // the shares move with the bytes: the process's sums do not change
            to.globalCeiling += globalCeiling;
            liveBytes = liveCount = lowLiveBytes = globalFloor = globalCeiling = 0;
        } finally {
            GlobalStats.moved();
        }
        if (to.globalCeiling - to.globalFloor > to.step) {
            GlobalStats.publish(to, 0); // two lags added up: back within a step
        }
    }

    void addGross(long delta) {
        GROSS.getAndAdd(this, delta);
    }

    public void resetWatermarks() {
        peakLiveBytes = lowLiveBytes = liveBytes;
    }

    // ---------------------------------------------------------------- reads from any thread

    public long grossBytes() {
        return (long) GROSS.getOpaque(this);
    }

    /** Live bytes read from any thread, less the pieces other threads freed that the lane has not taken back. */
    public long liveBytesNow() {
        return (long) LIVE.getOpaque(this) - pending.bytes();
    }

    public long liveCountNow() {
        return (long) COUNT.getOpaque(this) - pending.count();
    }

    public long allocationsNow() {
        return (long) ALLOCATIONS.getOpaque(this);
    }

    public long freesNow() {
        return (long) FREES.getOpaque(this);
    }
}
