package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Guarantee 3 of DESIGN.md with a source that fails: for a scripted workload and every k from 1
 * to the number of calls the workload makes to the source (counted by a clean run), the k-th
 * {@code allocate} throws {@link OutOfMemoryError}, as a source does when it has no memory, or
 * the k-th {@code release} does (after taking the block back). Two workloads:
 * <ul>
 * <li>{@link #shortWorkload}: small and large pieces, frees, a reset, a second region merged in,
 *     more allocation, close; allocate failures, over both built-in sources ({@code malloc} and
 *     {@code jdk});
 * <li>{@link #fullWorkload}: every operation of a region (adds a limit and an allocation it
 *     refuses, mergeAndClose, a reset after a merge, a third region); allocate failures and
 *     release failures, over {@code malloc}.
 * </ul>
 * In both:
 * <ul>
 * <li>a failed allocate throws from the source, changes no figure of any region nor the global
 *     ones, the invariants hold, and the same allocation succeeds when retried (the region is
 *     still usable, and the workload goes on with the same regions);
 * <li>a failed release makes the reset or close that called it throw at the end, after it has
 *     done all its work: the region is reset (still usable, as the rest of the workload shows) or
 *     closed, and the other blocks went back;
 * <li>after every step the figures match the pieces the workload holds, the regions together hold
 *     exactly the bytes the source has out, and the invariants hold;
 * <li>after the last close the source has every block back, released once each, and the global
 *     live and gross bytes are where they started.
 * </ul>
 */
class FailingSourceTest {

    /** One piece the workload holds, filled with a known byte. */
    record Piece(Region owner, MemorySegment segment, byte fill) {
    }

    /** A workload's bookkeeping and the checks around every operation. */
    static final class Run {
        final TrackingSource source;
        final boolean shared;
        final SplittableRandom rnd = new SplittableRandom(42);
        final Map<Region, List<Piece>> live = new LinkedHashMap<>();
        final List<String> failedCalls = new ArrayList<>();
        long allocations;
        long frees;
        int serial;

        Run(TrackingSource source, boolean shared) {
            this.source = source;
            this.shared = shared;
        }

        Region region(String name) {
            Region r = Region.builder().shared(shared).name(name).source(source).build();
            live.put(r, new ArrayList<>());
            return r;
        }

        Region regionLike(Region template, String name) {
            Region r = Region.builder(template).name(name).build();
            live.put(r, new ArrayList<>());
            return r;
        }

        /**
         * Allocates a piece and fills it; if the source fails, checks that the call threw
         * {@link OutOfMemoryError} from the source and changed nothing, then retries it once (the
         * source fails only once, so the retry must succeed).
         */
        MemorySegment allocate(Region r, long size, long alignment) {
            Map<Region, RegionStats> before = stats();
            RegionStats globalBefore = Regions.globalStats();
            long calls = source.allocateCalls();
            MemorySegment p;
            try {
                p = r.allocate(size, alignment);
            } catch (OutOfMemoryError e) {
                failedCalls.add(r.name() + ".allocate(" + size + ", " + alignment + ")");
                assertThat(e.getMessage()).as("the source's own failure").contains("TrackingSource");
                assertThat(source.allocateCalls()).as("the failure came from a source call").isGreaterThan(calls);
                assertThat(stats()).as("figures after a failed %s.allocate(%d)", r.name(), size).isEqualTo(before);
                RegionStats globalAfter = Regions.globalStats();
                assertThat(globalAfter.liveBytes()).isEqualTo(globalBefore.liveBytes());
                assertThat(globalAfter.liveCount()).isEqualTo(globalBefore.liveCount());
                assertThat(globalAfter.grossBytes()).isEqualTo(globalBefore.grossBytes());
                assertThat(globalAfter.allocations()).isEqualTo(globalBefore.allocations());
                assertValid();
                // The region still works: the same call succeeds now that the source has memory again.
                MemorySegment retried = allocate(r, size, alignment);
                assertThat(retried).as("the same allocation, retried after the failure").isNotNull();
                return retried;
            }
            allocations++;
            assertThat(p.byteSize()).isEqualTo(size);
            assertThat(p.address() % Math.max(16, alignment)).as("alignment of %s", p).isZero();
            if (size > 0) {
                assertThat(p.get(JAVA_BYTE, size - 1)).as("zero-filled").isZero();
            }
            byte fill = (byte) (++serial | 1);
            p.fill(fill);
            live.get(r).add(new Piece(r, p, fill));
            RegionStats after = r.stats();
            assertThat(after.allocations()).isEqualTo(before.get(r).allocations() + 1);
            assertThat(after.liveBytes()).isEqualTo(before.get(r).liveBytes() + size);
            return p;
        }

        MemorySegment allocate(Region r, long size) {
            return allocate(r, size, 1);
        }

        long smallSize() {
            int x = rnd.nextInt(10);
            return x == 0 ? rnd.nextInt(16) : x < 8 ? 16 + rnd.nextInt(497) : 513 + rnd.nextInt(8192 - 512);
        }

        long largeSize() {
            return 9_000 + rnd.nextInt(300_000);
        }

        void allocateMany(Region r, int small, int large) {
            for (int i = 0; i < small; i++) {
                allocate(r, smallSize());
            }
            for (int i = 0; i < large; i++) {
                allocate(r, largeSize(), i % 3 == 0 ? 4096 : 1);
            }
        }

        /** Frees every n-th live piece of r (checking its bytes first). */
        void freeEvery(Region r, int n) {
            List<Piece> pieces = live.get(r);
            for (int i = pieces.size() - 1; i >= 0; i -= n) {
                Piece p = pieces.remove(i);
                assertIntact(p);
                r.free(p.segment());
                frees++;
            }
            checkFigures();
        }

        void reset(Region r) {
            releasing(r, "reset", r::reset);
            assertThat(r.scope().isAlive()).as("a reset region stays open").isTrue();
            for (Piece p : live.get(r)) {
                assertThat(p.segment().scope().isAlive()).as("piece from before the reset").isFalse();
            }
            live.get(r).clear();
            checkFigures();
        }

        void merge(Region dst, Region src) {
            dst.merge(src);
            live.get(dst).addAll(live.get(src));
            live.get(src).clear();
            checkFigures();
        }

        /** Moves src's pieces into dst and closes src, which hands nothing back to the source (it holds nothing). */
        void mergeAndClose(Region dst, Region src) {
            long releases = source.releaseCalls();
            dst.mergeAndClose(src);
            assertThat(src.scope().isAlive()).as("source region after mergeAndClose").isFalse();
            assertThat(source.releaseCalls()).as("releases by mergeAndClose").isEqualTo(releases);
            live.get(dst).addAll(live.get(src));
            live.remove(src);
            live.get(dst).forEach(this::assertIntact);
            checkFigures();
        }

        /** Sets a limit {@code room} bytes over the live bytes; an allocation past it throws and changes nothing. */
        void limitRoom(Region r, long room) {
            long live = r.stats().liveBytes();
            r.setLimit(live + room);
            Map<Region, RegionStats> before = stats();
            long calls = source.allocateCalls();
            assertThatThrownBy(() -> r.allocate(room + 1)).isInstanceOf(LimitExceededException.class);
            assertThat(stats()).as("figures after an allocation over the limit").isEqualTo(before);
            assertThat(source.allocateCalls()).as("source calls for an allocation over the limit").isEqualTo(calls);
            checkFigures();
        }

        /**
         * Runs a reset or close, which may be told by the source that a release failed: the call
         * then finishes its work and rethrows that {@link OutOfMemoryError} at the end.
         */
        void releasing(Region r, String what, Runnable call) {
            long releases = source.releaseCalls();
            try {
                call.run();
            } catch (OutOfMemoryError e) {
                assertThat(e.getMessage()).as("the source's own failure").contains("TrackingSource: failing release");
                assertThat(source.releaseCalls()).as("the failure came from a release").isGreaterThan(releases);
                failedCalls.add(r.name() + "." + what + "()");
            }
        }

        void close(Region r) {
            assertThat(Invariants.check(r)).isNull();
            releasing(r, "close", r::close);
            assertThat(r.scope().isAlive()).as("a closed region is closed").isFalse();
            assertThat(r.stats().grossBytes()).as("gross bytes after close").isZero();
            for (Piece p : live.get(r)) {
                assertThat(p.segment().scope().isAlive()).as("piece after close").isFalse();
            }
            live.remove(r);
        }

        Map<Region, RegionStats> stats() {
            Map<Region, RegionStats> s = new LinkedHashMap<>();
            live.keySet().forEach(r -> s.put(r, r.stats()));
            return s;
        }

        void assertValid() {
            live.keySet().forEach(r -> assertThat(Invariants.check(r)).as("invariants of %s", r.name())
                    .isNull());
        }

        void assertIntact(Piece p) {
            MemorySegment s = p.segment();
            if (s.byteSize() > 0) {
                assertThat(s.get(JAVA_BYTE, 0)).isEqualTo(p.fill());
                assertThat(s.get(JAVA_BYTE, s.byteSize() / 2)).isEqualTo(p.fill());
                assertThat(s.get(JAVA_BYTE, s.byteSize() - 1)).isEqualTo(p.fill());
            }
        }

        /**
         * Every region's live figures match the pieces the workload holds in it; every piece intact;
         * together the regions hold exactly the bytes the source has out.
         */
        void checkFigures() {
            assertThat(live.keySet().stream().mapToLong(r -> r.stats().grossBytes()).sum())
                    .as("gross bytes of the open regions = bytes the source has out").isEqualTo(source.outstandingBytes());
            live.forEach((r, pieces) -> {
                RegionStats s = r.stats();
                assertThat(s.liveCount()).as("live count of %s", r.name()).isEqualTo(pieces.size());
                assertThat(s.liveBytes()).as("live bytes of %s", r.name())
                        .isEqualTo(pieces.stream().mapToLong(p -> p.segment().byteSize()).sum());
                pieces.forEach(this::assertIntact);
            });
            assertValid();
        }
    }
    /** Which of the source's calls fails. */
    enum Fault { ALLOCATE, RELEASE }

    /** A scripted workload; every allocation goes through {@link Run#allocate}, which survives a failure. */
    @FunctionalInterface
    interface Workload {
        void run(Run run);
    }

    /** Small and large pieces, frees, a reset, a second region merged in, more allocation, close. */
    private static void shortWorkload(Run run) {
        Region a = run.region("a");
        run.allocateMany(a, 300, 6);
        run.checkFigures();
        run.freeEvery(a, 3);
        run.allocateMany(a, 60, 3);
        run.checkFigures();
        run.reset(a);
        run.allocateMany(a, 120, 3);

        Region b = run.regionLike(a, "b");
        run.allocateMany(b, 150, 4);
        run.freeEvery(b, 4);
        run.merge(a, b);
        run.freeEvery(a, 5); // frees pieces that came from b through a
        run.allocateMany(a, 200, 3);
        run.allocateMany(b, 40, 2); // b goes on after the merge
        run.checkFigures();
        run.close(b);
        run.checkFigures();
        run.freeEvery(a, 2);
        run.allocateMany(a, 50, 2);
        // Alignment beyond 4 KiB, in a size class used nowhere else: always a fresh source call.
        // (Other large pieces ask for at most 4 KiB alignment, which every large block has, so the
        // number of source calls does not depend on where the source's blocks happen to land.)
        run.allocate(a, 3_000_000, 65_536);
        run.checkFigures();
        run.close(a);
    }

    /** Every operation of a region, with small and large pieces, over three regions. */
    private static void fullWorkload(Run run) {
        Region a = run.region("a");
        run.allocateMany(a, 300, 6);
        run.freeEvery(a, 3);
        run.limitRoom(a, 500_000);           // a limit, and an allocation it refuses
        run.allocateMany(a, 20, 0);          // under the limit (small pieces: at most 8 KiB each)
        run.allocate(a, 100_000, 1);
        a.setLimit(0);
        run.reset(a);                        // large blocks go back to the source
        run.allocateMany(a, 120, 3);

        Region b = run.regionLike(a, "b");
        run.allocateMany(b, 150, 4);
        run.freeEvery(b, 4);
        run.merge(a, b);
        Region c = run.regionLike(a, "c");
        run.allocateMany(c, 80, 3);
        run.freeEvery(c, 2);
        run.mergeAndClose(a, c);
        run.freeEvery(a, 5);                 // frees pieces that came from b and c through a
        run.allocateMany(b, 40, 2);          // b goes on after the merge
        run.reset(b);
        run.allocateMany(b, 30, 1);
        run.close(b);
        // Alignment beyond 4 KiB in a class used nowhere else: always a source call of its own.
        run.allocate(a, 3_000_000, 65_536);
        run.checkFigures();
        run.reset(a);                        // merged-in generations end too
        run.allocateMany(a, 50, 2);
        run.close(a);
    }

    /**
     * Runs a workload on a tracking source over {@code MemorySource.jdk()} or {@code malloc()}
     * whose k-th call of the given kind fails (-1: never); returns the source.
     */
    static TrackingSource runWith(Workload workload, boolean shared, boolean jdkSource, Fault fault, long k) {
        TrackingSource source = jdkSource ? new TrackingSource(MemorySource.jdk()) : new TrackingSource();
        if (fault == Fault.ALLOCATE) {
            source.failAt(k);
        } else {
            source.failReleaseAt(k);
        }
        RegionStats global0 = Regions.globalStats();
        Run run = new Run(source, shared);
        try {
            workload.run(run);
        } finally {
            for (Region r : run.live.keySet()) { // only if the workload stopped early
                if (r.scope().isAlive()) {
                    r.close();
                }
            }
        }
        RegionStats global1 = Regions.globalStats();
        assertThat(source.outstanding()).as("blocks handed out and not returned after close").isZero();
        assertThat(source.outstandingBytes()).isZero();
        long failedAllocates = fault == Fault.ALLOCATE && k > 0 && k <= source.allocateCalls() ? 1 : 0;
        assertThat(source.allocateCalls() - failedAllocates).as("every block allocated was released once")
                .isEqualTo(source.releaseCalls());
        assertThat(global1.liveBytes()).as("global live bytes back to the start").isEqualTo(global0.liveBytes());
        assertThat(global1.liveCount()).as("global live count back to the start").isEqualTo(global0.liveCount());
        assertThat(global1.grossBytes()).as("global gross bytes back to the start").isEqualTo(global0.grossBytes());
        assertThat(global1.allocations() - global0.allocations()).isEqualTo(run.allocations);
        assertThat(global1.frees() - global0.frees()).isEqualTo(run.frees);
        long calls = fault == Fault.ALLOCATE ? source.allocateCalls() : source.releaseCalls();
        if (k > 0 && k <= calls) {
            assertThat(run.failedCalls).as("calls that failed").hasSize(1);
        } else {
            assertThat(run.failedCalls).as("calls that failed").isEmpty();
        }
        return source;
    }

    @TestFactory
    Stream<DynamicTest> everySourceCallOfTheShortWorkloadMayFail() {
        return Stream.of(false, true).flatMap(shared -> Stream.of(false, true).flatMap(jdk -> {
            String kind = (shared ? "shared" : "confined") + (jdk ? ", MemorySource.jdk()" : ", MemorySource.malloc()");
            TrackingSource baseline = runWith(FailingSourceTest::shortWorkload, shared, jdk, Fault.ALLOCATE, -1);
            long n = baseline.allocateCalls();
            assertThat(n).as("source calls the workload makes").isBetween(10L, 200L);
            return IntStream.rangeClosed(1, (int) n).mapToObj(k -> DynamicTest.dynamicTest(
                    kind + ": source fails at call " + k + " of " + n, () -> {
                        TrackingSource source = runWith(FailingSourceTest::shortWorkload, shared, jdk, Fault.ALLOCATE,
                                k);
                        assertThat(source.allocateCalls()).as("calls made, the failed one and its retry included")
                                .isEqualTo(n + 1);
                    }));
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyAllocateAndEveryReleaseOfTheFullWorkloadMayFail() {
        return Stream.of(false, true).flatMap(shared -> {
            String kind = shared ? "shared" : "confined";
            TrackingSource clean = runWith(FailingSourceTest::fullWorkload, shared, false, Fault.ALLOCATE, -1);
            long allocates = clean.allocateCalls();
            long releases = clean.releaseCalls();
            assertThat(allocates).as("allocate calls the workload makes").isBetween(10L, 300L);
            assertThat(releases).as("release calls the workload makes").isEqualTo(allocates);
            Stream<DynamicTest> allocateFailures = IntStream.rangeClosed(1, (int) allocates).mapToObj(k ->
                    DynamicTest.dynamicTest(kind + ": allocate call " + k + " of " + allocates + " fails", () -> {
                        TrackingSource source = runWith(FailingSourceTest::fullWorkload, shared, false,
                                Fault.ALLOCATE, k);
                        assertThat(source.allocateCalls()).as("calls made, the failed one and its retry included")
                                .isEqualTo(allocates + 1);
                    }));
            Stream<DynamicTest> releaseFailures = IntStream.rangeClosed(1, (int) releases).mapToObj(k ->
                    DynamicTest.dynamicTest(kind + ": release call " + k + " of " + releases + " fails", () -> {
                        TrackingSource source = runWith(FailingSourceTest::fullWorkload, shared, false,
                                Fault.RELEASE, k);
                        assertThat(source.releaseCalls()).as("a failed release is not retried").isEqualTo(releases);
                    }));
            return Stream.concat(allocateFailures, releaseFailures);
        });
    }
}
