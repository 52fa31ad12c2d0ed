package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A piece from before a reset must be refused by {@code free} both before its memory is carved
 * again (the directory still points at its old page) and after (a new page sits at its address).
 */
class StalePieceTest {

    @ParameterizedTest
    @ValueSource(longs = {0, 24, 300, 8192, 20_000, 1 << 20})
    void freeOfAPieceFromBeforeAResetIsRefusedAndChangesNothing(long size) {
        try (Region region = Region.ofConfined()) {
            MemorySegment stale = region.allocate(size);
            region.reset();
            RegionStats afterReset = region.stats();

            assertThatThrownBy(() -> region.free(stale))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("ended generation");
            assertThat(region.stats()).isEqualTo(afterReset);

            MemorySegment fresh = region.allocate(size); // same size: likely the same address again
            assertThatThrownBy(() -> region.free(stale)).isInstanceOf(IllegalArgumentException.class);
            assertThat(region.stats().liveCount()).isEqualTo(1);
            region.free(fresh);
            assertThat(Invariants.check(region)).isNull();
        }
    }
}
