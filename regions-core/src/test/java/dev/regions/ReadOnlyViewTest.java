package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.foreign.MemorySegment;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code free(piece.asReadOnly())} is refused: a read-only view is not the piece as it was handed
 * out. The refusal is an {@link IllegalArgumentException} and changes nothing: the figures are
 * the same, the piece stays live (its bytes are not handed out to the next allocation of its
 * size), and the piece itself can still be freed normally. For small, medium, large and
 * zero-length pieces, in confined and shared regions.
 */
class ReadOnlyViewTest {

    static Stream<Arguments> cases() {
        return Stream.of(false, true).flatMap(shared -> Stream.of(0L, 24L, 100L, 3000L, 100_000L)
                .map(size -> Arguments.of(shared, size)));
    }

    @ParameterizedTest(name = "shared={0}, {1} bytes")
    @MethodSource("cases")
    void freeingAReadOnlyViewIsRefusedAndChangesNothing(boolean shared, long size) {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().shared(shared).source(source).build()) {
            MemorySegment neighbour = region.allocate(size); // so that the piece is not alone in its block
            MemorySegment piece = region.allocate(size);
            piece.fill((byte) 0x5A);
            MemorySegment view = piece.asReadOnly();
            RegionStats before = region.stats();
            long blocks = source.outstanding();

            assertThatThrownBy(() -> region.free(view)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("read-only");

            assertThat(region.stats()).as("figures after the refused free").isEqualTo(before);
            assertThat(source.outstanding()).isEqualTo(blocks);
            assertThat(Invariants.check(region)).isNull();

            // Still live: the next piece of its size (and alignment) is elsewhere, and it keeps its bytes.
            MemorySegment next = region.allocate(size);
            assertThat(overlaps(next, piece)).as("%s handed out over the live piece %s", next, piece).isFalse();
            assertThat(next.address()).isNotEqualTo(piece.address());
            next.fill((byte) 0x11);
            if (size > 0) {
                assertThat(piece.get(JAVA_BYTE, 0)).isEqualTo((byte) 0x5A);
                assertThat(piece.get(JAVA_BYTE, size - 1)).isEqualTo((byte) 0x5A);
            }

            // The piece itself frees normally, once.
            region.free(piece);
            RegionStats after = region.stats();
            assertThat(after.liveCount()).isEqualTo(before.liveCount());          // +next -piece
            assertThat(after.frees()).isEqualTo(before.frees() + 1);
            assertThatThrownBy(() -> region.free(piece)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> region.free(view)).isInstanceOf(IllegalArgumentException.class);
            region.free(next);
            region.free(neighbour);
            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().liveBytes()).isZero();
            assertThat(Invariants.check(region)).isNull();
        }
        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}, {1} bytes")
    @MethodSource("cases")
    void aReadOnlyViewOfAFreedPieceIsRefusedToo(boolean shared, long size) {
        try (Region region = Region.builder().shared(shared).build()) {
            MemorySegment piece = region.allocate(size);
            MemorySegment view = piece.asReadOnly();
            region.free(piece);
            RegionStats before = region.stats();

            assertThatThrownBy(() -> region.free(view)).isInstanceOf(IllegalArgumentException.class);

            assertThat(region.stats()).isEqualTo(before);
            assertThat(Invariants.check(region)).isNull();
        }
    }

    /** Whether the two segments share a byte, or (for a zero-length one) one sits inside the other. */
    private static boolean overlaps(MemorySegment a, MemorySegment b) {
        long aEnd = a.address() + Math.max(1, a.byteSize());
        long bEnd = b.address() + Math.max(1, b.byteSize());
        return a.address() < bEnd && b.address() < aEnd;
    }
}
