package dev.regions;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock of a {@link SharedRegion}: a compare-and-set on the owner, then spinning, then
 * yielding, then short sleeps. Its critical sections are tens of nanoseconds (one allocate or
 * free), where a waiter that parks, as {@link java.util.concurrent.locks.ReentrantLock} does
 * after a brief spin, costs microseconds to wake: with two threads churning one shared region
 * under a single lock, a {@code ReentrantLock} took about 480 ns per operation and this lock about
 * 250 ns (a timed loop, not JMH). Lanes (see {@link SharedRegion}) then took the common lock away.
 *
 * <p>Re-entrant, so that a cleanup action or a source call running under the lock that calls
 * back into the region gets the heap's clear "busy" exception instead of a deadlock. Not fair: a
 * thread may be overtaken, which for operations this short costs less than a queue would. The
 * long operations (a shared reset's handshake, source calls) also run under it; waiters then
 * back off to sleeps of up to a millisecond instead of burning a core.
 */
final class RegionLock extends Padded {
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(RegionLock.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SPINS = 128;
    private static final int YIELDS = 16;
    private static final long MAX_SLEEP_NANOS = 1_000_000;

    @SuppressWarnings("unused") // through OWNER
    private volatile Thread owner;
    /** How many times the owner holds the lock; touched by the owner only. */
    private int holds;

    void lock() {
        Thread me = Thread.currentThread();
        if (!OWNER.compareAndSet(this, (Thread) null, me)) {
            if (OWNER.getOpaque(this) == me) {
                holds++;
                return;
            }
            lockContended(me);
        }
        holds = 1;
    }

    private void lockContended(Thread me) {
        long sleep = 1_000;
        for (int tries = 0; ; tries++) {
            if (OWNER.getOpaque(this) == null && OWNER.compareAndSet(this, (Thread) null, me)) {
                return;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else if (tries < SPINS + YIELDS) {
                Thread.yield();
            } else {
                LockSupport.parkNanos(this, sleep);
                sleep = Math.min(MAX_SLEEP_NANOS, sleep * 2);
            }
        }
    }

    /** For tests: whether some thread holds the lock. */
    boolean isLocked() {
        return OWNER.getOpaque(this) != null;
    }

    void unlock() {
        if (--holds == 0) {
            OWNER.setRelease(this, (Thread) null);
        }
    }
}
