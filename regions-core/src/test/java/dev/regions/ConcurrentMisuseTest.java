package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Misuse that involves more than one thread (guarantees 1, 3 and 5 of DESIGN.md): a shared region
 * reset or closed while other threads allocate, free, read and write its pieces; a confined
 * region's piece touched from another thread; a piece touched after another thread closed its
 * region. Each call of the worker threads either completes or throws the exception the contract
 * names for what happened to it (a piece killed by a reset: {@link IllegalStateException} when
 * touched, {@link IllegalArgumentException} when freed; a closed region:
 * {@link IllegalStateException}); anything else, or a live piece whose bytes changed, fails the
 * test. Afterwards the figures are exact: after the resets, the region's live bytes and count are
 * those of the pieces the threads still hold alive; after the close, the global figures are back
 * where they were and the source has every block back.
 *
 * <p>Pieces are stamped and checked with {@link ThreadsTest}'s helpers.
 */
class ConcurrentMisuseTest {

    private static final int WORKERS = 3;

    /** A worker's piece and the stamp written into it. */
    private record Held(MemorySegment piece, long stamp) {
    }

    /** Allocates, frees, reads and writes pieces of one shared region until told to stop. */
    private static final class Worker implements Runnable {
        final int id;
        final Region region;
        final AtomicBoolean stop;
        final boolean closing;
        final SplittableRandom rnd;
        final List<Held> held = new ArrayList<>();
        final ConcurrentLinkedQueue<String> wrong;
        long serial;
        long completed;
        long refused;

        Worker(int id, Region region, AtomicBoolean stop, boolean closing, long seed,
                ConcurrentLinkedQueue<String> wrong) {
            this.id = id;
            this.region = region;
            this.stop = stop;
            this.closing = closing;
            this.rnd = new SplittableRandom(seed);
            this.wrong = wrong;
        }

        @Override
        public void run() {
            try {
                while (!stop.get()) {
                    int op = rnd.nextInt(10);
                    if (op < 4 || held.isEmpty()) {
                        allocate();
                    } else if (op < 7) {
                        free(held.remove(rnd.nextInt(held.size())));
                    } else {
                        touch(held.get(rnd.nextInt(held.size())));
                    }
                }
            } catch (Throwable t) {
                wrong.add("worker " + id + " died: " + t);
            }
        }

        void allocate() {
            MemorySegment p;
            try {
                p = region.allocate(rnd.nextBoolean() ? ThreadsTest.randomSize(rnd) : 1 + rnd.nextInt(256));
            } catch (IllegalStateException e) {
                // Only a closed region refuses an allocation; a reset makes none wait for long.
                expect(closing && !region.scope().isAlive(), "allocate", e);
                return;
            }
            completed++;
            long stamp = ((long) (id + 1) << 48) | ++serial;
            try {
                ThreadsTest.write(p, stamp);
                held.add(new Held(p, stamp));
            } catch (IllegalStateException e) {
                expect(!p.scope().isAlive(), "write a new piece", e); // reset or closed in between
            }
        }

        void free(Held h) {
            try {
                region.free(h.piece());
                completed++;
            } catch (IllegalArgumentException e) {
                // A piece from before a reset: refused as not live.
                expect(!closing && !h.piece().scope().isAlive(), "free", e);
            } catch (IllegalStateException e) {
                expect(closing && !region.scope().isAlive(), "free", e);
            }
        }

        void touch(Held h) {
            try {
                ThreadsTest.check(h.piece(), h.stamp(), "worker " + id + " while others reset or close");
                long stamp = ((long) (id + 1) << 48) | ++serial;
                ThreadsTest.write(h.piece(), stamp);
                held.set(held.indexOf(h), new Held(h.piece(), stamp));
                completed++;
            } catch (IllegalStateException e) {
                expect(!h.piece().scope().isAlive(), "touch", e);
                held.remove(h);
            }
        }

        void expect(boolean allowed, String what, RuntimeException e) {
            if (allowed) {
                refused++;
            } else {
                wrong.add("worker " + id + ": " + what + " threw " + e);
            }
        }

        List<Held> alive() {
            return held.stream().filter(h -> h.piece().scope().isAlive()).toList();
        }
    }

