package dev.regions.internal.region;

import dev.regions.internal.util.Padded;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * The lock of a lane of a {@link SharedRegion}: a compare-and-set on the owner, then spinning,
 * then yielding, then sleeping until the owner lets go. Its critical sections are short (one
 * allocate or free), where a waiter that parks at once, as
 * {@link java.util.concurrent.locks.ReentrantLock} does after a brief spin, is slow to wake
 * (BENCHMARKS.md, "Engine choices made by measurement", has what each lock measured). Lanes (see {@link Lanes}) then took the
 * common lock away; BENCHMARKS.md, W3, has what a shared region costs now. The long operations (a shared reset's handshake,
 * source calls) also run under it; waiters then sleep instead of burning a core.
 *
 * <p>Unlocking costs a release store and a read of {@link #sleeping}; only when a waiter has gone
 * to sleep does it wake the sleepers. A waiter counts itself as sleeping before it checks the
 * owner one last time, so under sequential consistency no wake-up is lost; where the processor
 * lets the unlocking store pass the read (x86 may), the sleep's timeout ends the wait.
 *
 * <p>Not interruptible: a waiter whose thread is interrupted goes on sleeping until it gets the lock,
 * and keeps its interrupt status for whoever checks it next.
 *
 * <p>Re-entrant, so that a cleanup action or a source call running under the lock that calls back
 * into the region gets the lane's clear "busy" exception instead of a deadlock. Not fair: a thread
 * may be overtaken, which for operations this short costs less than a queue would.
 */
public final class RegionLock extends Padded {
    private static final VarHandle OWNER;
    private static final VarHandle SLEEPING;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            OWNER = lookup.findVarHandle(RegionLock.class, "owner", long.class);
            SLEEPING = lookup.findVarHandle(RegionLock.class, "sleeping", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final int SPINS = 128;
    private static final int YIELDS = 16;
    private static final long MAX_SLEEP_NANOS = 1_000_000;

    /**
     * The owner's {@link Thread#threadId() id}, or 0: a {@code long}, so that taking and letting go
     * of the lock pays no garbage collector barrier, as a reference field's compare-and-set does.
     */
    @SuppressWarnings("unused") // through OWNER
    private volatile long owner;
    /** How many times the owner holds the lock; touched by the owner only. */
    private int holds;
    /** Waiters that sleep or are about to. */
    @SuppressWarnings("unused") // through SLEEPING
    private volatile int sleeping;
    private final ConcurrentLinkedQueue<Thread> sleepers = new ConcurrentLinkedQueue<>();

    void lock() {
        Thread me = Thread.currentThread();
        long id = me.threadId();
        if (!OWNER.compareAndSet(this, 0L, id)) {
            if ((long) OWNER.getOpaque(this) == id) {
                holds++;
                return;
            }
            lockContended(me);
        }
        holds = 1;
    }

    private void lockContended(Thread me) {
        for (int tries = 0; tries < SPINS + YIELDS; tries++) {
            if (tryTake(me)) {
                return;
            }
            if (tries < SPINS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        sleepers.add(me);
        SLEEPING.getAndAdd(this, 1);
        boolean interrupted = false;
        try {
            while (!tryTake(me)) {
                LockSupport.parkNanos(this, MAX_SLEEP_NANOS);
                // An interrupted thread's park returns at once: keep sleeping, and keep the interrupt for later.
                interrupted |= Thread.interrupted();
            }
        } finally {
            SLEEPING.getAndAdd(this, -1);
            sleepers.remove(me);
            if (interrupted) {
                me.interrupt();
            }
        }
    }

    private boolean tryTake(Thread me) {
        return (long) OWNER.getVolatile(this) == 0 && OWNER.compareAndSet(this, 0L, me.threadId());
    }

    void unlock() {
        if (--holds == 0) {
            OWNER.setRelease(this, 0L);
            if ((int) SLEEPING.getVolatile(this) != 0) {
                for (Thread t : sleepers) {
                    LockSupport.unpark(t);
                }
            }
        }
    }

    /** Whether the calling thread holds the lock. */
    boolean isHeldByCurrentThread() {
        return (long) OWNER.getOpaque(this) == Thread.currentThread().threadId();
    }

    /** For tests: whether some thread holds the lock. */
    public boolean isLocked() {
        return (long) OWNER.getOpaque(this) != 0;
    }
}
