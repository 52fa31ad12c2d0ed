package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Pieces of a bump region ({@code Region.builder().bump(true)}) merged into an ordinary region are
 * not live pieces there in the sense of {@link Region#free}: freeing one is refused with
 * {@link IllegalArgumentException} (not {@link UnsupportedOperationException}, which is for a
 * bump region's own free) and changes nothing, whatever the piece's size (small, medium, large,
 * zero-length), in confined and shared regions. The destination's reset or close releases them.
 */
class BumpMergeTest {

    static Stream<Arguments> cases() {
        return Stream.of(false, true).flatMap(shared -> Stream.of(24L, 3000L, 50_000L, 0L)
                .map(size -> Arguments.of(shared, size)));
    }

    @ParameterizedTest(name = "shared={0}, a bump piece of {1} bytes")
    @MethodSource("cases")
    void aMergedBumpPieceCannotBeFreedAndTheResetReleasesIt(boolean shared, long size) {
        TrackingSource source = new TrackingSource();
        try (Region dst = Region.builder().name("ordinary").shared(shared).source(source).build();
             Region bump = Region.builder().name("bump").bump(true).shared(shared).source(source).build()) {
            MemorySegment own = dst.allocate(size); // the destination's own piece of that size
            List<MemorySegment> moved = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                MemorySegment piece = bump.allocate(size);
                piece.fill((byte) (i + 1));
                moved.add(piece);
            }
            assertThatThrownBy(() -> bump.free(moved.get(0))).isInstanceOf(UnsupportedOperationException.class);
            dst.merge(bump);
            RegionStats before = dst.stats();
            assertThat(before.liveCount()).isEqualTo(4);
            assertThat(before.liveBytes()).isEqualTo(4 * size);

            for (MemorySegment piece : moved) {
                assertThat(catchThrowable(() -> dst.free(piece)))
                        .as("what free of a merged bump piece of %d bytes threw (null: it freed it)", size)
                        .isInstanceOf(IllegalArgumentException.class);
                assertThat(dst.stats()).as("figures after the refused free").isEqualTo(before);
            }
            assertThat(Invariants.check(dst)).isNull();
            // Still live and untouched: a new piece of the destination does not land on them.
            MemorySegment fresh = dst.allocate(size);
            fresh.fill((byte) 0x77);
            for (int i = 0; i < moved.size(); i++) {
                MemorySegment piece = moved.get(i);
                assertThat(fresh.address()).isNotEqualTo(piece.address());
                if (size > 0) {
                    assertThat(piece.get(JAVA_BYTE, size - 1)).isEqualTo((byte) (i + 1));
                }
            }
            // The destination's own pieces still free one by one.
            dst.free(own);
            dst.free(fresh);
            assertThat(dst.stats().liveCount()).isEqualTo(3);
            assertThat(dst.stats().liveBytes()).isEqualTo(3 * size);

            dst.reset();
            assertThat(dst.stats().liveBytes()).isZero();
            assertThat(dst.stats().liveCount()).isZero();
            assertThat(moved.get(0).scope().isAlive()).as("the moved pieces died with the reset").isFalse();
            if (size > 0) {
                assertThatThrownBy(() -> moved.get(0).get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            }
            assertThat(Invariants.check(dst)).isNull();
            assertThat(Invariants.check(bump)).isNull();
        }
        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}, a bump piece of {1} bytes")
    @MethodSource("cases")
    void theDestinationsCloseReleasesMergedBumpPieces(boolean shared, long size) {
        TrackingSource source = new TrackingSource();
        RegionStats global0 = Regions.globalStats();
        Region dst = Region.builder().shared(shared).source(source).build();
        Region bump = Region.builder().bump(true).shared(shared).source(source).build();
        try {
            MemorySegment piece = bump.allocate(size);
            dst.mergeAndClose(bump);
            assertThat(bump.scope().isAlive()).as("mergeAndClose closed the bump region").isFalse();
            RegionStats before = dst.stats();
            assertThat(before.liveBytes()).isEqualTo(size);
            assertThat(before.liveCount()).isEqualTo(1);
            assertThat(catchThrowable(() -> dst.free(piece)))
                    .as("what free of a merged bump piece of %d bytes threw (null: it freed it)", size)
                    .isInstanceOf(IllegalArgumentException.class);
            assertThat(dst.stats()).as("figures after the refused free").isEqualTo(before);
            assertThat(Invariants.check(dst)).isNull();

            dst.close();
            assertThat(dst.stats().liveBytes()).isZero();
            assertThat(dst.stats().liveCount()).isZero();
            assertThat(dst.stats().grossBytes()).isZero();
        } finally {
            if (bump.scope().isAlive()) {
                bump.close();
            }
            if (dst.scope().isAlive()) {
                dst.close();
            }
        }
        assertThat(source.outstanding()).isZero();
        RegionStats global1 = Regions.globalStats();
        assertThat(global1.liveBytes()).isEqualTo(global0.liveBytes());
        assertThat(global1.grossBytes()).isEqualTo(global0.grossBytes());
    }
}
