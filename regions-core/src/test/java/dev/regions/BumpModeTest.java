package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bump mode: pieces back to back, no single free, everything else as in any region. */
class BumpModeTest {

    private static Region bump(boolean shared) {
        return Region.builder().bump(true).shared(shared).build();
    }

    private static void assertValid(Region region) {
        assertThat(Invariants.check(region)).isNull();
    }

    @ParameterizedTest(name = "shared {0}")
    @ValueSource(booleans = {false, true})
    void piecesAreZeroedAlignedAndDisjointAndTheFiguresExact(boolean shared) {
        try (Region region = bump(shared)) {
            Random random = new Random(1);
            List<MemorySegment> pieces = new ArrayList<>();
            long bytes = 0;
            for (int i = 0; i < 20_000; i++) {
                long size = random.nextInt(20) == 0 ? 100_000 : random.nextInt(300);
                long alignment = 1L << random.nextInt(13);
                MemorySegment piece = region.allocate(size, alignment);
                assertThat(piece.byteSize()).isEqualTo(size);
                assertThat(piece.address() % Math.max(16, alignment)).isZero();
                assertThat(piece.toArray(ValueLayout.JAVA_BYTE)).as("zeroed").doesNotContain((byte) 0x5A);
                piece.fill((byte) 0x5A); // garbage for the next piece to find if it were not zeroed
                pieces.add(piece);
                bytes += size;
            }
            List<MemorySegment> byAddress = new ArrayList<>(pieces);
            byAddress.sort(Comparator.comparingLong(MemorySegment::address));
            for (int i = 1; i < byAddress.size(); i++) {
                MemorySegment before = byAddress.get(i - 1);
                assertThat(byAddress.get(i).address()).isGreaterThanOrEqualTo(before.address() + before.byteSize());
            }
            RegionStats stats = region.stats();
            assertThat(stats.liveBytes()).isEqualTo(bytes);
            assertThat(stats.liveCount()).isEqualTo(20_000);
            assertThat(stats.allocations()).isEqualTo(20_000);
            assertThat(stats.grossBytes()).isGreaterThanOrEqualTo(bytes);
            assertValid(region);
        }
    }

    @ParameterizedTest(name = "shared {0}")
    @ValueSource(booleans = {false, true})
    void freeIsUnsupportedAndChangesNothing(boolean shared) {
        try (Region region = bump(shared)) {
            MemorySegment small = region.allocate(40);
            MemorySegment large = region.allocate(50_000);
            RegionStats before = region.stats();
            for (MemorySegment piece : List.of(small, large, small.asSlice(8), MemorySegment.ofArray(new byte[4]))) {
                assertThatThrownBy(() -> region.free(piece))
                        .isInstanceOf(UnsupportedOperationException.class)
                        .hasMessageContaining("bump mode");
            }
            assertThat(region.stats()).isEqualTo(before);
            small.set(ValueLayout.JAVA_BYTE, 0, (byte) 1); // still live
            region.free(MemorySegment.NULL); // the original's tolerance of NULL
            assertThatThrownBy(() -> region.free(null)).isInstanceOf(NullPointerException.class);
            assertValid(region);
        }
    }

    @Test
    void resetReleasesEverythingAtOnceAndTheChunksServeAgain() {
        try (Region region = bump(false)) {
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                pieces.add(region.allocate(16 + i % 241));
            }
            pieces.forEach(p -> p.fill((byte) 0x5A));
            long gross = region.stats().grossBytes();
            region.reset();
            assertThat(region.stats().liveBytes()).isZero();
            assertThat(region.stats().liveCount()).isZero();
            assertThatThrownBy(() -> pieces.get(0).get(ValueLayout.JAVA_BYTE, 0))
                    .isInstanceOf(IllegalStateException.class);
            for (int i = 0; i < 10_000; i++) {
                MemorySegment piece = region.allocate(16 + i % 241);
                assertThat(piece.toArray(ValueLayout.JAVA_BYTE)).as("zeroed").doesNotContain((byte) 0x5A);
            }
            assertThat(region.stats().grossBytes()).as("the same blocks, reused").isEqualTo(gross);
            assertValid(region);
        }
    }

    @Test
    void aLimitCapsABumpRegion() {
        try (Region region = Region.builder().bump(true).limit(1000).build()) {
            region.allocate(600);
            RegionStats before = region.stats();
            assertThatThrownBy(() -> region.allocate(401)).isInstanceOf(LimitExceededException.class);
            assertThat(region.stats()).isEqualTo(before);
            region.allocate(400);
            assertThat(region.stats().liveBytes()).isEqualTo(1000);
        }
    }

    @Test
    void bumpPiecesMergedIntoAnOrdinaryRegionLiveThereAndCannotBeFreedAlone() {
        try (Region ordinary = Region.ofConfined()) {
            Region scratch = bump(false);
            MemorySegment kept = scratch.allocate(100);
            kept.set(ValueLayout.JAVA_LONG, 0, 42);
            ordinary.mergeAndClose(scratch);

            assertThat(kept.get(ValueLayout.JAVA_LONG, 0)).isEqualTo(42);
            assertThat(ordinary.stats().liveBytes()).isEqualTo(100);
            assertThatThrownBy(() -> ordinary.free(kept))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("bump region");
            // The ordinary region carves its pieces from the merged block's room.
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                pieces.add(ordinary.allocate(16 + i % 241));
            }
            pieces.forEach(ordinary::free);
            assertThat(ordinary.stats().liveBytes()).isEqualTo(100);
            assertValid(ordinary);
        }
    }

    @Test
    void anOrdinaryRegionMergedIntoABumpRegionKeepsItsPiecesUntilReset() {
        try (Region scratch = bump(false)) {
            Region ordinary = Region.ofConfined();
            MemorySegment piece = ordinary.allocate(64);
            scratch.allocate(32);
            scratch.merge(ordinary);
            ordinary.close();
            assertThat(scratch.stats().liveBytes()).isEqualTo(96);
            piece.set(ValueLayout.JAVA_BYTE, 63, (byte) 1);
            assertValid(scratch);
            scratch.reset();
            assertThat(scratch.stats().liveBytes()).isZero();
            assertThatThrownBy(() -> piece.get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            assertValid(scratch);
        }
    }

    @Test
    void aTemplateHandsOnBumpMode() {
        try (Region template = bump(false); Region copy = Region.builder(template).build()) {
            MemorySegment piece = copy.allocate(8);
            assertThatThrownBy(() -> copy.free(piece)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void threadsShareABumpRegion() throws Exception {
        try (Region region = bump(true); ExecutorService pool = Executors.newFixedThreadPool(4)) {
            List<Future<Long>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long stamp = t + 1;
                results.add(pool.submit(() -> {
                    List<MemorySegment> mine = new ArrayList<>();
                    long bytes = 0;
                    for (int i = 0; i < 20_000; i++) {
                        MemorySegment piece = region.allocate(8 + i % 100);
                        piece.set(ValueLayout.JAVA_LONG_UNALIGNED, 0, stamp);
                        mine.add(piece);
                        bytes += piece.byteSize();
                    }
                    for (MemorySegment piece : mine) {
                        assertThat(piece.get(ValueLayout.JAVA_LONG_UNALIGNED, 0)).isEqualTo(stamp);
                    }
                    return bytes;
                }));
            }
            long total = 0;
            for (Future<Long> f : results) {
                total += f.get();
            }
            assertThat(region.stats().liveBytes()).isEqualTo(total);
            assertValid(region);
        }
    }
}
