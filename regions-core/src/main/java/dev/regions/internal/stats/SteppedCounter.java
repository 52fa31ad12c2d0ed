package dev.regions.internal.stats;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A sum that many writers move, with the highest and lowest values it took: the process's live
 * bytes ({@link GlobalStats}) and a shared region's live bytes across its lanes
 * ({@code SharedStats}).
 *
 * <p>Adding to one counter on every allocate and free would make every thread write the same
 * cache line: with two threads churning one shared region (BENCHMARKS.md, W3), that one line cost
 * more than the rest of the operation. So a writer keeps its live bytes to itself and tells the
 * counter only two bounds on them, its <em>shares</em>: a floor at most its live bytes and a
 * ceiling at least its live bytes. The counter sums the floors and the ceilings apart: the sum of
 * the floors is never above the true sum, the sum of the ceilings never below it. The peak is
 * raised only with the sum of the floors and the low lowered only with the sum of the ceilings,
 * so a watermark may miss a swing, never show a value the sum did not take.
 *
 * <p>A writer adds its change ({@link #add}) only when its live bytes leave its shares
 * ({@link #due}): it then sets them half its step either side of its live bytes (the floor not
 * below 0; the side it moved to exact if it moved by half a step or more at once), so it adds again
 * only after moving half a step, and its floor (ceiling) lags its live bytes by at most a step: the watermarks miss a swing of less than a step per writer. A writer
 * whose shares are its live bytes, exactly ({@link #set}, {@link #addWithin}), keeps them exact.
 * The order of each add is the one that keeps the bounds: a ceiling is raised and a floor lowered
 * before the other moves.
 */
public final class SteppedCounter {
    /** How far a writer's shares may lag its live bytes: the swing the watermarks may miss, per writer. */
    public static final long STEP = 64 * 1024;

    private final AtomicLong floor = new PaddedAtomicLong();
    private final AtomicLong ceiling = new PaddedAtomicLong();
    private final AtomicLong peak = new PaddedAtomicLong();
    private final AtomicLong low = new PaddedAtomicLong();

    /** Keeps the counters on cache lines of their own: the sums are written far more often. */
    @SuppressWarnings("serial") // never serialized
    private static final class PaddedAtomicLong extends AtomicLong {
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    /** Whether a writer's live bytes left its shares, so that it must add its change now. */
    public static boolean due(long live, long floorShare, long ceilingShare) {
        return live > ceilingShare || live < floorShare;
    }

    /**
     * The floor share of a writer whose step is {@code step}, recentred on {@code live} after a
     * change of {@code change} bytes: half a step below, but exact after a rise of half a step or
     * more, so that a swing made of large pieces is seen exactly. Only pieces that large can then
     * make the writer add at every change, which a change that large does anyway.
     */
    public static long floorOf(long live, long step, long change) {
        return change >= step >>> 1 ? live : Math.max(0, live - (step >>> 1));
    }

    /** The ceiling share, as {@link #floorOf}: half a step above, exact after a fall of half a step or more. */
    public static long ceilingOf(long live, long step, long change) {
        return -change >= step >>> 1 ? live : live + (step >>> 1);
    }

    /**
     * A writer's shares moved by these amounts (for instance to {@link #floorOf} and
     * {@link #ceilingOf} its live bytes); the watermark each one pushes against moves with it.
     */
    public void add(long floorDelta, long ceilingDelta) {
        if (ceilingDelta > 0) {
            ceiling.addAndGet(ceilingDelta);
        }
        if (floorDelta < 0) {
            floor.addAndGet(floorDelta);
        }
        if (floorDelta > 0) {
            raise(peak, floor.addAndGet(floorDelta));
        }
        if (ceilingDelta < 0) {
            lower(low, ceiling.addAndGet(ceilingDelta));
        }
    }

    /**
     * Raises the ceiling by {@code delta} unless that takes it over {@code limit}; returns the new
     * ceiling, or -1 (and adds nothing) if it would. For a limit that every writer's change must
     * respect, so writers under a limit keep exact shares: a reservation, which {@link #add}
     * {@code (delta, 0)} confirms once the piece is made (the peak sees it then, never a
     * reservation given back with {@code add(0, -delta)}).
     */
    public long addWithin(long delta, long limit) {
        while (true) {
            long now = ceiling.get();
            if (delta > limit - now) {
                return -1;
            }
            if (ceiling.compareAndSet(now, now + delta)) {
                return now + delta;
            }
        }
    }

    /** Sets both sums (every writer's shares now exact) and lets the watermarks see the value. */
    public void set(long value) {
        ceiling.set(value);
        floor.set(value);
        observe(value);

    }

    /** A value the sum took (for instance read by a snapshot): the watermarks see it. */
    public void observe(long value) {
        raise(peak, value);
        lower(low, value);
    }

    /**
     * The sum of the ceilings: at least the sum of the writers' live bytes, and exactly it when
     * every writer's shares are exact and no reservation is in flight.
     */
    public long total() {
        return ceiling.get();
    }

    public long peak() {
        return peak.get();
    }

    public long low() {
        return low.get();
    }

    /** Both watermarks to {@code value}, as the original's read-and-reset did. */
    public void resetWatermarks(long value) {
        peak.set(value);
        low.set(value);
    }

    private static void raise(AtomicLong peak, long value) {
        long m;
        while (value > (m = peak.get()) && !peak.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }

    private static void lower(AtomicLong low, long value) {
        long m;
        while (value < (m = low.get()) && !low.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }
}
