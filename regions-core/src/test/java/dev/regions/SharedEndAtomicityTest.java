package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A shared region's reset and close are one act across its lanes. While a downcall holds a piece
 * (C {@code qsort} sorting an array of the region, whose comparator calls back into Java),
 * {@code reset()} and {@code close()} throw {@link IllegalStateException} and release nothing in
 * any lane: the pieces several threads allocated (so several lanes hold them) are all still
 * readable with their contents, the figures are unchanged, no block went back to the source, and
 * every lane goes on working. Once the downcall has returned, the retried close (or reset) works,
 * and the process's history counters ({@link Regions#globalStats()} allocations and frees) count
 * the region's history exactly once, failed attempts included.
 */
class SharedEndAtomicityTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MethodHandle QSORT = LINKER.downcallHandle(
            LINKER.defaultLookup().find("qsort").orElseThrow(),
            FunctionDescriptor.ofVoid(ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS));
    private static final int THREADS = 3;
    private static final long[] SIZES = {24, 100, 3000, 100_000};

    private static volatile Runnable onCompare;

    static int compare(MemorySegment a, MemorySegment b) {
        Runnable action = onCompare;
        if (action != null) {
            onCompare = null;
            action.run(); // catches everything itself: an exception escaping an upcall ends the JVM
        }
        return Integer.compare(a.reinterpret(4).get(JAVA_INT, 0), b.reinterpret(4).get(JAVA_INT, 0));
    }

    /** Sorts {@code ints} with C qsort, running {@code whileHeld} once from inside the sort. */
    private static void sortWhile(MemorySegment ints, Runnable whileHeld) throws Throwable {
        onCompare = whileHeld;
        try (Arena arena = Arena.ofConfined()) {
            MethodHandle cmp = MethodHandles.lookup().findStatic(SharedEndAtomicityTest.class, "compare",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment comparator = LINKER.upcallStub(cmp, FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), arena);
            QSORT.invokeExact(ints, ints.byteSize() / 4, 4L, comparator);
        } finally {
            onCompare = null;
        }
    }

    /** A piece and the stamp it carries at its start and end. */
    private record Stamped(MemorySegment piece, long stamp) {
        void check() {
            assertThat(piece.get(JAVA_LONG_UNALIGNED, 0)).as("start of %s", piece).isEqualTo(stamp);
            assertThat(piece.get(JAVA_LONG_UNALIGNED, piece.byteSize() - 8)).as("end of %s", piece).isEqualTo(stamp);
        }
    }

    private static Stamped stamped(Region region, long size, long stamp) {
        MemorySegment piece = region.allocate(size);
        piece.set(JAVA_LONG_UNALIGNED, 0, stamp);
        piece.set(JAVA_LONG_UNALIGNED, size - 8, stamp);
        return new Stamped(piece, stamp);
    }

    private ExecutorService[] workers;

    @BeforeEach
    void startWorkers() {
        // One single-thread executor per worker: each worker keeps its thread, so its lane.
        workers = new ExecutorService[THREADS];
        for (int t = 0; t < THREADS; t++) {
            workers[t] = Executors.newSingleThreadExecutor();
        }
    }

    @AfterEach
    void stopWorkers() throws InterruptedException {
        for (ExecutorService w : workers) {
            w.shutdown();
            assertThat(w.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
    }

    private <T> List<T> onEveryWorker(WorkerTask<T> task) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            int id = t;
            Callable<T> call = () -> task.run(id);
            futures.add(workers[t].submit(call));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) {
            results.add(f.get(30, TimeUnit.SECONDS));
        }
        return results;
    }

    @FunctionalInterface
    private interface WorkerTask<T> {
        T run(int worker) throws Exception;
    }

    /** The region, its source, every worker's live pieces, and the history it should count. */
    private final class Fixture {
        final TrackingSource source = new TrackingSource();
        final Region region = Region.builder().name("shared").shared(true).source(source).build();
        final List<List<Stamped>> held = new ArrayList<>();
        long allocations;
        long frees;

        /** Every worker allocates pieces of every size and frees one of each three. */
        void populate() throws Exception {
            held.clear();
            held.addAll(onEveryWorker(worker -> {
                List<Stamped> mine = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    Stamped s = stamped(region, SIZES[i % SIZES.length], ((long) worker << 32) | i);
                    if (i % 3 == 2) {
                        region.free(s.piece());
                    } else {
                        mine.add(s);
                    }
                }
                return mine;
            }));
            allocations += THREADS * 30L;
            frees += THREADS * 10L;
        }

        void checkEveryPiece() {
            held.forEach(mine -> mine.forEach(Stamped::check));
        }

        /** Every lane still frees and allocates: each worker frees one of its pieces and allocates one. */
        void everyLaneWorks() throws Exception {
            onEveryWorker(worker -> {
                List<Stamped> mine = held.get(worker);
                mine.forEach(Stamped::check); // readable from the thread that allocated them, too
                region.free(mine.remove(0).piece());
                mine.add(stamped(region, 3000, ((long) worker << 32) | 999));
                return null;
            });
            allocations += THREADS;
            frees += THREADS;
        }
    }

    @Test
    void aResetOrCloseDuringADowncallReleasesNothingInAnyLaneAndTheRetriedCloseCountsOnce() throws Throwable {
        assumeFalse(Invariants.CHECKED, "a checked region's pieces have scopes of their own, which a reset ends one"
                + " by one (Region.Builder.checked says so)");
        RegionStats global0 = Regions.globalStats();
        Fixture f = new Fixture();
        try {
            f.populate();
            MemorySegment array = f.region.allocateFrom(JAVA_INT, 5, 3, 9, 1, 7);
            f.allocations++;
            RegionStats before = f.region.stats();
            long blocks = f.source.outstanding();
            long released = f.source.releaseCalls();
            assertThat(before.liveCount()).isEqualTo(THREADS * 20L + 1);

            List<Throwable> thrown = new ArrayList<>();
            List<RegionStats> during = new ArrayList<>();
            sortWhile(array, () -> {
                for (Runnable end : List.<Runnable>of(f.region::reset, f.region::close, f.region::close)) {
                    try {
                        end.run();
                        thrown.add(null);
                    } catch (Throwable t) {
                        thrown.add(t);
                    }
                    try {
                        during.add(f.region.stats());
                    } catch (Throwable t) {
                        thrown.add(t);
                    }
                }
            });

            assertThat(thrown).as("reset, close, close while qsort holds a piece").hasSize(3)
                    .allSatisfy(t -> assertThat(t).isInstanceOf(IllegalStateException.class));
            assertThat(during).as("figures after each failed attempt").containsOnly(before);
            assertThat(f.region.stats()).isEqualTo(before);
            assertThat(f.source.outstanding()).as("blocks held").isEqualTo(blocks);
            assertThat(f.source.releaseCalls()).as("blocks given back").isEqualTo(released);
            assertThat(array.toArray(JAVA_INT)).containsExactly(1, 3, 5, 7, 9);
            assertThat(f.region.scope().isAlive()).isTrue();
            f.checkEveryPiece();
            assertThat(Invariants.check(f.region)).isNull();
            f.everyLaneWorks();
            assertThat(Invariants.check(f.region)).isNull();

            RegionStats last = f.region.stats();
            assertThat(last.allocations()).isEqualTo(f.allocations);
            assertThat(last.frees()).isEqualTo(f.frees);
            f.region.close(); // the retry, now that nothing holds a piece
            assertThat(f.region.scope().isAlive()).isFalse();
            assertThatThrownBy(() -> f.held.get(0).get(0).piece().get(JAVA_BYTE, 0))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(f.source.outstanding()).isZero();
            RegionStats closed = f.region.stats();
            assertThat(closed.allocations()).isEqualTo(f.allocations);
            assertThat(closed.frees()).isEqualTo(f.frees);
        } finally {
            if (f.region.scope().isAlive()) {
                f.region.close();
            }
        }
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.allocations() - global0.allocations()).as("global allocations of the region's life")
                .isEqualTo(f.allocations);
        assertThat(global1.frees() - global0.frees()).as("global frees of the region's life").isEqualTo(f.frees);
        assertThat(global1.liveBytes()).isEqualTo(global0.liveBytes());
        assertThat(global1.liveCount()).isEqualTo(global0.liveCount());
        assertThat(global1.grossBytes()).isEqualTo(global0.grossBytes());
    }

    @Test
    void aFailedCloseThenAResetThenAnotherLifeThenCloseCountsEveryPieceOnce() throws Throwable {
        assumeFalse(Invariants.CHECKED, "a checked region's pieces have scopes of their own, which a reset ends one"
                + " by one (Region.Builder.checked says so)");
        RegionStats global0 = Regions.globalStats();
        Fixture f = new Fixture();
        try {
            f.populate();
            MemorySegment array = f.region.allocateFrom(JAVA_INT, 2, 1);
            f.allocations++;
            RegionStats before = f.region.stats();
            long released = f.source.releaseCalls();
            List<Throwable> thrown = new ArrayList<>();
            sortWhile(array, () -> {
                try {
                    f.region.close();
                    thrown.add(null);
                } catch (Throwable t) {
                    thrown.add(t);
                }
            });
            assertThat(thrown).singleElement().isInstanceOf(IllegalStateException.class);
            assertThat(f.region.stats()).isEqualTo(before);
            assertThat(f.source.releaseCalls()).isEqualTo(released);
            f.checkEveryPiece();

            f.region.reset(); // the downcall returned: this one ends every lane's pieces
            assertThat(f.region.stats().liveCount()).isZero();
            assertThat(f.region.stats().liveBytes()).isZero();
            for (List<Stamped> mine : f.held) {
                assertThatThrownBy(() -> mine.get(0).piece().get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            }
            assertThat(Invariants.check(f.region)).isNull();

            f.populate(); // another life in every lane
            f.checkEveryPiece();
            f.region.close();
            assertThat(f.source.outstanding()).isZero();
            assertThat(f.region.stats().allocations()).isEqualTo(f.allocations);
            assertThat(f.region.stats().frees()).isEqualTo(f.frees);
        } finally {
            if (f.region.scope().isAlive()) {
                f.region.close();
            }
        }
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.allocations() - global0.allocations()).isEqualTo(f.allocations);
        assertThat(global1.frees() - global0.frees()).isEqualTo(f.frees);
        assertThat(global1.liveBytes()).isEqualTo(global0.liveBytes());
        assertThat(global1.grossBytes()).isEqualTo(global0.grossBytes());
    }
}