    private static List<Worker> start(ExecutorService pool, List<Future<?>> futures, Region region, AtomicBoolean stop,
            boolean closing, long seed, ConcurrentLinkedQueue<String> wrong) {
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Worker w = new Worker(i, region, stop, closing, seed * 31 + i, wrong);
            workers.add(w);
            futures.add(pool.submit(w));
        }
        return workers;
    }

    @Test
    void aSharedRegionResetWhileOtherThreadsUseItKeepsExactFigures() throws Exception {
        TrackingSource source = new TrackingSource();
        RegionStats global0 = Regions.globalStats();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        long completed = 0;
        long refused = 0;
        try (Region region = Region.builder().shared(true).name("reset-storm").source(source).build()) {
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> futures = new ArrayList<>();
            List<Worker> workers = start(pool, futures, region, stop, false, 1, wrong);
            SplittableRandom rnd = new SplittableRandom(7);
            for (int i = 0; i < 150; i++) {
                Thread.sleep(0, rnd.nextInt(1_000_000));
                region.reset();
            }
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(wrong).as("calls that failed otherwise than the contract says").isEmpty();

            List<Held> alive = workers.stream().flatMap(w -> w.alive().stream()).toList();
            RegionStats s = region.stats();
            assertThat(s.liveBytes()).as("live bytes = what the threads hold alive")
                    .isEqualTo(alive.stream().mapToLong(h -> h.piece().byteSize()).sum());
            assertThat(s.liveCount()).as("live count = pieces the threads hold alive").isEqualTo(alive.size());
            assertThat(Invariants.check(region)).isNull();
            for (Held h : alive) {
                ThreadsTest.check(h.piece(), h.stamp(), "after the resets");
            }
            for (Worker w : workers) {
                completed += w.completed;
                refused += w.refused;
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.printf("reset storm: %d calls completed, %d refused as the contract says%n", completed, refused);
        assertThat(completed).isPositive();
        assertThat(source.outstanding()).as("blocks not returned after close").isZero();
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).isEqualTo(global0.liveBytes());
        assertThat(global1.grossBytes()).isEqualTo(global0.grossBytes());
    }

    @RepeatedTest(8)
    void aSharedRegionClosedWhileOtherThreadsUseItLeavesNothingBehind() throws Exception {
        TrackingSource source = new TrackingSource();
        RegionStats global0 = Regions.globalStats();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(WORKERS);
        try {
            Region region = Region.builder().shared(true).name("closed-under-them").source(source).build();
            AtomicBoolean stop = new AtomicBoolean();
            List<Future<?>> futures = new ArrayList<>();
            List<Worker> workers = start(pool, futures, region, stop, true, System.nanoTime(), wrong);
            Thread.sleep(5 + new SplittableRandom().nextInt(40));
            region.close();
            Thread.sleep(10); // the workers run into the closed region for a while
            stop.set(true);
            for (Future<?> f : futures) {
                f.get(30, TimeUnit.SECONDS);
            }
            assertThat(wrong).as("calls that failed otherwise than the contract says").isEmpty();
            assertThat(workers.stream().mapToLong(w -> w.alive().size()).sum()).as("pieces alive after close")
                    .isZero();
            RegionStats s = region.stats();
            assertThat(s.liveBytes()).isZero();
            assertThat(s.grossBytes()).isZero();
        } finally {
            pool.shutdownNow();
        }
        assertThat(source.outstanding()).as("blocks not returned after close").isZero();
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).as("global live bytes back").isEqualTo(global0.liveBytes());
        assertThat(global1.liveCount()).as("global live count back").isEqualTo(global0.liveCount());
        assertThat(global1.grossBytes()).as("global gross bytes back").isEqualTo(global0.grossBytes());
    }

    @Test
    void aPieceReadInALoopWhileAnotherThreadClosesItsRegionThrowsOnceClosed() throws Exception {
        Region region = Region.builder().shared(true).name("closed-elsewhere").build();
        MemorySegment small = region.allocate(64);
        MemorySegment large = region.allocate(100_000);
        small.set(JAVA_LONG, 0, 42);
        large.set(JAVA_LONG, 99_992, 43);
        CountDownLatch reading = new CountDownLatch(1);
        Thread closer = new Thread(() -> {
            try {
                reading.await();
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            region.close();
        }, "closer");
        closer.start();
        long reads = 0;
        Throwable stopped = null;
        reading.countDown();
        while (stopped == null && reads < 100_000_000) {
            try {
                assertThat(small.get(JAVA_LONG, 0)).isEqualTo(42);
                assertThat(large.get(JAVA_LONG, 99_992)).isEqualTo(43);
                reads++;
            } catch (IllegalStateException e) {
                stopped = e;
            }
        }
        closer.join();
        assertThat(stopped).as("reading once the region is closed").isInstanceOf(IllegalStateException.class);
        assertThat(catchThrowable(() -> small.get(JAVA_LONG, 0))).isInstanceOf(IllegalStateException.class);
        assertThat(catchThrowable(() -> large.set(JAVA_LONG, 0, 1L))).isInstanceOf(IllegalStateException.class);
        assertThat(region.stats().grossBytes()).isZero();
    }

    @Test
    void aConfinedRegionsPieceTouchedFromAnotherThreadThrowsAndChangesNothing() throws Exception {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().name("mine").source(source).build()) {
            MemorySegment small = region.allocate(64);
            MemorySegment large = region.allocate(100_000);
            small.set(JAVA_LONG, 0, 42);
            RegionStats before = region.stats();
            List<Throwable> thrown = new ArrayList<>();
            Thread other = new Thread(() -> {
                thrown.add(catchThrowable(() -> small.get(JAVA_LONG, 0)));
                thrown.add(catchThrowable(() -> large.set(JAVA_LONG, 0, 1L)));
                thrown.add(catchThrowable(() -> small.fill((byte) 1)));
                thrown.add(catchThrowable(() -> region.free(small)));
            }, "intruder");
            other.start();
            other.join();
            assertThat(thrown).hasSize(4).allSatisfy(t -> assertThat(t).isInstanceOf(WrongThreadException.class));
            assertThat(region.stats()).isEqualTo(before);
            assertThat(small.get(JAVA_LONG, 0)).isEqualTo(42);
            assertThat(large.get(JAVA_LONG, 0)).isZero();
            region.free(small);
            assertThat(Invariants.check(region)).isNull();
        }
        assertThat(source.outstanding()).isZero();
    }
}
