package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.RegionModel;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The original's {@code alloc_GetStat}/{@code alloc_GlobalGetStat}: a region's figures and the
 * process's, exact after every operation. Global figures are checked as deltas from a snapshot
 * taken at the start of each test, since other test classes may have run in this JVM before.
 */
class StatsTest {

    private static Region region(boolean shared) {
        return Region.builder().shared(shared).build();
    }

    /** The figures a region must report, gross bytes aside (they depend on the allocator's layout). */
    private record Expected(long liveBytes, long liveCount, long peak, long low, long allocations, long frees) {
        static Expected of(RegionStats s) {
            return new Expected(s.liveBytes(), s.liveCount(), s.peakLiveBytes(), s.lowLiveBytes(), s.allocations(),
                    s.frees());
        }
    }

    // ------------------------------------------------------------ one region

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aNewRegionReportsZeroForEverything(boolean shared) {
        try (Region region = region(shared)) {
            assertThat(region.stats()).isEqualTo(new RegionStats(0, 0, 0, 0, 0, 0, 0));
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void statsAreExactAfterEveryOperation(boolean shared) {
        Random random = new Random(99);
        try (Region region = region(shared)) {
            RegionModel<RegionModel.Piece> model = new RegionModel<>(region, shared, 0);
            for (int step = 0; step < 3000; step++) {
                int op = random.nextInt(100);
                String what;
                if (op < 55 || model.live().isEmpty()) {
                    long size = random.nextInt(20) == 0 ? 8193 + random.nextInt(100_000) : random.nextInt(600);
                    model.allocated(new RegionModel.Piece(region.allocate(size)));
                    what = "allocate(" + size + ")";
                } else if (op < 95) {
                    RegionModel.Piece piece = model.live().get(random.nextInt(model.live().size()));
                    region.free(piece.segment());
                    model.freed(piece);
                    what = "free(" + piece.size() + ")";
                } else if (op < 98) {
                    RegionStats returned = region.statsAndResetPeaks();
                    assertThat(returned).as("step %d: statsAndResetPeaks returns (gross bytes not modelled)", step)
                            .isEqualTo(model.expected(returned.grossBytes()));
                    model.resetPeaks();
                    what = "statsAndResetPeaks()";
                } else {
                    region.reset();
                    model.reset();
                    what = "reset()";
                }
                RegionStats stats = region.stats();
                assertThat(stats).as("step %d, after %s (gross bytes not modelled)", step, what)
                        .isEqualTo(model.expected(stats.grossBytes()));
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void liveBytesAreTheSumOfTheRequestedSizes(boolean shared) {
        try (Region region = region(shared)) {
            region.allocate(1);
            region.allocate(17);
            region.allocate(0);
            region.allocate(300);
            region.allocate(9000);
            region.allocate(123_456);

            assertThat(region.stats().liveBytes()).isEqualTo(1 + 17 + 300 + 9000 + 123_456);
            assertThat(region.stats().liveCount()).isEqualTo(6);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void grossBytesArePositiveOnceAllocatedAndCoverTheLiveBytes(boolean shared) {
        try (Region region = region(shared)) {
            region.allocate(10);
            region.allocate(70_000);

            assertThat(region.stats().grossBytes()).isGreaterThanOrEqualTo(70_010);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void grossBytesAreZeroAfterClose(boolean shared) {
        Region region = region(shared);
        region.allocate(10);
        region.allocate(70_000);

        region.close();

        assertThat(region.stats().grossBytes()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void grossBytesMatchWhatTheSourceHolds(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().shared(shared).source(source).build()) {
            for (int i = 0; i < 1000; i++) {
                region.allocate(i % 300);
            }
            region.allocate(50_000);

            assertThat(region.stats().grossBytes()).isEqualTo(source.outstandingBytes());
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void resetTakesLiveAndLowToZeroAndKeepsPeakAndHistory(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment a = region.allocate(100);
            region.allocate(200);
            region.allocate(20_000);
            region.free(a);
            region.statsAndResetPeaks(); // peak = low = 20_200

            region.reset();

            RegionStats stats = region.stats();
            assertThat(Expected.of(stats)).isEqualTo(new Expected(0, 0, 20_200, 0, 3, 1));
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void resetDoesNotCountAsFrees(boolean shared) {
        try (Region region = region(shared)) {
            region.allocate(100);
            region.allocate(200);

            region.reset();

            assertThat(region.stats().frees()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void closeKeepsHistoryAndPeak(boolean shared) {
        Region region = region(shared);
        region.free(region.allocate(100));
        region.allocate(200);

        region.close();

        assertThat(Expected.of(region.stats())).isEqualTo(new Expected(0, 0, 200, 0, 2, 1));
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void peakFollowsTheHighestLiveBytes(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment a = region.allocate(1000);
            MemorySegment b = region.allocate(500);
            region.free(a);
            region.free(b);
            region.allocate(1200);

            assertThat(region.stats().peakLiveBytes()).isEqualTo(1500);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void lowFollowsTheLowestLiveBytesSinceTheLastReadAndReset(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment a = region.allocate(1000);
            MemorySegment b = region.allocate(500);
            region.allocate(300);
            region.statsAndResetPeaks(); // low = 1800
            region.free(a);
            region.free(b);
            region.allocate(700);

            assertThat(region.stats().lowLiveBytes()).isEqualTo(300);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void statsAndResetPeaksReturnsTheFiguresBeforeTheReset(boolean shared) {
        try (Region region = region(shared)) {
            region.statsAndResetPeaks();
            MemorySegment a = region.allocate(1000);
            region.allocate(200);
            region.free(a);
            RegionStats before = region.stats();

            RegionStats returned = region.statsAndResetPeaks();

            assertThat(returned).isEqualTo(before);
            assertThat(returned.peakLiveBytes()).isEqualTo(1200);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void statsAndResetPeaksSetsBothWatermarksToTheLiveBytes(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment a = region.allocate(1000);
            region.allocate(200);
            region.free(a);

            region.statsAndResetPeaks();

            RegionStats after = region.stats();
            assertThat(after.peakLiveBytes()).isEqualTo(200);
            assertThat(after.lowLiveBytes()).isEqualTo(200);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void statsAndResetPeaksLeavesLiveAndHistoryAlone(boolean shared) {
        try (Region region = region(shared)) {
            region.free(region.allocate(64));
            region.allocate(32);

            region.statsAndResetPeaks();

            assertThat(Expected.of(region.stats())).isEqualTo(new Expected(32, 1, 32, 32, 2, 1));
        }
    }

    @Test
    void aSharedRegionsLiveBytesStayExactWhenASecondThreadStartsAfterAPeakReset() throws Exception {
        try (Region region = region(true)) {
            for (int i = 0; i < 10; i++) {
                region.allocate(100); // one thread: its lane's figures are the region's
            }
            region.statsAndResetPeaks();
            Thread second = new Thread(() -> region.allocate(100));
            second.start();
            second.join();

            RegionStats after = region.stats();
            assertThat(after.liveBytes()).isEqualTo(1100);
            assertThat(after.lowLiveBytes()).isBetween(0L, 1100L);
            assertThat(after.peakLiveBytes()).isEqualTo(1100);
        }
    }

    // ------------------------------------------------------------ merge

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeMovesLiveBytesAndCountToTheDestination(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            dst.allocate(100);
            src.allocate(40);
            src.allocate(0);
            src.allocate(30_000);

            dst.merge(src);

            assertThat(dst.stats().liveBytes()).isEqualTo(30_140);
            assertThat(dst.stats().liveCount()).isEqualTo(4);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeLeavesTheSourceWithNoLiveBytes(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            src.allocate(40);
            src.allocate(30_000);

            dst.merge(src);

            assertThat(src.stats().liveBytes()).isZero();
            assertThat(src.stats().liveCount()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeLeavesHistoryWhereItHappened(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            dst.free(dst.allocate(8));
            src.allocate(16);
            src.allocate(16);
            src.free(src.allocate(16));

            dst.merge(src);

            assertThat(dst.stats().allocations()).as("dst allocations").isEqualTo(1);
            assertThat(dst.stats().frees()).as("dst frees").isEqualTo(1);
            assertThat(src.stats().allocations()).as("src allocations").isEqualTo(3);
            assertThat(src.stats().frees()).as("src frees").isEqualTo(1);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aMergeRaisesTheDestinationsPeak(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            dst.allocate(100);
            src.allocate(500);

            dst.merge(src);

            assertThat(dst.stats().peakLiveBytes()).isEqualTo(600);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeKeepsTheSumOfGrossBytes(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            dst.allocate(100);
            src.allocate(500);
            src.allocate(50_000);
            long before = dst.stats().grossBytes() + src.stats().grossBytes();

            dst.merge(src);

            assertThat(dst.stats().grossBytes() + src.stats().grossBytes()).isEqualTo(before);
        }
    }

    /**
     * Found by the fuzzer: a region merged into another keeps carving its block above a mark; if it
     * was merged in right after a reset (mark 0) and then closed, the other region held the block
     * alone with the closed region's piece still recorded in it as live.
     */
    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRegionMergedBackAndThenClosedLeavesTheOtherOnlyItsOwnPieces(boolean shared) {
        try (Region other = region(shared)) {
            Region region = region(shared);
            region.allocate(96);
            region.reset();
            other.allocate(10_544, 2 << 20);
            region.merge(other);
            other.merge(region); // region goes on carving its block, now shared, from its start
            region.allocate(63);
            region.close();

            assertThat(Invariants.check(other)).isNull();
            assertThat(Expected.of(other.stats()).liveCount()).isEqualTo(1);
            assertThat(other.stats().liveBytes()).isEqualTo(10_544);
        }
    }

    /**
     * Found by the fuzzer, the same start as above: the region carves the shared block until it is
     * full, moves on to a new block, and is reset. Its pieces above the mark of the shared block die
     * with the reset; the other region must not be left holding them.
     */
    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRegionThatCarvedPastASharedBlockLeavesTheOtherOnlyItsOwnPiecesAtReset(boolean shared) {
        try (Region other = region(shared); Region region = region(shared)) {
            region.allocate(96);
            region.reset();
            other.allocate(10_544, 2 << 20);
            region.merge(other);
            other.merge(region); // region goes on carving its block, now shared, from its start
            region.allocate(63, 32_768);
            region.allocate(192);
            region.allocate(0);
            region.allocate(7_259); // past the shared block's end: a new block
            region.reset();

            assertThat(Invariants.check(other)).isNull();
            assertThat(Invariants.check(region)).isNull();
            assertThat(other.stats().liveCount()).isEqualTo(1);
            region.allocate(100); // and the region carves on
            assertThat(Invariants.check(other)).isNull();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void freeingAMovedPieceCountsInTheDestination(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment piece = src.allocate(500);
            dst.merge(src);

            dst.free(piece);

            assertThat(Expected.of(dst.stats())).isEqualTo(new Expected(0, 0, 500, 0, 0, 1));
        }
    }

    // ------------------------------------------------------------ global figures

    private RegionStats start;

    @BeforeEach
    void snapshotGlobalFigures() {
        start = Regions.globalStats();
    }

    @Test
    void globalLiveCountAndGrossSumTheOpenRegions() {
        try (Region a = Region.ofConfined(); Region b = Region.ofShared(); Region c = Region.ofConfined()) {
            a.allocate(100);
            a.free(a.allocate(50));
            b.allocate(0);
            b.allocate(9000);
            c.allocate(200_000);
            c.allocate(33);

            RegionStats global = Regions.globalStats();
            List<RegionStats> all = List.of(a.stats(), b.stats(), c.stats());
            assertThat(global.liveBytes() - start.liveBytes()).as("live bytes")
                    .isEqualTo(all.stream().mapToLong(RegionStats::liveBytes).sum());
            assertThat(global.liveCount() - start.liveCount()).as("live count")
                    .isEqualTo(all.stream().mapToLong(RegionStats::liveCount).sum());
            assertThat(global.grossBytes() - start.grossBytes()).as("gross bytes")
                    .isEqualTo(all.stream().mapToLong(RegionStats::grossBytes).sum());
        }
    }

    @Test
    void globalHistoryCountsEveryAllocationAndFree() {
        try (Region a = Region.ofConfined(); Region b = Region.ofShared()) {
            for (int i = 0; i < 10; i++) {
                a.free(a.allocate(16 * i));
            }
            b.allocate(100);
            b.allocate(100_000);

            RegionStats global = Regions.globalStats();
            assertThat(global.allocations() - start.allocations()).as("allocations").isEqualTo(12);
            assertThat(global.frees() - start.frees()).as("frees").isEqualTo(10);
        }
    }

    @Test
    void globalHistoryIsNotChangedByResetMergeOrClose() {
        Region a = Region.ofConfined();
        Region b = Region.ofConfined();
        a.allocate(10);
        a.free(a.allocate(10));
        b.allocate(20);
        RegionStats before = Regions.globalStats();

        a.reset();
        a.allocate(5);
        a.merge(b);
        b.close();
        a.close();

        RegionStats after = Regions.globalStats();
        assertThat(after.allocations() - before.allocations()).as("allocations").isEqualTo(1);
        assertThat(after.frees() - before.frees()).as("frees").isZero();
    }

    @Test
    void globalFiguresCountMergedPiecesOnce() {
        try (Region dst = Region.ofShared(); Region src = Region.ofShared()) {
            dst.allocate(100);
            src.allocate(300);
            src.allocate(30_000);
            RegionStats before = Regions.globalStats();

            dst.merge(src);

            RegionStats after = Regions.globalStats();
            assertThat(after.liveBytes()).as("live bytes").isEqualTo(before.liveBytes());
            assertThat(after.liveCount()).as("live count").isEqualTo(before.liveCount());
            assertThat(after.grossBytes()).as("gross bytes").isEqualTo(before.grossBytes());
        }
    }

    @Test
    void globalLiveFallsByWhatAResetReleased() {
        try (Region region = Region.ofConfined()) {
            region.allocate(700);
            region.allocate(70_000);
            RegionStats before = Regions.globalStats();

            region.reset();

            RegionStats after = Regions.globalStats();
            assertThat(before.liveBytes() - after.liveBytes()).as("live bytes").isEqualTo(70_700);
            assertThat(before.liveCount() - after.liveCount()).as("live count").isEqualTo(2);
        }
    }

    @Test
    void globalLiveAndGrossReturnToTheStartOnceEveryRegionIsClosed() {
        Random random = new Random(5);
        Region a = Region.ofConfined();
        Region b = Region.ofShared();
        Region c = Region.ofConfined();
        Region d = Region.builder().source(MemorySource.jdk()).build();
        for (Region r : List.of(a, b, c, d)) {
            for (int i = 0; i < 500; i++) {
                MemorySegment piece = r.allocate(random.nextInt(20) == 0 ? 10_000 + random.nextInt(90_000)
                        : random.nextInt(1000));
                if (random.nextBoolean()) {
                    r.free(piece);
                }
            }
        }
        c.merge(a);
        a.allocate(64);
        d.reset();
        d.allocate(64);

        a.close();
        b.close();
        c.close();
        d.close();

        RegionStats end = Regions.globalStats();
        assertThat(end.liveBytes()).as("live bytes").isEqualTo(start.liveBytes());
        assertThat(end.liveCount()).as("live count").isEqualTo(start.liveCount());
        assertThat(end.grossBytes()).as("gross bytes").isEqualTo(start.grossBytes());
    }

    // Regions publish their live bytes to the global counter in steps of Invariants.GLOBAL_STEP
    // (64 KiB): swings of at least a step are seen exactly by the global watermarks.
    private static final int STEP = (int) Invariants.GLOBAL_STEP;

    @Test
    void globalStatsAndResetPeaksReturnsTheFiguresBeforeTheReset() {
        try (Region region = Region.ofConfined()) {
            Regions.globalStatsAndResetPeaks();
            long base = Regions.globalStats().liveBytes();
            MemorySegment big = region.allocate(5 * STEP);
            region.allocate(STEP);
            region.free(big);

            RegionStats returned = Regions.globalStatsAndResetPeaks();

            assertThat(returned.peakLiveBytes() - base).as("peak").isEqualTo(6 * STEP);
            assertThat(returned.lowLiveBytes() - base).as("low").isZero();
            assertThat(returned.liveBytes() - base).as("live").isEqualTo(STEP);
        }
    }

    @Test
    void globalLiveBytesAreExactAndTheWatermarksMissAtMostAStepPerRegion() {
        try (Region a = Region.ofConfined(); Region b = Region.ofConfined()) {
            Regions.globalStatsAndResetPeaks();
            long base = Regions.globalStats().liveBytes();
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < 1000; i++) { // 100 bytes at a time: 100,000 bytes in all
                pieces.add((i % 2 == 0 ? a : b).allocate(100));
            }
            for (int i = 0; i < 1000; i++) {
                (i % 2 == 0 ? a : b).free(pieces.get(i));
            }

            RegionStats after = Regions.globalStats();
            assertThat(after.liveBytes() - base).as("live").isZero();
            assertThat(after.peakLiveBytes() - base).as("peak").isBetween(100_000L - 2 * STEP, 100_000L);
            assertThat(after.lowLiveBytes() - base).as("low").isZero();
        }
    }

    @Test
    void globalStatsAndResetPeaksSetsBothWatermarksToTheLiveBytes() {
        try (Region region = Region.ofConfined()) {
            MemorySegment big = region.allocate(5 * STEP);
            region.allocate(STEP);
            region.free(big);

            Regions.globalStatsAndResetPeaks();

            RegionStats after = Regions.globalStats();
            assertThat(after.peakLiveBytes()).as("peak").isEqualTo(after.liveBytes());
            assertThat(after.lowLiveBytes()).as("low").isEqualTo(after.liveBytes());
        }
    }

    @Test
    void globalWatermarksMoveAfterAReset() {
        try (Region region = Region.ofConfined()) {
            MemorySegment a = region.allocate(STEP);
            Regions.globalStatsAndResetPeaks();
            long base = Regions.globalStats().liveBytes(); // includes a's STEP bytes

            region.free(a);
            region.allocate(3 * STEP);

            RegionStats after = Regions.globalStats();
            assertThat(after.lowLiveBytes() - base).as("low").isEqualTo(-STEP);
            assertThat(after.peakLiveBytes() - base).as("peak").isEqualTo(2 * STEP);
        }
    }
}
