package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.internal.util.Refusals;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Guarantee 5 of DESIGN.md: a shared region used by many threads at once never hands out
 * overlapping live pieces and keeps exact figures; a confined region rejects other threads.
 *
 * <p>Every piece is stamped on allocation with its owner thread and a serial (all of a small
 * piece, and every 4 KiB plus the last 8 bytes of a large one) and checked before it is freed: a
 * mismatch means another live piece overlapped it.
 */
class ThreadsTest {

    /** Allocate/free calls per thread count, shared among the threads: 3 million in all. */
    private static final int OPS_PER_RUN = 1_000_000;
    private static final int MAX_LIVE_PER_THREAD = 64;

    // ------------------------------------------------------------------ stamping

    /** A piece one worker holds, with what it wrote into it. */
    record Held(MemorySegment piece, long stamp, long alignment) {
    }

    private static long stamp(int thread, long serial) {
        return ((long) (thread + 1) << 48) | serial;
    }

    private static long valueAt(long stamp, long offset) {
        return stamp ^ (offset * 0x9E3779B97F4A7C15L);
    }

    private static long step(long size) {
        return size <= Invariants.MEDIUM_MAX ? 8 : 4096;
    }

    /**
     * Writes the stamp over the piece: every byte of a piece under 16 bytes, every 8 bytes of a small
     * piece, every 4 KiB of a large one, and the last 8 bytes.
     */
    static void write(MemorySegment p, long stamp) {
        long n = p.byteSize();
        if (n < 16) {
            for (long i = 0; i < n; i++) {
                p.set(JAVA_BYTE, i, (byte) valueAt(stamp, i));
            }
            return;
        }
        for (long off = 0; off <= n - 16; off += step(n)) { // clear of the last 8 bytes
            p.set(JAVA_LONG_UNALIGNED, off, valueAt(stamp, off));
        }
        p.set(JAVA_LONG_UNALIGNED, n - 8, valueAt(stamp, n - 8));
    }

    /** Checks the stamp; throws an AssertionError naming the intruder if another piece overlapped. */
    static void check(MemorySegment p, long stamp, String when) {
        long n = p.byteSize();
        if (n < 16) {
            for (long i = 0; i < n; i++) {
                byte found = p.get(JAVA_BYTE, i);
                if (found != (byte) valueAt(stamp, i)) {
                    throw overlap(p, stamp, i, found, when);
                }
            }
            return;
        }
        for (long off = 0; off <= n - 16; off += step(n)) { // clear of the last 8 bytes
            long found = p.get(JAVA_LONG_UNALIGNED, off);
            if (found != valueAt(stamp, off)) {
                throw overlap(p, stamp, off, found, when);
            }
        }
        long found = p.get(JAVA_LONG_UNALIGNED, n - 8);
        if (found != valueAt(stamp, n - 8)) {
            throw overlap(p, stamp, n - 8, found, when);
        }
    }

    private static AssertionError overlap(MemorySegment p, long stamp, long offset, long found, String when) {
        return new AssertionError(String.format(
                "%s: piece %s of thread %d, serial %d, was overwritten at offset %d: found %#x, expected %#x "
                        + "(another live piece overlapped it)",
                when, p, (stamp >>> 48) - 1, stamp & ((1L << 48) - 1), offset, found, valueAt(stamp, offset)));
    }

    /** Mostly 16..512 bytes, some 0, some 1..15, some medium, about 1 in 70 large (16..256 KiB). */
    static long randomSize(SplittableRandom rnd) {
        int r = rnd.nextInt(1000);
        if (r < 20) {
            return 0;
        } else if (r < 80) {
            return 1 + rnd.nextInt(15);
        } else if (r < 900) {
            return 16 + rnd.nextInt(497);
        } else if (r < 985) {
            return 513 + rnd.nextInt(8192 - 512);
        }
        return 16 * 1024 + rnd.nextInt(240 * 1024 + 1);
    }

    static long randomAlignment(SplittableRandom rnd) {
        int r = rnd.nextInt(100);
        return r < 90 ? 1 : r < 95 ? 64 : r < 99 ? 256 : 8192;
    }

    // ------------------------------------------------------------------ workers

