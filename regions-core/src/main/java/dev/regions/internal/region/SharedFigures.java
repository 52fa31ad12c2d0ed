package dev.regions.internal.region;

import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.Heap;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.stats.SteppedCounter;
import dev.regions.internal.util.Checks;

import dev.regions.RegionStats;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A shared region's figures and limit as a whole. Each lane keeps its own figures in its
 * {@link Ledger}, under its own lock; these are the ones that must see every lane at once: the
 * limit caps the sum, and the watermarks are the sum's extremes. Counts, gross bytes and history
 * are summed from the lanes when asked.
 *
 * <h2>Exact, or in steps</h2>
 * Keeping the sum exact at every operation would make every thread write one counter (see
 * {@link SteppedCounter}). So the live bytes are kept one of three ways, chosen per operation:
 * <ul>
 * <li><b>One lane</b> (no limit, at most one lane ever used): the lane's ledger is the region's
 *     figures, exact. The lane still adds its change to the counter in steps, as below, so that
 *     a second lane starting finds the sum within a step.
 * <li><b>Limited</b> (a limit is set): every allocation reserves its bytes on the counter with a
 *     compare-and-set before the piece is made, and every free gives them back: the limit sees
 *     every byte, and the watermarks are exact.
 * <li><b>In steps</b> (no limit, several lanes used): each lane adds its change to the counter in
 *     steps ({@link Heap#regionUnpublished}); the watermarks may miss a swing smaller than
 *     {@value SteppedCounter#STEP} bytes per lane. The live bytes in {@link #stats} stay exact:
 *     they are read with every lane's lock held, counter plus every lane's unadded change.
 * </ul>
 * The limit is written with every lane's lock held and read with one, so a plain field will do.
 */
public final class SharedFigures implements RegionFigures {
    final SteppedCounter live = new SteppedCounter();
    private final AtomicInteger lanesUsed = new AtomicInteger();
    private final Heap[] lanes;
    private long limit;

    SharedFigures(Heap[] lanes, long limit) {
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
    void laneUsed(Heap lane) {
        lane.used = true;
        if (lanesUsed.incrementAndGet() == 2) {
            for (Heap other : lanes) {
                if (other != null && other != lane && other.used) {
                    live.observe(other.ledger.peakLiveBytes); // the one-lane history, finer than the steps
                }
            }
        }
    }

    /**
     * Limited: counts {@code byteSize} more live bytes before the piece is made, or throws and
     * counts nothing. Returns the sum, for {@link #made} once the piece is made.
     */
    long reserve(String region, long byteSize) {
        long sum = live.addWithin(byteSize, limit);
        if (sum < 0) {
            RegionEvents.limitExceeded(region, byteSize, live.total(), limit);
            throw Checks.limitExceeded(region, "allocating a piece", byteSize, live.total(), limit);
        }
        return sum;
    }

    /** Limited: the piece reserved with {@code sum} was made: the watermarks see it (a failed one never moves them). */
    void made(long sum) {
        live.observe(sum);
    }

    /** Limited: a reserved piece could not be made, or a piece was freed. */
    void release(long byteSize) {
        live.add(-byteSize);
    }

    /** In steps: a lane's change, added once it reaches a step (its lock held). */
    void changed(Heap lane, long delta) {
        if (SteppedCounter.due(lane.regionUnpublished += delta)) {
            publish(lane); // even with one lane: a second lane may start at any time, and must find the sum in steps
        }
    }

    private void publish(Heap lane) {
        long delta = lane.regionUnpublished;
        lane.regionUnpublished = 0;
        live.add(delta);
    }

    /** Every lane's lock held: adds every lane's change, so the counter is exact; returns it. */
    private long settle() {
        for (Heap lane : lanes) {
            if (lane != null && lane.regionUnpublished != 0) {
                publish(lane);
            }
        }
        long now = live.total();
        live.observe(now);
        return now;
    }

    @Override
    public RegionStats stats() {
        long count = 0;
        long gross = 0;
        long allocations = 0;
        long frees = 0;
        Ledger single = null;
        for (Heap lane : lanes) {
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
        long now = liveBytes();
        live.set(now);
        live.resetWatermarks(now);
        for (Heap lane : lanes) {
            if (lane != null) {
                lane.regionUnpublished = 0; // now counted in the total
                lane.ledger.resetWatermarks();
            }
        }
    }

    @Override
    public long liveBytes() {
        long sum = 0;
        for (Heap lane : lanes) {
            if (lane != null) {
                sum += lane.ledger.liveBytes;
            }
        }
        return sum;
    }

    @Override
    public void recount() {
        long sum = liveBytes();
        for (Heap lane : lanes) {
            if (lane != null) {
                lane.regionUnpublished = 0;
            }
        }
        if (oneLane()) {
            live.set(sum);
            for (Heap lane : lanes) {
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
