package dev.regions.bench.peers;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;

/** The seed keeps its list and counts straight through frees at the head, middle and tail. */
class SeedAllocatorTest {

    @Test
    void unlinksFromAnyPlaceAndWalksTheRestAtRelease() {
        try (SeedAllocator seed = new SeedAllocator()) {
            MemorySegment a = (MemorySegment) seed.allocate(16);
            MemorySegment b = (MemorySegment) seed.allocate(32);
            MemorySegment c = (MemorySegment) seed.allocate(64);
            MemorySegment d = (MemorySegment) seed.allocate(128);
            assertThat(seed.ownBytes()).isEqualTo(240 + 4 * SeedAllocator.HEADER);
            seed.free(b);         // middle
            seed.free(d);         // head (the newest unit is first)
            seed.free(a);         // tail
            assertThat(seed.ownBytes()).isEqualTo(64 + SeedAllocator.HEADER);
            assertThat(seed.peakBytes()).isEqualTo(240);
            MemorySegment e = (MemorySegment) seed.allocate(256);
            assertThat(e.byteSize()).isEqualTo(256);
            seed.releaseAll(null, 0);
            assertThat(seed.ownBytes()).isZero();
            assertThat(c.address()).isNotZero();
        }
    }
}
