package dev.regions;

import dev.regions.support.TrackingSource;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Guarantee 3 of DESIGN.md when the source fails at any point of a workload that uses every
 * operation: small and large pieces, frees, a limit and an allocation refused by it, reset,
 * merge, mergeAndClose, close. For every k from 1 to the number of calls the workload makes to
 * the source (counted by a clean run), once with the k-th {@code allocate} failing and once with
 * the k-th {@code release} failing (both throw {@link OutOfMemoryError}, as a source does when it
 * has no memory):
 * <ul>
 * <li>a failed allocate throws, changes no figure of any region nor the global ones, and the same
 *     allocation succeeds when retried (the region is still usable);
 * <li>a failed release makes the reset or close that called it throw at the end, after it has
 *     done all its work: the region is reset (still usable, as the rest of the workload shows) or
 *     closed, and the other blocks went back;
 * <li>after every step the figures match the pieces the workload holds, the regions together hold
 *     exactly the bytes the source has out, and {@code validate()} finds nothing;
 * <li>after the last close the source has every block back and the global figures are where they
 *     started.
 * </ul>
 * {@link FailingSourceTest} runs allocate failures over a shorter workload on both built-in
 * sources; this test shares its bookkeeping ({@link FailingSourceTest.Run}) and adds the release
 * failures and the operations that workload lacks (limits, mergeAndClose, a reset after a merge).
 */
class FaultInjectionTest {

    enum Fault { ALLOCATE, RELEASE }

    /** The workload: every operation of a region, with small and large pieces, over three regions. */
    static void workload(FailingSourceTest.Run run) {
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

    /** Runs the workload on a source failing at its k-th call of the given kind (-1: never). */
    static TrackingSource runWith(boolean shared, Fault fault, long k) {
        TrackingSource source = new TrackingSource();
        if (fault == Fault.ALLOCATE) {
            source.failAt(k);
        } else {
            source.failReleaseAt(k);
        }
        RegionStats global0 = Regions.globalStats();
        FailingSourceTest.Run run = new FailingSourceTest.Run(source, shared);
        try {
            workload(run);
        } finally {
            for (Region r : run.live.keySet()) { // only if the workload stopped early
                if (r.scope().isAlive()) {
                    r.close();
                }
            }
        }
        RegionStats global1 = Regions.globalStats();
        assertThat(source.outstanding()).as("blocks handed out and not returned after close").isZero();
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
    Stream<DynamicTest> everyAllocateAndEveryReleaseOfTheWorkloadMayFail() {
        return Stream.of(false, true).flatMap(shared -> {
            String kind = shared ? "shared" : "confined";
            TrackingSource clean = runWith(shared, Fault.ALLOCATE, -1);
            long allocates = clean.allocateCalls();
            long releases = clean.releaseCalls();
            assertThat(allocates).as("allocate calls the workload makes").isBetween(10L, 300L);
            assertThat(releases).as("release calls the workload makes").isEqualTo(allocates);
            Stream<DynamicTest> allocateFailures = IntStream.rangeClosed(1, (int) allocates).mapToObj(k ->
                    DynamicTest.dynamicTest(kind + ": allocate call " + k + " of " + allocates + " fails", () -> {
                        TrackingSource source = runWith(shared, Fault.ALLOCATE, k);
                        assertThat(source.allocateCalls()).as("calls made, the failed one and its retry included")
                                .isEqualTo(allocates + 1);
                    }));
            Stream<DynamicTest> releaseFailures = IntStream.rangeClosed(1, (int) releases).mapToObj(k ->
                    DynamicTest.dynamicTest(kind + ": release call " + k + " of " + releases + " fails", () -> {
                        TrackingSource source = runWith(shared, Fault.RELEASE, k);
                        assertThat(source.releaseCalls()).as("a failed release is not retried").isEqualTo(releases);
                    }));
            return Stream.concat(allocateFailures, releaseFailures);
        });
    }
}
