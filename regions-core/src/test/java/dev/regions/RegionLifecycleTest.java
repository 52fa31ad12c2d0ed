package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.internal.lane.Generations;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Generations, merge and close: what dies when, what stays usable, and what a closed region still
 * answers. Every test runs on a confined and on a shared region.
 */
class RegionLifecycleTest {

    /** Small and large pieces: they live in different structures (pages, large blocks). */
    private static final long[] SIZES = {8, 100, 8192, 100_000};

    private static Region region(boolean shared) {
        return Region.builder().shared(shared).build();
    }

    private static Region region(boolean shared, MemorySource source) {
        return Region.builder().shared(shared).source(source).build();
    }

    private static List<MemorySegment> allocateSome(Region region) {
        List<MemorySegment> pieces = new ArrayList<>();
        for (long size : SIZES) {
            MemorySegment piece = region.allocate(size);
            piece.set(JAVA_LONG, 0, size);
            pieces.add(piece);
        }
        return pieces;
    }

    // ------------------------------------------------------------ reset

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesFromBeforeResetThrowWhenRead(boolean shared) {
        try (Region region = region(shared)) {
            List<MemorySegment> pieces = allocateSome(region);

            region.reset();

            for (MemorySegment piece : pieces) {
                assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).as("piece of %d bytes", piece.byteSize())
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesFromBeforeResetThrowWhenWritten(boolean shared) {
        try (Region region = region(shared)) {
            List<MemorySegment> pieces = allocateSome(region);

            region.reset();

            for (MemorySegment piece : pieces) {
                assertThatThrownBy(() -> piece.set(JAVA_LONG, 0, 1L)).as("piece of %d bytes", piece.byteSize())
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aFreedPieceFromBeforeResetAlsoThrowsWhenTouched(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment piece = region.allocate(64);
            region.free(piece);

            region.reset();

            assertThatThrownBy(() -> piece.get(JAVA_INT, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theRegionWorksAfterReset(boolean shared) {
        try (Region region = region(shared)) {
            allocateSome(region);
            region.reset();

            List<MemorySegment> pieces = allocateSome(region);

            assertThat(pieces).extracting(p -> p.get(JAVA_LONG, 0)).containsExactly(8L, 100L, 8192L, 100_000L);
            assertThat(region.stats().liveCount()).isEqualTo(SIZES.length);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesAllocatedAfterResetCanBeFreed(boolean shared) {
        try (Region region = region(shared)) {
            allocateSome(region);
            region.reset();
            List<MemorySegment> pieces = allocateSome(region);

            pieces.forEach(region::free);

            assertThat(region.stats().liveCount()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void resetEndsTheOldScopeAndStartsANewOne(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment.Scope before = region.scope();

            region.reset();

            assertThat(before.isAlive()).as("old scope alive").isFalse();
            assertThat(region.scope().isAlive()).as("new scope alive").isTrue();
            assertThat(region.scope()).isNotEqualTo(before);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesAfterResetBelongToTheNewScope(boolean shared) {
        try (Region region = region(shared)) {
            region.allocate(16);
            region.reset();

            MemorySegment piece = region.allocate(16);

            if (Invariants.CHECKED) { // a checked piece has a scope of its own, which a reset ends
                assertThat(piece.scope().isAlive()).isTrue();
                region.reset();
                assertThat(piece.scope().isAlive()).isFalse();
            } else {
                assertThat(piece.scope()).isEqualTo(region.scope());
            }
        }
    }

    @ParameterizedTest(name = "shared={0}, size {1}")
    @MethodSource("sharedAndSizes")
    void freeOfAPieceFromBeforeResetThrowsIllegalArgument(boolean shared, long size) {
        try (Region region = region(shared)) {
            MemorySegment stale = region.allocate(size);
            region.reset();

            assertThatThrownBy(() -> region.free(stale)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}, size {1}")
    @MethodSource("sharedAndSizes")
    void freeOfAPieceFromBeforeResetChangesNoFigure(boolean shared, long size) {
        try (Region region = region(shared)) {
            MemorySegment stale = region.allocate(size);
            region.reset();
            RegionStats before = region.stats();

            try {
                region.free(stale);
            } catch (IllegalArgumentException expected) {
                // the contract: rejected; what matters here is that nothing changed
            }

            assertThat(region.stats()).isEqualTo(before);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterAStaleFreeIsRejectedTheRegionStillHandsOutLivePieces(boolean shared) {
        try (Region region = region(shared)) {
            // enough pieces of one size to fill whole pages, so the stale one comes from a full page
            List<MemorySegment> stale = new ArrayList<>();
            for (int i = 0; i < 2048; i++) {
                stale.add(region.allocate(16));
            }
            region.reset();
            try {
                region.free(stale.get(0));
            } catch (IllegalArgumentException expected) {
                // rejected, as it should be
            }

            assertThatCode(() -> region.allocate(16).set(JAVA_LONG, 0, 1L)).doesNotThrowAnyException();
        }
    }

    static Stream<Arguments> sharedAndSizes() {
        List<Arguments> cases = new ArrayList<>();
        for (boolean shared : new boolean[] {false, true}) {
            for (long size : SIZES) {
                cases.add(Arguments.of(shared, size));
            }
        }
        return cases.stream();
    }

    // ------------------------------------------------------------ close

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesFromBeforeCloseThrowWhenRead(boolean shared) {
        Region region = region(shared);
        List<MemorySegment> pieces = allocateSome(region);

        region.close();

        for (MemorySegment piece : pieces) {
            assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).as("piece of %d bytes", piece.byteSize())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesFromBeforeCloseThrowWhenWritten(boolean shared) {
        Region region = region(shared);
        List<MemorySegment> pieces = allocateSome(region);

        region.close();

        for (MemorySegment piece : pieces) {
            assertThatThrownBy(() -> piece.set(JAVA_LONG, 0, 1L)).as("piece of %d bytes", piece.byteSize())
                    .isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void closeTwiceThrowsIllegalState(boolean shared) {
        Region region = region(shared);
        region.close();

        assertThatThrownBy(region::close).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterCloseStatsAnswerWithTheFinalFigures(boolean shared) {
        Region region = region(shared);
        MemorySegment piece = region.allocate(100);
        region.allocate(50);
        region.free(piece);

        region.close();

        RegionStats stats = region.stats();
        assertThat(stats.liveBytes()).isZero();
        assertThat(stats.liveCount()).isZero();
        assertThat(stats.allocations()).isEqualTo(2);
        assertThat(stats.frees()).isEqualTo(1);
        assertThat(stats.peakLiveBytes()).isEqualTo(150);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterCloseLimitAnswers(boolean shared) {
        Region region = Region.builder().shared(shared).limit(4096).build();
        region.close();

        assertThat(region.limit()).isEqualTo(4096);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterCloseNameAnswers(boolean shared) {
        Region region = Region.builder().shared(shared).name("gone").build();
        region.close();

        assertThat(region.name()).isEqualTo("gone");
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterCloseScopeAnswersAndIsNotAlive(boolean shared) {
        Region region = region(shared);
        region.close();

        assertThat(region.scope().isAlive()).isFalse();
    }

    /** Every call other than stats/limit/name/scope, on a closed region; the second argument is an open region. */
    static Stream<Arguments> callsAfterClose() {
        List<Named<BiConsumer<Region, Region>>> calls = List.of(
                Named.of("allocate(size)", (closed, open) -> closed.allocate(16)),
                Named.of("allocate(size, alignment)", (closed, open) -> closed.allocate(16, 64)),
                Named.of("allocate(layout)", (closed, open) -> closed.allocate(JAVA_INT)),
                Named.of("allocate(layout, count)", (closed, open) -> closed.allocate(JAVA_LONG, 4)),
                Named.of("allocateFrom(String)", (closed, open) -> closed.allocateFrom("x")),
                Named.of("allocateFrom(JAVA_INT, ...)", (closed, open) -> closed.allocateFrom(JAVA_INT, 1, 2)),
                Named.of("free(a foreign segment)", (closed, open) -> closed.free(java.lang.foreign.Arena.ofAuto().allocate(16))),
                Named.of("free(NULL)", (closed, open) -> closed.free(MemorySegment.NULL)),
                Named.of("reset()", (closed, open) -> closed.reset()),
                Named.of("close()", (closed, open) -> closed.close()),
                Named.of("setLimit(n)", (closed, open) -> closed.setLimit(1000)),
                Named.of("setLimit(0)", (closed, open) -> closed.setLimit(0)),
                Named.of("statsAndResetPeaks()", (closed, open) -> closed.statsAndResetPeaks()),
                Named.of("closed.merge(open)", (closed, open) -> closed.merge(open)),
                Named.of("open.merge(closed)", (closed, open) -> open.merge(closed)),
                Named.of("closed.mergeAndClose(open)", (closed, open) -> closed.mergeAndClose(open)),
                Named.of("open.mergeAndClose(closed)", (closed, open) -> open.mergeAndClose(closed)));
        List<Arguments> cases = new ArrayList<>();
        for (boolean shared : new boolean[] {false, true}) {
            for (var call : calls) {
                cases.add(Arguments.of(shared, call));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "shared={0}: {1}")
    @MethodSource("callsAfterClose")
    void everyOtherCallAfterCloseThrowsIllegalState(boolean shared, BiConsumer<Region, Region> call) {
        Region closed = region(shared);
        closed.allocate(32);
        closed.close();
        try (Region open = region(shared)) {
            assertThatThrownBy(() -> call.accept(closed, open)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}: {1}")
    @MethodSource("callsAfterClose")
    void aRejectedCallAfterCloseLeavesTheOtherRegionWorking(boolean shared, BiConsumer<Region, Region> call) {
        Region closed = region(shared);
        closed.close();
        try (Region open = region(shared)) {
            MemorySegment held = open.allocate(24);
            RegionStats before = open.stats();
            try {
                call.accept(closed, open);
            } catch (IllegalStateException expected) {
                // checked by the test above
            }
            MemorySegment fresh = open.allocate(24);

            assertThat(open.stats().liveCount()).isEqualTo(before.liveCount() + 1);
            assertThatCode(() -> {
                held.set(JAVA_LONG, 0, 1L);
                fresh.set(JAVA_LONG, 0, 1L);
            }).doesNotThrowAnyException();
        }
    }

    // ------------------------------------------------------------ merge

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesMovedByMergeSurviveClosingTheirOldRegion(boolean shared) {
        try (Region dst = region(shared)) {
            Region src = region(shared);
            List<MemorySegment> moved = allocateSome(src);
            dst.merge(src);

            src.close();

            assertThat(moved).extracting(p -> p.get(JAVA_LONG, 0)).containsExactly(8L, 100L, 8192L, 100_000L);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesMovedByMergeDieWithTheDestinationsReset(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            List<MemorySegment> moved = allocateSome(src);
            dst.merge(src);

            dst.reset();

            for (MemorySegment piece : moved) {
                assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).as("piece of %d bytes", piece.byteSize())
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesMovedByMergeDieWithTheDestinationsClose(boolean shared) {
        try (Region src = region(shared)) {
            Region dst = region(shared);
            List<MemorySegment> moved = allocateSome(src);
            dst.merge(src);

            dst.close();

            for (MemorySegment piece : moved) {
                assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).as("piece of %d bytes", piece.byteSize())
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesMovedByMergeAreNotTouchedByTheSourcesReset(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            List<MemorySegment> moved = allocateSome(src);
            dst.merge(src);

            src.reset();

            assertThat(moved).extracting(p -> p.get(JAVA_LONG, 0)).containsExactly(8L, 100L, 8192L, 100_000L);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterMergeTheSourceIsEmpty(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            allocateSome(src);

            dst.merge(src);

            assertThat(src.stats().liveBytes()).isZero();
            assertThat(src.stats().liveCount()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterMergeTheSourceIsUsable(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            allocateSome(src);
            dst.merge(src);

            List<MemorySegment> more = allocateSome(src);
            more.forEach(src::free);
            allocateSome(src);

            assertThat(src.stats().liveCount()).isEqualTo(SIZES.length);
            assertThat(src.scope().isAlive()).isTrue();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theDestinationFreesAMovedPiece(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            List<MemorySegment> moved = allocateSome(src);
            dst.merge(src);

            moved.forEach(dst::free);

            assertThat(dst.stats().liveCount()).isZero();
            assertThat(dst.stats().liveBytes()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}, size {1}")
    @MethodSource("sharedAndSizes")
    void theSourceRejectsFreeOfAMovedPiece(boolean shared, long size) {
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment moved = src.allocate(size);
            dst.merge(src);

            assertThatThrownBy(() -> src.free(moved)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRejectedFreeOfAMovedPieceChangesNeitherRegion(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment moved = src.allocate(64);
            src.allocate(32);
            dst.merge(src);
            src.allocate(16);
            RegionStats srcBefore = src.stats();
            RegionStats dstBefore = dst.stats();

            assertThatThrownBy(() -> src.free(moved)).isInstanceOf(IllegalArgumentException.class);

            assertThat(src.stats()).isEqualTo(srcBefore);
            assertThat(dst.stats()).isEqualTo(dstBefore);
        }
    }

    @ParameterizedTest(name = "shared={0}, size {1}")
    @MethodSource("sharedAndSizes")
    void theDestinationRejectsFreeOfAMovedPieceAfterItsReset(boolean shared, long size) {
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment moved = src.allocate(size);
            dst.merge(src);
            dst.reset();

            assertThatThrownBy(() -> dst.free(moved)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aCleanupBoundToTheSourceBeforeAMergeRunsWithTheDestination(boolean shared) {
        AtomicInteger runs = new AtomicInteger();
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment.ofAddress(src.allocate(8).address()).reinterpret(8, src, s -> runs.incrementAndGet());
            dst.merge(src);

            src.reset();
            assertThat(runs).as("after the source's reset").hasValue(0);

            dst.reset();
            assertThat(runs).as("after the destination's reset").hasValue(1);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeAndCloseMovesThePiecesAndClosesTheSource(boolean shared) {
        try (Region dst = region(shared)) {
            Region src = region(shared);
            List<MemorySegment> moved = allocateSome(src);

            dst.mergeAndClose(src);

            assertThat(src.scope().isAlive()).as("source scope alive").isFalse();
            assertThatThrownBy(() -> src.allocate(8)).isInstanceOf(IllegalStateException.class);
            assertThat(moved).extracting(p -> p.get(JAVA_LONG, 0)).containsExactly(8L, 100L, 8192L, 100_000L);
            assertThat(dst.stats().liveCount()).isEqualTo(SIZES.length);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesMovedByMergeAndCloseDieWithTheDestination(boolean shared) {
        Region dst = region(shared);
        Region src = region(shared);
        List<MemorySegment> moved = allocateSome(src);
        dst.mergeAndClose(src);

        dst.close();

        for (MemorySegment piece : moved) {
            assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    // ------------------------------------------------------------ cleanup actions that throw

    private static void bindCleanup(Region region, Runnable action) {
        MemorySegment.ofAddress(region.allocate(8).address()).reinterpret(8, region, s -> action.run());
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void closeRethrowsTheExceptionOfAThrowingCleanup(boolean shared) {
        RuntimeException boom = new RuntimeException("boom");
        Region region = region(shared);
        bindCleanup(region, () -> {
            throw boom;
        });

        assertThatThrownBy(region::close).isSameAs(boom);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopCloseFromReleasingAllMemory(boolean shared) {
        TrackingSource source = new TrackingSource();
        Region region = region(shared, source);
        allocateSome(region);
        bindCleanup(region, () -> {
            throw new RuntimeException("boom");
        });

        assertThatThrownBy(region::close).hasMessage("boom");

        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopCloseFromClosing(boolean shared) {
        Region region = region(shared);
        bindCleanup(region, () -> {
            throw new RuntimeException("boom");
        });

        assertThatThrownBy(region::close).hasMessage("boom");

        assertThat(region.scope().isAlive()).isFalse();
        assertThatThrownBy(() -> region.allocate(8)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopTheOtherCleanupsAtClose(boolean shared) {
        AtomicInteger ran = new AtomicInteger();
        Region region = region(shared);
        bindCleanup(region, ran::incrementAndGet);
        bindCleanup(region, () -> {
            throw new RuntimeException("boom");
        });
        bindCleanup(region, ran::incrementAndGet);

        assertThatThrownBy(region::close).hasMessage("boom");

        assertThat(ran).hasValue(2);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void withTwoThrowingCleanupsCloseRethrowsOneAndSuppressesTheOther(boolean shared) {
        RuntimeException first = new RuntimeException("first");
        RuntimeException second = new RuntimeException("second");
        Region region = region(shared);
        bindCleanup(region, () -> {
            throw first;
        });
        bindCleanup(region, () -> {
            throw second;
        });

        assertThatThrownBy(region::close).satisfiesAnyOf(
                e -> assertThat(e).isSameAs(first).hasSuppressedException(second),
                e -> assertThat(e).isSameAs(second).hasSuppressedException(first));
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void resetRethrowsTheExceptionOfAThrowingCleanup(boolean shared) {
        RuntimeException boom = new RuntimeException("boom");
        try (Region region = region(shared)) {
            bindCleanup(region, () -> {
                throw boom;
            });

            assertThatThrownBy(region::reset).isSameAs(boom);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopResetFromFreeingEveryPiece(boolean shared) {
        try (Region region = region(shared)) {
            List<MemorySegment> pieces = allocateSome(region);
            bindCleanup(region, () -> {
                throw new RuntimeException("boom");
            });

            assertThatThrownBy(region::reset).hasMessage("boom");

            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().liveBytes()).isZero();
            assertThatThrownBy(() -> pieces.get(0).get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopResetFromReturningLargeBlocks(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            region.allocate(16); // a block, which reset keeps
            region.allocate(100_000); // a large block, which reset gives back
            region.allocate(300_000);
            long heldBefore = source.outstanding();
            bindCleanup(region, () -> {
                throw new RuntimeException("boom");
            });

            assertThatThrownBy(region::reset).hasMessage("boom");

            assertThat(source.outstanding()).isEqualTo(heldBefore - 2);
        }
        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aThrowingCleanupDoesNotStopTheOtherCleanupsAtReset(boolean shared) {
        AtomicInteger ran = new AtomicInteger();
        try (Region region = region(shared)) {
            bindCleanup(region, ran::incrementAndGet);
            bindCleanup(region, () -> {
                throw new RuntimeException("boom");
            });
            bindCleanup(region, ran::incrementAndGet);

            assertThatThrownBy(region::reset).hasMessage("boom");

            assertThat(ran).hasValue(2);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theRegionWorksAfterAResetWhoseCleanupThrew(boolean shared) {
        try (Region region = region(shared)) {
            bindCleanup(region, () -> {
                throw new RuntimeException("boom");
            });
            assertThatThrownBy(region::reset).hasMessage("boom");

            List<MemorySegment> pieces = allocateSome(region);

            assertThat(pieces).extracting(p -> p.get(JAVA_LONG, 0)).containsExactly(8L, 100L, 8192L, 100_000L);
            assertThat(region.scope().isAlive()).isTrue();
        }
    }
}
