package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The original's {@code alloc_SegmentLimit}: a cap on a region's live bytes (the sizes callers
 * asked for), checked by allocate and by merge.
 */
class LimitTest {

    private static Region limited(boolean shared, long limit) {
        return Region.builder().shared(shared).limit(limit).build();
    }

    // ------------------------------------------------------------ allocate over the limit

    @ParameterizedTest(name = "piece of {0} bytes")
    @ValueSource(longs = {1, 100, 1000, 8192, 50_000})
    void anAllocationThatWouldPassTheLimitThrows(long size) {
        try (Region region = limited(false, 100_000)) {
            region.allocate(100_000 - size + 1); // leaves room for size - 1 bytes

            assertThatThrownBy(() -> region.allocate(size)).isInstanceOf(LimitExceededException.class);
        }
    }

    @ParameterizedTest(name = "piece of {0} bytes")
    @ValueSource(longs = {1, 100, 1000, 8192, 50_000})
    void aRejectedAllocationChangesNoFigure(long size) {
        try (Region region = limited(false, 10_000)) {
            region.allocate(64);
            region.free(region.allocate(32));
            RegionStats before = region.stats();

            assertThatThrownBy(() -> region.allocate(size + 10_000)).isInstanceOf(LimitExceededException.class);

            assertThat(region.stats()).isEqualTo(before);
        }
    }

    /** Found by the fuzzer: a shared region's peak kept a piece its source then failed to make. */
    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void anAllocationThatFailsAfterTheLimitCheckChangesNoFigure(boolean shared) {
        TrackingSource source = new TrackingSource().failAt(2);
        try (Region region = Region.builder().shared(shared).source(source).limit(100_000).build()) {
            region.allocate(64); // the first block
            RegionStats before = region.stats();

            assertThatThrownBy(() -> region.allocate(50_000)).isInstanceOf(OutOfMemoryError.class);

            assertThat(region.stats()).isEqualTo(before);
            assertThat(region.allocate(50_000).byteSize()).as("nothing of it kept against the limit").isEqualTo(50_000);
        }
    }

