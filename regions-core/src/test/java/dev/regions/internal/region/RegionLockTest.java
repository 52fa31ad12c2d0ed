package dev.regions.internal.region;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link RegionLock}, a lane's spin-then-sleep lock: mutual exclusion (plain increments under it
 * add up exactly), re-entrancy (a thread that locked twice holds it until it unlocked twice), a
 * waiter that went to sleep is woken promptly when the holder lets go, and {@link
 * RegionLock#isLocked} tells whether someone holds it.
 */
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RegionLockTest {

    private static final long GENEROUS_NANOS = TimeUnit.SECONDS.toNanos(2);

    /** Guarded by the lock under test; plain on purpose. */
    private long counter;

    @Test
    void incrementsUnderTheLockAddUpExactly() throws InterruptedException {
        RegionLock lock = new RegionLock();
        int threads = 4;
        int perThread = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        lock.lock();
                        try {
                            counter++;
                            if ((i & 1023) == 0) {
                                lock.lock(); // a re-entrant acquisition now and then
                                counter++;
                                lock.unlock();
                            }
                        } finally {
                            lock.unlock();
                        }
                    }
                } catch (Throwable e) {
                    failure.set(e);
                }
            }));
        }
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        assertThat(failure.get()).isNull();
        long reentrant = threads * ((perThread + 1023) / 1024);
        assertThat(counter).isEqualTo((long) threads * perThread + reentrant);
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void isLockedReflectsTheState() throws InterruptedException {
        RegionLock lock = new RegionLock();
        assertThat(lock.isLocked()).isFalse();
        lock.lock();
        assertThat(lock.isLocked()).isTrue();
        boolean[] seenFromAnother = new boolean[1];
        Thread other = Thread.ofPlatform().start(() -> seenFromAnother[0] = lock.isLocked());
        other.join();
        assertThat(seenFromAnother[0]).as("isLocked on another thread").isTrue();
        lock.lock();
        assertThat(lock.isLocked()).isTrue();
        lock.unlock();
        assertThat(lock.isLocked()).as("still held once").isTrue();
        lock.unlock();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void aReentrantHolderKeepsTheLockUntilItUnlockedAsOftenAsItLocked() throws InterruptedException {
        RegionLock lock = new RegionLock();
        lock.lock();
        lock.lock();
        lock.unlock(); // held once more

        CountDownLatch acquired = new CountDownLatch(1);
        AtomicLong acquiredAt = new AtomicLong();
        Thread other = Thread.ofPlatform().start(() -> {
            lock.lock();
            acquiredAt.set(System.nanoTime());
            acquired.countDown();
            lock.unlock();
        });
        assertThat(acquired.await(150, TimeUnit.MILLISECONDS))
                .as("another thread took the lock while its holder still held it once").isFalse();
        assertThat(lock.isLocked()).isTrue();

        long released = System.nanoTime();
        lock.unlock();

        assertThat(acquired.await(2, TimeUnit.SECONDS)).as("the other thread got the lock once released").isTrue();
        assertThat(acquiredAt.get()).isGreaterThanOrEqualTo(released);
        other.join();
        assertThat(lock.isLocked()).isFalse();
        // And the first thread can take it again.
        lock.lock();
        assertThat(lock.isLocked()).isTrue();
        lock.unlock();
    }

    @Test
    void aSleepingWaiterIsWokenPromptlyWhenTheHolderUnlocks() throws InterruptedException {
        RegionLock lock = new RegionLock();
        lock.lock();
        long lockedAt = System.nanoTime();
        AtomicLong acquiredAt = new AtomicLong();
        CountDownLatch acquired = new CountDownLatch(1);
        Thread waiter = Thread.ofPlatform().start(() -> {
            lock.lock();
            acquiredAt.set(System.nanoTime());
            acquired.countDown();
            lock.unlock();
        });
        // Past its spins and yields, the waiter parks (TIMED_WAITING): wait until it does.
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (waiter.getState() != Thread.State.TIMED_WAITING && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertThat(waiter.getState()).as("the waiter went to sleep").isEqualTo(Thread.State.TIMED_WAITING);
        long held = TimeUnit.MILLISECONDS.toNanos(50) - (System.nanoTime() - lockedAt);
        if (held > 0) {
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(held) + 1);
        }
        assertThat(acquired.getCount()).as("the waiter did not get a held lock").isEqualTo(1);

        long releasedAt = System.nanoTime();
        lock.unlock();

        assertThat(acquired.await(2, TimeUnit.SECONDS)).as("the waiter got the lock").isTrue();
        long wake = acquiredAt.get() - releasedAt;
        assertThat(wake).as("ns from unlock to the waiter holding the lock").isBetween(0L, GENEROUS_NANOS);
        waiter.join();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void severalSleepingWaitersAllGetTheLockInTurn() throws InterruptedException {
        RegionLock lock = new RegionLock();
        lock.lock();
        int n = 3;
        CountDownLatch done = new CountDownLatch(n);
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiters.add(Thread.ofPlatform().start(() -> {
                lock.lock();
                try {
                    counter++;
                } finally {
                    lock.unlock();
                }
                done.countDown();
            }));
        }
        long deadline = System.nanoTime() + GENEROUS_NANOS;
        while (System.nanoTime() < deadline
                && !waiters.stream().allMatch(w -> w.getState() == Thread.State.TIMED_WAITING)) {
            Thread.sleep(1);
        }
        assertThat(waiters).allMatch(w -> w.getState() == Thread.State.TIMED_WAITING, "asleep");
        assertThat(counter).isZero();

        lock.unlock();

        assertThat(done.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(counter).isEqualTo(n);
        for (Thread w : waiters) {
            w.join();
        }
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void anInterruptedWaiterGetsTheLockAndKeepsItsInterrupt() throws InterruptedException {
        RegionLock lock = new RegionLock();
        lock.lock();
        CountDownLatch acquired = new CountDownLatch(1);
        boolean[] stillInterrupted = new boolean[1];
        Thread waiter = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            lock.lock();
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
            acquired.countDown();
            lock.unlock();
        });
        assertThat(acquired.await(50, TimeUnit.MILLISECONDS)).as("the waiter got a held lock").isFalse();

        lock.unlock();

        assertThat(acquired.await(2, TimeUnit.SECONDS)).isTrue();
        waiter.join();
        assertThat(stillInterrupted[0]).as("the waiter's interrupt status survived the wait").isTrue();
        assertThat(lock.isLocked()).isFalse();
    }

    /**
     * The class's contract: under a long hold "waiters then sleep instead of burning a core". A
     * thread whose interrupt status is set must sleep too: {@code LockSupport.parkNanos} returns at
     * once for an interrupted thread, so a waiter that parks without clearing the status spins at
     * full speed (about one core for as long as the lock is held). Sampled through the waiter's
     * state: a sleeping waiter is TIMED_WAITING nearly all the time, one that spins is RUNNABLE
     * for a good part of it.
     */
    @Test
    void anInterruptedWaiterSleepsInsteadOfSpinning() throws InterruptedException {
        RegionLock lock = new RegionLock();
        lock.lock();
        Thread waiter = Thread.ofPlatform().start(() -> {
            Thread.currentThread().interrupt();
            lock.lock();
            lock.unlock();
        });
        int asleep = 0;
        int samples = 200;
        try {
            Thread.sleep(20); // past its spins and yields
            for (int i = 0; i < samples; i++) {
                if (waiter.getState() == Thread.State.TIMED_WAITING) {
                    asleep++;
                }
                Thread.sleep(1);
            }
        } finally {
            lock.unlock();
            waiter.join();
        }
        assertThat(asleep).as("samples of %d in which the interrupted waiter slept", samples)
                .isGreaterThanOrEqualTo(samples * 9 / 10);
    }
}
