package dev.regions;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live bytes, watermarks and limit of a shared region as a whole. Its lanes keep their own
 * figures under their own locks; these are the ones that must see every lane at once: the limit
 * caps the sum, and the watermarks are the sum's extremes.
 *
 * <h2>Exact, or in steps</h2>
 * Keeping the sum exact at every operation takes one atomic add on a counter every thread
 * writes. Measured with two threads churning one shared region (JMH, W3), that one cache line
 * cost 424 ns per operation; counting in steps, 147. So the counter is exact only where that is
 * needed or free:
 * <ul>
 * <li>while a limit is set (the limit must see every byte: a compare-and-set per allocation), and
 *     while at most one lane has ever allocated (one thread: the add costs no contention), every
 *     allocate and free adds to the counter, and the watermarks are exact;
 * <li>otherwise each lane adds its change to the counter in steps of {@value #STEP} bytes
 *     ({@link Heap#regionUnpublished}), and the watermarks may miss a swing of less than that
 *     per lane. The live bytes and count in {@code stats()} stay exact: they are read with every
 *     lane's lock held, counter plus every lane's unpublished change.
 * </ul>
 * The thread whose change produced a new extreme raises the peak or lowers the low to it. The
 * limit is written with every lane's lock held and read with one, so a plain field will do.
 */
final class SharedFigures {
    /** How far a lane's live bytes may move before the counter hears of it (when not exact). */
    static final long STEP = 64 * 1024;

    private final AtomicLong live = new PaddedAtomicLong();
    private final AtomicLong peak = new PaddedAtomicLong();
    private final AtomicLong low = new PaddedAtomicLong();
    private final AtomicInteger lanesUsed = new AtomicInteger();
    long limit;

    /**
     * The counters apart: every exact operation writes {@code live}, while {@code peak} and
     * {@code low}, read on every operation, change rarely.
     */
    @SuppressWarnings("serial") // never serialized
    private static final class PaddedAtomicLong extends AtomicLong {
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    SharedFigures(long limit) {
        this.limit = limit;
    }

    /** Whether operations count at once (a limit is set, or one lane has ever allocated). */
    boolean exact() {
        return limit != 0 || lanesUsed.get() <= 1;
    }

    /** A lane allocates for the first time (its lock held). */
    void laneUsed() {
        lanesUsed.incrementAndGet();
    }

    /**
     * Exact mode: counts {@code byteSize} more live bytes before the piece is made, or throws
     * {@link LimitExceededException} and counts nothing. Returns the new live bytes, for
     * {@link #allocated}; {@link #unreserve} takes them back if the piece could not be made.
     */
    long reserve(String region, long byteSize) {
        long cap = limit;
        if (cap == 0) {
            return live.addAndGet(byteSize);
        }
        while (true) {
            long now = live.get();
            if (byteSize > cap - now) {
                throw Checks.limitExceeded(region, "allocating a piece", byteSize, now, cap);
            }
            if (live.compareAndSet(now, now + byteSize)) {
                return now + byteSize;
            }
        }
    }

    void unreserve(long byteSize) {
        live.addAndGet(-byteSize);
    }

    /** Exact mode: the piece reserved for was made; the live bytes it brought count for the peak. */
    void allocated(long liveAfter) {
        Watermarks.raise(peak, liveAfter);
    }

    /** Exact mode: a piece was freed. */
    void freed(long byteSize) {
        Watermarks.lower(low, live.addAndGet(-byteSize));
    }

    /** In steps: a lane hands over the change it has not yet counted. */
    void publish(Heap lane) {
        long delta = lane.regionUnpublished;
        lane.regionUnpublished = 0;
        long now = live.addAndGet(delta);
        if (delta > 0) {
            Watermarks.raise(peak, now);
        } else {
            Watermarks.lower(low, now);
        }
    }

    /** Every lane's lock held: the exact live bytes, which the watermarks then include. */
    long settle(Heap[] lanes) {
        for (Heap lane : lanes) {
            if (lane.regionUnpublished != 0) {
                publish(lane);
            }
        }
        long now = live.get();
        Watermarks.raise(peak, now);
        Watermarks.lower(low, now);
        return now;
    }

    long peak() {
        return peak.get();
    }

    long low() {
        return low.get();
    }

    /** Every lane's lock held: after a reset, close or merge the live bytes are the lanes' sum again. */
    void recount(Heap[] lanes) {
        long sum = 0;
        for (Heap lane : lanes) {
            lane.regionUnpublished = 0;
            sum += lane.liveBytes;
        }
        live.set(sum);
        Watermarks.raise(peak, sum);
        Watermarks.lower(low, sum);
    }

    /** Every lane's lock held. */
    void resetPeaks(Heap[] lanes) {
        long now = settle(lanes);
        peak.set(now);
        low.set(now);
    }
}
