package dev.regions;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The live bytes, watermarks and limit of a shared region as a whole. Its lanes keep their own
 * figures under their own locks; these are the ones that must see every lane at once: the limit
 * caps the sum, and the watermarks are the sum's extremes. One atomic add (a compare-and-set
 * loop when a limit is set) per allocate and free keeps both exact without a common lock: the
 * thread whose change produced a new extreme raises the peak or lowers the low to it, as
 * {@link GlobalAccounting} once did for the whole process.
 *
 * <p>The limit is written with every lane's lock held and read with one, so a plain field will
 * do. Operations on the whole region ({@link #recount}) hold every lane's lock.
 */
final class SharedFigures {
    private final AtomicLong live = new PaddedAtomicLong();
    private final AtomicLong peak = new PaddedAtomicLong();
    private final AtomicLong low = new PaddedAtomicLong();

    /**
     * The three counters apart: every operation writes {@code live}, while {@code peak} and
     * {@code low}, read on every operation, change rarely; on one cache line each write of
     * {@code live} would take the watermarks' line from every other thread too.
     */
    @SuppressWarnings("serial") // never serialized
    private static final class PaddedAtomicLong extends AtomicLong {
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6, p7;
    }
    long limit;

    SharedFigures(long limit) {
        this.limit = limit;
    }

    long live() {
        return live.get();
    }

    long peak() {
        return peak.get();
    }

    long low() {
        return low.get();
    }

    /**
     * Counts {@code byteSize} more live bytes before the piece is made, or throws
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

    /** The piece reserved for was made: the live bytes it brought count for the peak. */
    void allocated(long liveAfter) {
        raise(peak, liveAfter);
    }

    void freed(long byteSize) {
        lower(low, live.addAndGet(-byteSize));
    }

    /** Every lane's lock held: the live bytes are the lanes' sum again, after a reset, close or merge. */
    void recount(long lanesLive) {
        live.set(lanesLive);
        raise(peak, lanesLive);
        lower(low, lanesLive);
    }

    /** Every lane's lock held. */
    void resetPeaks() {
        long now = live.get();
        peak.set(now);
        low.set(now);
    }

    private static void raise(AtomicLong mark, long value) {
        long m;
        while (value > (m = mark.get()) && !mark.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }

    private static void lower(AtomicLong mark, long value) {
        long m;
        while (value < (m = mark.get()) && !mark.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }
}
