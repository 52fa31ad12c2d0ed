package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Zero-length pieces are live pieces that {@code free} must tell apart from the empty slice at
 * the end of another piece: two segments with the same address, size and scope are equal, so a
 * zero-length piece must never start where another piece ends.
 */
class ZeroLengthPieceTest {

    @ParameterizedTest(name = "alignment {0}")
    @ValueSource(longs = {1, 16, 32, 64, 4096, 8192, 65536})
    void noZeroLengthPieceStartsWhereAnotherPieceEnds(long alignment) {
        try (Region region = Region.ofConfined()) {
            List<MemorySegment> full = new ArrayList<>();
            List<MemorySegment> empty = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                long size = List.of(16L, 32L, 64L, 4096L, 8192L, 20_000L).get(i % 6);
                full.add(region.allocate(size, Math.min(alignment, 4096)));
                MemorySegment zero = region.allocate(0, alignment);
                assertThat(zero.address() % Math.max(16, alignment)).isZero();
                empty.add(zero);
            }
            Set<Long> ends = new HashSet<>();
            full.forEach(p -> ends.add(p.address() + p.byteSize()));
            assertThat(empty).noneMatch(z -> ends.contains(z.address()));

            RegionStats before = region.stats();
            for (MemorySegment p : full) {
                assertThatThrownBy(() -> region.free(p.asSlice(p.byteSize())))
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThat(region.stats()).isEqualTo(before);
            empty.forEach(region::free);
            full.forEach(region::free);
            assertThat(region.stats().liveCount()).isZero();
            assertThat(Invariants.check(region)).isNull();
        }
    }
}