    /** What a worker did and what it still holds at the end. */
    static class Worker implements Callable<Worker> {
        final int id;
        final Region region;
        final int ops;
        final CyclicBarrier start;
        final SplittableRandom rnd;
        final List<Held> held = new ArrayList<>();
        long allocations;
        long frees;
        long serial;

        Worker(int id, Region region, int ops, CyclicBarrier start, long seed) {
            this.id = id;
            this.region = region;
            this.ops = ops;
            this.start = start;
            this.rnd = new SplittableRandom(seed);
        }

        long heldBytes() {
            return held.stream().mapToLong(h -> h.piece().byteSize()).sum();
        }

        @Override
        public Worker call() throws Exception {
            start.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < ops; i++) {
                if (held.isEmpty() || (held.size() < MAX_LIVE_PER_THREAD && rnd.nextBoolean())) {
                    allocate();
                } else {
                    freeRandom();
                }
            }
            return this;
        }

        void allocate() {
            long size = randomSize(rnd);
            long alignment = randomAlignment(rnd);
            MemorySegment p = region.allocate(size, alignment);
            allocations++;
            if (p.byteSize() != size) {
                throw new AssertionError("asked " + size + " bytes, got " + p);
            }
            if (p.address() % Math.max(16, alignment) != 0) {
                throw new AssertionError("asked alignment " + alignment + " (16 at least), got " + p);
            }
            if (size >= 8 && (p.get(JAVA_LONG_UNALIGNED, 0) != 0 || p.get(JAVA_LONG_UNALIGNED, size - 8) != 0)) {
                throw new AssertionError("piece " + p + " of thread " + id + " is not zero-filled");
            }
            long s = stamp(id, ++serial);
            write(p, s);
            held.add(new Held(p, s, alignment));
        }