    @Test
    void aRejectedAllocationTakesNothingFromTheSource() {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().source(source).limit(1000).build()) {
            assertThatThrownBy(() -> region.allocate(5000)).isInstanceOf(LimitExceededException.class);
            assertThatThrownBy(() -> region.allocate(500_000)).isInstanceOf(LimitExceededException.class);

            assertThat(source.allocateCalls()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theRegionWorksAfterARejectedAllocation(boolean shared) {
        try (Region region = limited(shared, 1000)) {
            MemorySegment held = region.allocate(600);
            assertThatThrownBy(() -> region.allocate(600)).isInstanceOf(LimitExceededException.class);

            MemorySegment fits = region.allocate(400);

            fits.set(JAVA_LONG, 0, 1L);
            held.set(JAVA_LONG, 0, 2L);
            assertThat(region.stats().liveBytes()).isEqualTo(1000);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void exactlyReachingTheLimitIsAllowed(boolean shared) {
        try (Region region = limited(shared, 1000)) {
            region.allocate(300);
            region.allocate(700);

            assertThat(region.stats().liveBytes()).isEqualTo(1000);
        }
    }

    @Test
    void aSinglePieceOfExactlyTheLimitIsAllowed() {
        try (Region region = limited(false, 20_000)) {
            assertThatCode(() -> region.allocate(20_000)).doesNotThrowAnyException();
        }
    }

    @Test
    void oneByteOverTheLimitThrows() {
        try (Region region = limited(false, 1000)) {
            region.allocate(1000);

            assertThatThrownBy(() -> region.allocate(1)).isInstanceOf(LimitExceededException.class);
        }
    }

    @Test
    void theLimitCountsRequestedBytesNotOverhead() {
        // 100 pieces of 10 bytes each take a 16-byte slot, but only the 1000 requested bytes count
        try (Region region = limited(false, 1000)) {
            for (int i = 0; i < 100; i++) {
                region.allocate(10);
            }
            assertThat(region.stats().liveBytes()).isEqualTo(1000);
        }
    }

    @Test
    void freeingMakesRoomUnderTheLimit() {
        try (Region region = limited(false, 1000)) {
            MemorySegment a = region.allocate(600);
            region.free(a);

            assertThatCode(() -> region.allocate(1000)).doesNotThrowAnyException();
        }
    }

    @Test
    void resetMakesRoomUnderTheLimit() {
        try (Region region = limited(false, 1000)) {
            region.allocate(1000);
            region.reset();

            assertThatCode(() -> region.allocate(1000)).doesNotThrowAnyException();
        }
    }

    // ------------------------------------------------------------ setLimit

    @Test
    void setLimitReturnsThePreviousLimit() {
        try (Region region = Region.ofConfined()) {
            assertThat(region.setLimit(500)).isZero();
            assertThat(region.setLimit(700)).isEqualTo(500);
            assertThat(region.setLimit(0)).isEqualTo(700);
        }
    }

    @Test
    void limitReportsTheCurrentLimit() {
        try (Region region = Region.ofShared()) {
            region.setLimit(12_345);

            assertThat(region.limit()).isEqualTo(12_345);
        }
    }

    @Test
    void aNewRegionHasNoLimit() {
        try (Region region = Region.ofConfined()) {
            assertThat(region.limit()).isZero();
            assertThatCode(() -> region.allocate(4_000_000)).doesNotThrowAnyException();
        }
    }

    @Test
    void limitZeroMeansNoLimit() {
        try (Region region = limited(false, 100)) {
            region.setLimit(0);

            assertThatCode(() -> region.allocate(2_000_000)).doesNotThrowAnyException();
        }
    }

    @ParameterizedTest(name = "limit {0}")
    @ValueSource(longs = {-1, -100, Long.MIN_VALUE})
    void aNegativeLimitThrowsIllegalArgument(long limit) {
        try (Region region = Region.ofConfined()) {
            assertThatThrownBy(() -> region.setLimit(limit)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aRejectedNegativeLimitLeavesTheLimitAsItWas() {
        try (Region region = limited(false, 800)) {
            assertThatThrownBy(() -> region.setLimit(-1)).isInstanceOf(IllegalArgumentException.class);

            assertThat(region.limit()).isEqualTo(800);
        }
    }

    @Test
    void aLimitBelowTheLiveBytesIsAccepted() {
        try (Region region = Region.ofConfined()) {
            region.allocate(1000);

            assertThat(region.setLimit(500)).isZero();
            assertThat(region.limit()).isEqualTo(500);
        }
    }

    @Test
    void belowTheLiveBytesAllocationsFailUntilFreesMakeRoom() {
        try (Region region = Region.ofConfined()) {
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                pieces.add(region.allocate(100));
            }
            region.setLimit(500);
            assertThatThrownBy(() -> region.allocate(1)).as("at 1000 live bytes")
                    .isInstanceOf(LimitExceededException.class);

            for (int i = 0; i < 5; i++) {
                region.free(pieces.get(i));
            }
            assertThatThrownBy(() -> region.allocate(1)).as("at 500 live bytes")
                    .isInstanceOf(LimitExceededException.class);

            region.free(pieces.get(5));
            assertThatCode(() -> region.allocate(100)).as("at 400 live bytes").doesNotThrowAnyException();
        }
    }

    @Test
    void builderLimitSetsTheLimit() {
        try (Region region = Region.builder().limit(2048).build()) {
            assertThat(region.limit()).isEqualTo(2048);
            region.allocate(2048);
            assertThatThrownBy(() -> region.allocate(1)).isInstanceOf(LimitExceededException.class);
        }
    }

    @Test
    void builderRejectsANegativeLimit() {
        assertThatThrownBy(() -> Region.builder().limit(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------ merge over the limit

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aMergeThatWouldPassTheDestinationsLimitThrows(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            dst.allocate(600);
            src.allocate(401);

            assertThatThrownBy(() -> dst.merge(src)).isInstanceOf(LimitExceededException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aMergeThatExactlyReachesTheDestinationsLimitIsAllowed(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            dst.allocate(600);
            src.allocate(400);

            dst.merge(src);

            assertThat(dst.stats().liveBytes()).isEqualTo(1000);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRejectedMergeChangesNeitherRegionsFigures(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            dst.allocate(600);
            src.allocate(300);
            src.allocate(50_000);
            RegionStats dstBefore = dst.stats();
            RegionStats srcBefore = src.stats();

            assertThatThrownBy(() -> dst.merge(src)).isInstanceOf(LimitExceededException.class);

            assertThat(dst.stats()).as("destination").isEqualTo(dstBefore);
            assertThat(src.stats()).as("source").isEqualTo(srcBefore);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterARejectedMergeThePiecesStillBelongToTheSource(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            MemorySegment small = src.allocate(300);
            MemorySegment large = src.allocate(50_000);
            assertThatThrownBy(() -> dst.merge(src)).isInstanceOf(LimitExceededException.class);

            src.free(small);
            src.free(large);

            assertThat(src.stats().liveCount()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterARejectedMergeTheDestinationCannotFreeTheSourcesPieces(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            MemorySegment piece = src.allocate(2000);
            assertThatThrownBy(() -> dst.merge(src)).isInstanceOf(LimitExceededException.class);

            assertThatThrownBy(() -> dst.free(piece)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterARejectedMergeThePiecesDieWithTheSource(boolean shared) {
        try (Region dst = limited(shared, 1000)) {
            Region src = Region.builder().shared(shared).build();
            MemorySegment piece = src.allocate(2000);
            assertThatThrownBy(() -> dst.merge(src)).isInstanceOf(LimitExceededException.class);

            src.close();

            assertThatThrownBy(() -> piece.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aRejectedMergeAndCloseLeavesTheSourceOpen(boolean shared) {
        try (Region dst = limited(shared, 1000); Region src = Region.builder().shared(shared).build()) {
            MemorySegment piece = src.allocate(2000);

            assertThatThrownBy(() -> dst.mergeAndClose(src)).isInstanceOf(LimitExceededException.class);

            assertThat(src.scope().isAlive()).isTrue();
            assertThatCode(() -> piece.set(JAVA_LONG, 0, 1L)).doesNotThrowAnyException();
        }
    }

    @Test
    void mergeIntoARegionWithoutLimitIsNeverRejected() {
        try (Region dst = Region.ofConfined(); Region src = Region.ofConfined()) {
            src.allocate(3_000_000);

            assertThatCode(() -> dst.merge(src)).doesNotThrowAnyException();
        }
    }

    @Test
    void theSourcesLimitDoesNotMatterToAMerge() {
        try (Region dst = limited(false, 10_000); Region src = limited(false, 100)) {
            src.allocate(100);
            dst.allocate(5000);

            dst.merge(src);

            assertThat(dst.stats().liveBytes()).isEqualTo(5100);
            assertThat(src.limit()).isEqualTo(100);
        }
    }

    @Test
    void mergingARegionWithNoLivePiecesIsAllowedEvenOverTheLimit() {
        try (Region dst = limited(false, 10_000); Region src = Region.ofConfined()) {
            dst.allocate(5000);
            dst.setLimit(100);
            src.free(src.allocate(64)); // src holds blocks but no live piece

            dst.merge(src);

            assertThat(dst.stats().liveBytes()).isEqualTo(5000);
            assertThat(Invariants.check(dst)).isNull();
        }
    }
}
