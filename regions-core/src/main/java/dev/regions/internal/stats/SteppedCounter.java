package dev.regions.internal.stats;


import java.util.concurrent.atomic.AtomicLong;

/**
 * A sum that many writers move, with the highest and lowest values it took: the process's live
 * bytes ({@link GlobalFigures}) and a shared region's live bytes across its lanes
 * ({@code SharedFigures}).
 *
 * <p>Adding to one counter on every allocate and free would make every thread write the same
 * cache line: with two threads churning one shared region (BENCHMARKS.md, W3), that one line cost
 * more than the rest of the operation. So a writer may keep its change to itself
 * and add it in steps: once it reaches {@value #STEP} bytes either way ({@link #due}), and
 * whenever the caller needs the sum exact. The sum then differs from the true total by less than
 * a step per writer, and the watermarks may miss a swing smaller than that; a writer that adds
 * every change keeps them exact. The writer whose change produced a new extreme sets it.
 *
 * <p>Invariant the callers keep: each writer's share of the sum is the value it had at its last
 * add, never below 0, so the sum and the watermarks are never negative.
 */
public final class SteppedCounter {
    /** How far a writer's change may grow before it must be added. */
    public static final long STEP = 64 * 1024;

    private final AtomicLong total = new PaddedAtomicLong();
    private final AtomicLong peak = new PaddedAtomicLong();
    private final AtomicLong low = new PaddedAtomicLong();

    /** Keeps the counters on cache lines of their own: {@code total} is written far more often. */
    @SuppressWarnings("serial") // never serialized
    private static final class PaddedAtomicLong extends AtomicLong {
        @SuppressWarnings("unused")
        private long p0, p1, p2, p3, p4, p5, p6, p7;
    }

    /** Whether a writer's unadded change has reached a step. */
    public static boolean due(long unadded) {
        return unadded >= STEP || unadded <= -STEP;
    }

    /** Adds a writer's change and moves the watermark it pushes against; returns the new sum. */
    public long add(long delta) {
        long now = total.addAndGet(delta);
        if (delta > 0) {
            raise(peak, now);
        } else if (delta < 0) {
            lower(low, now);
        }
        return now;
    }

    /**
     * Adds {@code delta} unless that takes the sum over {@code limit}; returns the new sum, or -1
     * (and adds nothing) if it would. For a limit that every writer's change must respect, so
     * writers under a limit add every change. The peak does not see the new sum: a reservation
     * may still be given back ({@link #add} of {@code -delta}); once it holds, {@link #observe} it.
     */
    public long addWithin(long delta, long limit) {
        while (true) {
            long now = total.get();
            if (delta > limit - now) {
                return -1;
            }
            if (total.compareAndSet(now, now + delta)) {
                return now + delta;
            }
        }
    }

    /** Sets the sum (every writer's change counted) and lets the watermarks see it. */
    public void set(long value) {
        total.set(value);
        observe(value);

    }

    /** A value the sum took (for instance read by a snapshot): the watermarks see it. */
    public void observe(long value) {
        raise(peak, value);
        lower(low, value);
    }

    public long total() {
        return total.get();
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