        void freeRandom() {
            int i = rnd.nextInt(held.size());
            Held h = held.get(i);
            held.set(i, held.get(held.size() - 1));
            held.remove(held.size() - 1);
            check(h.piece(), h.stamp(), "before free");
            region.free(h.piece());
            frees++;
        }
    }

    private static List<Worker> runAll(List<Worker> workers) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(workers.size());
        try {
            List<Future<Worker>> futures = new ArrayList<>();
            for (Worker w : workers) {
                futures.add(pool.submit(w));
            }
            List<Worker> done = new ArrayList<>();
            for (Future<Worker> f : futures) {
                try {
                    done.add(f.get(120, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    throw new AssertionError("a worker failed: " + e.getCause(), e.getCause());
                }
            }
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Reads stats() while the workers run: every snapshot must be consistent (operations are
     * atomic), so live count = allocations - frees, and the watermarks bracket the live bytes.
     */
    static final class StatsWatcher extends Thread {
        final Region region;
        volatile boolean stop;
        volatile String broken;
        volatile long reads;

        StatsWatcher(Region region) {
            super("stats-watcher");
            this.region = region;
        }

        @Override
        public void run() {
            long n = 0;
            while (!stop && broken == null) {
                RegionStats s = region.stats();
                n++;
                if (s.liveCount() != s.allocations() - s.frees() || s.liveBytes() < 0
                        || s.liveBytes() > s.peakLiveBytes() || s.lowLiveBytes() > s.liveBytes()
                        || s.grossBytes() < s.liveBytes()) {
                    broken = s.toString();
                }
                Thread.yield();
            }
            reads = n;
        }
    }

    /** No two live pieces overlap (zero-length pieces occupy nothing). */
    private static void assertNoOverlap(List<Held> all) {
        List<MemorySegment> sorted = all.stream().map(Held::piece).filter(p -> p.byteSize() > 0)
                .sorted(Comparator.comparingLong(MemorySegment::address)).toList();
        for (int i = 1; i < sorted.size(); i++) {
            MemorySegment a = sorted.get(i - 1);
            MemorySegment b = sorted.get(i);
            assertThat(a.address() + a.byteSize()).as("live pieces %s and %s overlap", a, b)
                    .isLessThanOrEqualTo(b.address());
        }
    }

    // ------------------------------------------------------------------ tests

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void sharedRegionUsedByManyThreadsNeverOverlapsAndCountsExactly(int threads) throws Exception {
        TrackingSource source = new TrackingSource();
        RegionStats global0 = Regions.globalStats();
        long allocations;
        long frees;
        try (Region region = Region.builder().shared(true).name("threads-" + threads).source(source).build()) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Worker> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(new Worker(t, region, OPS_PER_RUN / threads, start, 1000L * threads + t));
            }
            StatsWatcher watcher = new StatsWatcher(region);
            watcher.start();
            try {
                runAll(workers);
            } finally {
                watcher.stop = true;
                watcher.join();
            }
            assertThat(watcher.broken).as("a snapshot of stats() taken while the threads ran").isNull();
            assertThat(watcher.reads).isPositive();

            allocations = workers.stream().mapToLong(w -> w.allocations).sum();
            frees = workers.stream().mapToLong(w -> w.frees).sum();
            List<Held> all = workers.stream().flatMap(w -> w.held.stream()).toList();
            long heldBytes = workers.stream().mapToLong(Worker::heldBytes).sum();
            assertThat(allocations + frees).isEqualTo((long) OPS_PER_RUN / threads * threads);

            RegionStats s = region.stats();
            assertThat(s.liveBytes()).as("live bytes = what the threads still hold").isEqualTo(heldBytes);
            assertThat(s.liveCount()).as("live count = pieces the threads still hold").isEqualTo(all.size());
            assertThat(s.allocations()).as("allocations the threads made").isEqualTo(allocations);
            assertThat(s.frees()).as("frees the threads made").isEqualTo(frees);
            assertThat(s.peakLiveBytes()).isGreaterThanOrEqualTo(s.liveBytes());
            assertThat(s.grossBytes()).isGreaterThanOrEqualTo(s.liveBytes());
            assertThat(Invariants.check(region)).isNull();
            assertNoOverlap(all);

            // Every piece a worker still holds is intact, and this (other) thread can read and free it.
            for (Held h : all) {
                check(h.piece(), h.stamp(), "at the end");
                region.free(h.piece());
            }
            frees += all.size();
            RegionStats empty = region.stats();
            assertThat(empty.liveBytes()).isZero();
            assertThat(empty.liveCount()).isZero();
            assertThat(empty.frees()).isEqualTo(frees);
            assertThat(Invariants.check(region)).isNull();
        }
        assertThat(source.outstanding()).as("blocks not returned to the source after close").isZero();
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).as("global live bytes back to the start").isEqualTo(global0.liveBytes());
        assertThat(global1.liveCount()).as("global live count back to the start").isEqualTo(global0.liveCount());
        assertThat(global1.grossBytes()).as("global gross bytes back to the start").isEqualTo(global0.grossBytes());
        assertThat(global1.allocations() - global0.allocations()).isEqualTo(allocations);
        assertThat(global1.frees() - global0.frees()).isEqualTo(frees);
    }

    /**
     * Threads allocate in different lanes of a shared region: the limit caps their sum, exactly,
     * and a thread frees pieces another thread allocated (in another lane).
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void aSharedRegionsLimitCapsAllLanesTogether(int threads) throws Exception {
        long limit = 1_000_000;
        try (Region region = Region.builder().shared(true).limit(limit).build()) {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Thread> workers = new ArrayList<>();
            List<List<MemorySegment>> held = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<MemorySegment> mine = new ArrayList<>();
                held.add(mine);
                Random random = new Random(t);
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        start.await();
                        while (true) {
                            mine.add(region.allocate(1 + random.nextInt(300)));
                        }
                    } catch (LimitExceededException e) {
                        // full: the sum of all lanes reached the limit
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (Thread w : workers) {
                w.join();
            }
            long heldBytes = held.stream().flatMap(List::stream).mapToLong(MemorySegment::byteSize).sum();
            RegionStats s = region.stats();
            assertThat(s.liveBytes()).isEqualTo(heldBytes).isLessThanOrEqualTo(limit).isGreaterThan(limit - 300);
            assertThat(s.peakLiveBytes()).isEqualTo(heldBytes);

            // The main thread frees what every worker allocated, lane by lane.
            held.forEach(list -> list.forEach(region::free));
            RegionStats empty = region.stats();
            assertThat(empty.liveBytes()).isZero();
            assertThat(empty.lowLiveBytes()).isZero();
            assertThat(empty.peakLiveBytes()).isEqualTo(heldBytes);
            assertThat(Invariants.check(region)).isNull();
        }
    }

    /**
     * Without a limit, lanes count their change in steps once several threads have allocated:
     * the live bytes stay exact, and the watermarks miss at most a step per lane.
     */
    @Test
    void aSharedRegionsWatermarksMissAtMostAStepPerLaneUnderConcurrency() throws Exception {
        int threads = 2;
        int pieces = 1000;
        try (Region region = Region.ofShared()) {
            CyclicBarrier allHeld = new CyclicBarrier(threads + 1);
            CyclicBarrier freeNow = new CyclicBarrier(threads + 1);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(Thread.ofPlatform().start(() -> {
                    try {
                        List<MemorySegment> mine = new ArrayList<>();
                        for (int i = 0; i < pieces; i++) {
                            mine.add(region.allocate(100));
                        }
                        allHeld.await();
                        freeNow.await();
                        mine.forEach(region::free);
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            allHeld.await();
            long truePeak = (long) threads * pieces * 100;
            assertThat(region.stats().liveBytes()).as("live bytes, exact").isEqualTo(truePeak);
            freeNow.await();
            for (Thread w : workers) {
                w.join();
            }
            RegionStats after = region.stats();
            assertThat(after.liveBytes()).isZero();
            assertThat(after.liveCount()).isZero();
            assertThat(after.lowLiveBytes()).isZero();
            assertThat(after.peakLiveBytes()).isBetween(truePeak - threads * Invariants.GLOBAL_STEP, truePeak);
            assertThat(Invariants.check(region)).isNull();
        }
    }

    /**
     * The same workload in phases, with concurrent merges: each worker now and then builds a
     * scratch shared region on the same source, allocates stamped pieces in it, and either merges
     * it into the main region (the pieces stay valid and are freed through the main region) or
     * resets it (the pieces die). Between phases the main thread checks the figures and resets the
     * main region, killing every piece the workers held.
     */
    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 4, 8})
    void sharedRegionWithConcurrentMergesAndResetsBetweenPhases(int threads) throws Exception {
        TrackingSource source = new TrackingSource();
        RegionStats global0 = Regions.globalStats();
        long mainAllocations = 0;
        long mainFrees = 0;
        long scratchAllocations = 0;
        try (Region region = Region.builder().shared(true).name("merging-" + threads).source(source).build()) {
            for (int phase = 0; phase < 3; phase++) {
                CyclicBarrier start = new CyclicBarrier(threads);
                List<MergingWorker> workers = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    workers.add(new MergingWorker(t, region, 60_000 / threads, start, 7000L * threads + 10 * t + phase));
                }
                runAll(new ArrayList<>(workers));

                List<Held> all = workers.stream().flatMap(w -> w.held.stream()).toList();
                mainAllocations += workers.stream().mapToLong(w -> w.allocations).sum();
                mainFrees += workers.stream().mapToLong(w -> w.frees).sum();
                scratchAllocations += workers.stream().mapToLong(w -> w.scratchAllocations).sum();
                assertThat(workers.stream().mapToLong(w -> w.merges).sum()).as("merges done").isPositive();

                RegionStats s = region.stats();
                assertThat(s.liveBytes()).isEqualTo(workers.stream().mapToLong(Worker::heldBytes).sum());
                assertThat(s.liveCount()).isEqualTo(all.size());
                assertThat(s.allocations()).as("allocations made in the main region itself")
                        .isEqualTo(mainAllocations);
                assertThat(s.frees()).isEqualTo(mainFrees);
                assertThat(Invariants.check(region)).isNull();
                assertNoOverlap(all);
                for (Held h : all) {
                    check(h.piece(), h.stamp(), "end of phase " + phase);
                }

                region.reset();
                RegionStats r = region.stats();
                assertThat(r.liveBytes()).isZero();
                assertThat(r.liveCount()).isZero();
                assertThat(r.allocations()).isEqualTo(mainAllocations);
                for (Held h : all) {
                    assertThat(h.piece().scope().isAlive()).as("a piece from before the reset is dead").isFalse();
                }
                assertThat(Invariants.check(region)).isNull();
            }
        }
        assertThat(source.outstanding()).as("blocks not returned to the source after close").isZero();
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).isEqualTo(global0.liveBytes());
        assertThat(global1.liveCount()).isEqualTo(global0.liveCount());
        assertThat(global1.grossBytes()).isEqualTo(global0.grossBytes());
        assertThat(global1.allocations() - global0.allocations()).isEqualTo(mainAllocations + scratchAllocations);
        assertThat(global1.frees() - global0.frees()).isEqualTo(mainFrees);
    }

    /** A worker that also merges scratch regions into the main one, or resets them. */
    static final class MergingWorker extends Worker {
        long scratchAllocations;
        long merges;

        MergingWorker(int id, Region region, int ops, CyclicBarrier start, long seed) {
            super(id, region, ops, start, seed);
        }

        @Override
        public Worker call() throws Exception {
            start.await(30, TimeUnit.SECONDS);
            for (int i = 0; i < ops; i++) {
                int r = rnd.nextInt(1000);
                if (r < 3) {
                    scratch();
                } else if (held.isEmpty() || (held.size() < MAX_LIVE_PER_THREAD && r % 2 == 0)) {
                    allocate();
                } else {
                    freeRandom();
                }
            }
            return this;
        }

        /**
         * A scratch region on the main region's source: merged into the main region (then closed,
         * or with mergeAndClose), whose pieces must then survive the scratch region's close; or
         * reset, whose pieces must then be dead.
         */
        private void scratch() {
            Region scratch = Region.builder(region).name("scratch-" + id).build();
            List<Held> pieces = new ArrayList<>();
            int choice = rnd.nextInt(3);
            try {
                int n = 1 + rnd.nextInt(16);
                for (int k = 0; k < n; k++) {
                    MemorySegment p = scratch.allocate(randomSize(rnd));
                    scratchAllocations++;
                    long s = stamp(id, ++serial);
                    write(p, s);
                    pieces.add(new Held(p, s, 1));
                }
                if (choice == 0) {
                    region.merge(scratch);
                    RegionStats after = scratch.stats();
                    if (after.liveBytes() != 0 || after.liveCount() != 0) {
                        throw new AssertionError("scratch region not empty after merge: " + after);
                    }
                } else if (choice == 1) {
                    region.mergeAndClose(scratch);
                } else {
                    for (Held h : pieces) {
                        check(h.piece(), h.stamp(), "before scratch reset");
                    }
                    scratch.reset();
                    for (Held h : pieces) {
                        if (h.piece().scope().isAlive()) {
                            throw new AssertionError("piece of a reset scratch region still alive: " + h.piece());
                        }
                    }
                }
            } finally {
                if (choice != 1) {
                    scratch.close();
                }
            }
            if (choice != 2) {
                merges++;
                for (Held h : pieces) { // moved pieces outlive the scratch region's close
                    check(h.piece(), h.stamp(), "after merge and close of the scratch region");
                }
                held.addAll(pieces); // now the main region's: freed through it, alive until it resets
            }
        }
    }

    @Test
    @SuppressWarnings("try") // close() from another thread, inside the try, is the point
    void confinedRegionRejectsOtherThreads() throws Exception {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().source(source).name("mine").build()) {
            MemorySegment piece = region.allocate(64);
            piece.set(JAVA_LONG, 0, 7L);
            RegionStats before = region.stats();

            List<Throwable> thrown = onAnotherThread(
                    () -> region.allocate(16),
                    () -> region.allocate(50_000),
                    () -> {
                        region.free(piece);
                        return null;
                    },
                    () -> {
                        region.reset();
                        return null;
                    },
                    () -> {
                        region.close();
                        return null;
                    },
                    () -> piece.get(JAVA_LONG, 0));

            assertThat(thrown).hasSize(6).allSatisfy(t -> assertThat(t).isInstanceOf(WrongThreadException.class));
            assertThat(region.stats()).as("figures unchanged").isEqualTo(before);
            assertThat(region.scope().isAlive()).as("still open").isTrue();
            assertThat(piece.get(JAVA_LONG, 0)).as("piece intact and usable by its owner").isEqualTo(7L);
            region.free(piece);
            assertThat(region.stats().liveCount()).isZero();
        }
        assertThat(source.outstanding()).isZero();
    }

    @Test
    void sharedRegionPiecesWorkFromAnyThread() throws Exception {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().shared(true).source(source).build()) {
            MemorySegment small = region.allocate(64);
            MemorySegment large = region.allocate(40_000);
            small.set(JAVA_LONG, 0, 11L);
            large.set(JAVA_LONG, 39_992, 12L);

            List<Throwable> thrown = onAnotherThread(() -> {
                assertThat(small.get(JAVA_LONG, 0)).isEqualTo(11L);
                assertThat(large.get(JAVA_LONG, 39_992)).isEqualTo(12L);
                small.set(JAVA_LONG, 8, 21L);
                region.free(large);
                MemorySegment there = region.allocate(32);
                there.set(JAVA_LONG, 0, 31L);
                return there;
            });
            assertThat(thrown).containsOnlyNulls();
            assertThat(small.get(JAVA_LONG, 8)).as("write from the other thread visible here").isEqualTo(21L);
            RegionStats s = region.stats();
            assertThat(s.liveCount()).isEqualTo(2);
            assertThat(s.liveBytes()).isEqualTo(64 + 32);
            assertThat(s.frees()).isEqualTo(1);
        }
        assertThat(source.outstanding()).isZero();
    }

    /**
     * After {@code destination.merge(source)} of two shared regions, the source goes on carving the
     * block it was carving, while the destination frees and reuses the pieces below the mark: two
     * regions' threads in one block at once. Pieces over 254 bytes keep their size in the block's
     * map of exact sizes, which both then change. Every free must be accepted and every figure exact.
     */
    @Test
    void twoSharedRegionsWorkingInOneMergedBlockAtOnceKeepEveryPiece() throws Exception {
        for (int round = 0; round < 10; round++) {
            try (Region source = Region.builder().name("carver").shared(true).build();
                 Region destination = Region.builder().name("holder").shared(true).build()) {
                List<MemorySegment> moved = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    moved.add(source.allocate(255 + i % 3)); // sizes kept in the map
                }
                destination.merge(source);
                CountDownLatch start = new CountDownLatch(1);
                Callable<Void> carve = () -> { // above the mark, if the block has room left
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        source.free(source.allocate(300 + i % 3));
                    }
                    return null;
                };
                Callable<Void> hold = () -> { // below it
                    start.await();
                    for (int repeat = 0; repeat < 500; repeat++) {
                        for (int i = 0; i < moved.size(); i++) {
                            destination.free(moved.get(i));
                            moved.set(i, destination.allocate(255 + i % 3));
                        }
                    }
                    return null;
                };
                ExecutorService pool = Executors.newFixedThreadPool(2);
                try {
                    Future<Void> a = pool.submit(carve);
                    Future<Void> b = pool.submit(hold);
                    start.countDown();
                    a.get(30, TimeUnit.SECONDS);
                    b.get(30, TimeUnit.SECONDS);
                } finally {
                    pool.shutdownNow();
                }
                assertThat(source.stats().liveCount()).isZero();
                assertThat(destination.stats().liveCount()).isEqualTo(40);
                long bytes = moved.stream().mapToLong(MemorySegment::byteSize).sum();
                assertThat(destination.stats().liveBytes()).isEqualTo(bytes);
                for (MemorySegment p : moved) {
                    destination.free(p);
                }
                assertThat(destination.stats().liveBytes()).isZero();
            }
        }
    }

    /** Runs each task on one new thread, in order; returns what each threw (null if nothing). */
    @SafeVarargs
    private static List<Throwable> onAnotherThread(Callable<Object>... tasks) throws InterruptedException {
        List<Throwable> thrown = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            for (Callable<Object> task : tasks) {
                thrown.add(catchThrowable(task::call));
            }
            done.countDown();
        }, "another-thread");
        t.start();
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        t.join();
        return thrown;
    }
}
