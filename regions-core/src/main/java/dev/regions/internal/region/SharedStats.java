package dev.regions.internal.region;

import dev.regions.RegionStats;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.lane.RemoteFrees;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.stats.SteppedCounter;
import dev.regions.internal.util.Refusals;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shared region's stats and limit as a whole. Each lane keeps its own stats in its
 * {@link Ledger}, under its own lock; these are the ones that must see every lane at once: the
 * limit caps the sum, and the watermarks are the sum's extremes. Counts, gross bytes and history
 * are summed from the lanes when asked.
 *
 * <h2>Exact, or in steps</h2>
 * Keeping the sum exact at every operation would make every thread write one counter (see
 * {@link SteppedCounter}). So the live bytes are kept one of three ways, chosen per operation:
 * <ul>
 * <li><b>One lane</b> (no limit, at most one lane ever used): the lane's ledger is the region's
 *     stats, exact. The lane still adds its change to the counter in steps, as below, so that
 *     a second lane starting finds the sum within a step.
 * <li><b>Limited</b> (a limit is set): every allocation reserves its bytes on the counter's
 *     ceiling with a compare-and-set before the piece is made, and adds them to its floor once it
 *     is made; every free takes them off both: the limit sees every byte, and the watermarks are
 *     exact.
 * <li><b>In steps</b> (no limit, several lanes used): each lane tells the counter bounds on its
 *     live bytes in steps ({@link Lane#regionFloor}, {@link Lane#regionCeiling}); the watermarks
 *     may miss a swing smaller than {@value SteppedCounter#STEP} bytes per lane, and never show a
 *     value the live bytes did not take. The live bytes in {@link #stats} stay exact: they are read
 *     with every lane's lock held, once every lane's shares are made exact.
 * </ul>
 * The limit is written with every lane's lock held and read with one, so a plain field will do.
 */
public final class SharedStats implements StatsKeeper {
    final SteppedCounter live = new SteppedCounter();
    private final AtomicInteger lanesUsed = new AtomicInteger();
    private final Lane[] lanes;
    private long limit;

    SharedStats(Lane[] lanes, long limit) {
        this.lanes = lanes;
        this.limit = limit;
    }

    /** Whether only one lane has ever been used and no limit is set: that lane's ledger is exact. */
    private boolean oneLane() {
        return limit == 0 && lanesUsed.get() <= 1;
    }

    boolean limited() {
        return limit != 0;
    }

    /** A lane allocates or receives pieces for the first time (its lock held). */
    void laneUsed(Lane lane) {
        lane.used = true;
        if (lanesUsed.incrementAndGet() == 2) {
            for (Lane other : lanes) {
                if (other != null && other != lane && other.used) {
                    live.observe(other.ledger.peakLiveBytes); // the one-lane history, finer than the steps
                }
            }
        }
    }

    /**
     * Limited: counts {@code byteSize} more live bytes against the limit before the piece is made,
     * or throws and counts nothing; then {@link #made} or {@link #unreserve}.
     */
    void reserve(String region, long byteSize) {
        if (live.addWithin(byteSize, limit) < 0) {
            RegionEvents.limitExceeded(region, byteSize, live.total(), limit);
            throw Refusals.limitExceeded(region, "allocating a piece", byteSize, live.total(), limit);
        }
    }

    /** Limited: the piece of {@code byteSize} bytes reserved was made: the peak sees it (a failed one never moves it). */
    void made(long byteSize) {
        live.add(byteSize, 0);
    }

    /** Limited: a reserved piece of {@code byteSize} bytes could not be made. */
    void unreserve(long byteSize) {
        live.add(0, -byteSize);
    }

    /** Limited: a piece was freed. */
    void release(long byteSize) {
        live.add(-byteSize, -byteSize);
    }

    /**
     * What lane {@code lane} answers for in the sum (its lock held): its live bytes, plus the
     * pieces of other lanes' frees it took back, less the bytes its threads freed in other lanes
     * ({@link RemoteFrees}). A free across lanes moves the freeing lane's share, so the sum of
     * the shares is exact without the owner's lock; settled to the live bytes with every lock held.
     */
    private static long answersFor(Lane lane) {
        return lane.ledger.liveBytes + lane.remote.drained - lane.remote.freedForOthers;
    }

    /** In steps: a lane's live bytes changed by {@code delta}; its shares move once the live bytes leave them (its lock held). */
    void changed(Lane lane, long delta) {
        long now = answersFor(lane);
        if (SteppedCounter.due(now, lane.regionFloor, lane.regionCeiling)) {
            // even with one lane: a second lane may start at any time, and must find the sum in steps
            share(lane, SteppedCounter.floorOf(now, SteppedCounter.STEP, delta),
                    SteppedCounter.ceilingOf(now, SteppedCounter.STEP, delta));
        }
    }

    /**
     * The lane's number changed hands since the lane last saw it ({@link ThreadLanes}: a thread
     * that ended left it to a new one): its shares become its live bytes, exactly, so that what
     * the ended thread had not yet told the counter is told now, and the watermarks carry no step
     * for a thread that is gone (its lock held).
     */
    void handedOver(Lane lane, int handovers) {
        lane.handovers = handovers;
        if (!limited()) { // limited, the shares are exact already
            long now = answersFor(lane);
            share(lane, now, now);
        }
    }

    private void share(Lane lane, long floor, long ceiling) {
        long floorDelta = floor - lane.regionFloor;
        long ceilingDelta = ceiling - lane.regionCeiling;
        lane.regionFloor = floor;
        lane.regionCeiling = ceiling;
        live.add(floorDelta, ceilingDelta);
    }

    /** Every lane's lock held: makes every lane's shares exact, so the counter is exact; returns it. */
    private long settle() {
        for (Lane lane : lanes) {
            if (lane != null && !limited()) { // limited, the counter is exact already
                long now = lane.ledger.liveBytes;
                share(lane, now, now);
            }
        }
        long now = live.total();
        live.observe(now);
        return now;
    }

    /** The lanes' shares to their live bytes, exactly, without the counter (the caller sets it); returns the sum. */
    private long exactShares() {
        long sum = 0;
        for (Lane lane : lanes) {
            if (lane != null) {
                lane.regionFloor = lane.regionCeiling = lane.ledger.liveBytes;
                sum += lane.ledger.liveBytes;
            }
        }
        return sum;
    }

    @Override
    public RegionStats stats() {
        long count = 0;
        long gross = 0;
        long allocations = 0;
        long frees = 0;
        Ledger single = null;
        for (Lane lane : lanes) {
            if (lane != null) {
                count += lane.ledger.liveCount;
                gross += lane.ledger.grossBytes();
                allocations += lane.ledger.allocations;
                frees += lane.ledger.frees;
                if (lane.used) {
                    single = lane.ledger;
                }
            }
        }
        if (oneLane()) {
            return single == null ? new RegionStats(0, count, gross, live.peak(), live.low(), allocations, frees)
                    : new RegionStats(single.liveBytes, count, gross, single.peakLiveBytes, single.lowLiveBytes,
                            allocations, frees);
        }
        long now = settle();
        return new RegionStats(now, count, gross, live.peak(), live.low(), allocations, frees);
    }

    @Override
    public long limit() {
        return limit;
    }

    @Override
    public long setLimit(long bytes) {
        recount(); // a limit needs the exact sum from now on
        long previous = limit;
        limit = bytes;
        return previous;
    }

    @Override
    public void resetWatermarks() {
        long now = exactShares();
        live.set(now);
        live.resetWatermarks(now);
        for (Lane lane : lanes) {
            if (lane != null) {
                lane.ledger.resetWatermarks();
            }
        }
    }

    @Override
    public long liveBytes() {
        long sum = 0;
        for (Lane lane : lanes) {
            if (lane != null) {
                sum += lane.ledger.liveBytes;
            }
        }
        return sum;
    }

    @Override
    public void recount() {
        long sum = exactShares();
        if (oneLane()) {
            live.set(sum);
            for (Lane lane : lanes) {
                if (lane != null && lane.used) {
                    live.observe(lane.ledger.peakLiveBytes);
                    live.observe(lane.ledger.lowLiveBytes);
                }
            }
        } else {
            live.set(sum);
        }
    }
}
