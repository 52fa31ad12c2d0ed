package dev.regions;

import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Region#reallocate}: C's realloc for a live piece. Contents kept up to the smaller size,
 * new bytes zeroed, in place when the size class allows, else moved; a refusal changes nothing
 * (guarantees 2 and 3).
 */
class ReallocateTest {

    private static void fill(MemorySegment piece) {
        for (long i = 0; i < piece.byteSize(); i++) {
            piece.set(JAVA_BYTE, i, (byte) (i * 31 + 7));
        }
    }

    private static void assertKept(MemorySegment piece, long upTo) {
        for (long i = 0; i < upTo; i++) {
            assertThat(piece.get(JAVA_BYTE, i)).as("byte %d", i).isEqualTo((byte) (i * 31 + 7));
        }
    }

    @ParameterizedTest(name = "{0} -> {1} bytes, shared={2}")
    @CsvSource({"24,30,false", "24,30,true", "24,200,false", "200,24,true", "300,310,false", "300,5000,true",
            "5000,20000,false", "20000,20400,true", "20000,30000,false", "100000,50000,true", "100000,1000,false",
            "1,8192,true", "8192,8193,false"})
    void keepsTheBytesAndZeroesTheRest(long from, long to, boolean shared) {
        try (Region region = Region.builder().shared(shared).build()) {
            MemorySegment other = region.allocate(64);
            MemorySegment piece = region.allocate(from);
            fill(piece);

            MemorySegment resized = region.reallocate(piece, to);

            assertThat(resized.byteSize()).isEqualTo(to);
            assertKept(resized, Math.min(from, to));
            for (long i = from; i < to; i++) {
                assertThat(resized.get(JAVA_BYTE, i)).as("new byte %d", i).isZero();
            }
            assertThat(region.stats().liveBytes()).isEqualTo(64 + to);
            assertThat(region.stats().liveCount()).isEqualTo(2);
            MemorySegment found = region.pieceAt(resized.address());
            assertThat(found.byteSize()).isEqualTo(to);
            assertThat(found.scope()).isEqualTo(resized.scope());
            region.free(resized);
            region.free(other);
            assertThat(region.stats().liveBytes()).isZero();
        }
    }

    @Test
    void aPieceGrowsInPlaceWithinItsSizeClassAndMovesBeyond() {
        try (Region region = Region.builder().checked(false).build()) {
            MemorySegment piece = region.allocate(20);
            MemorySegment same = region.reallocate(piece, 32);
            assertThat(same.address()).isEqualTo(piece.address());
            assertThat(same.scope()).isEqualTo(piece.scope());
            assertThatThrownBy(() -> region.free(piece)).as("only the returned segment is the piece")
                    .isInstanceOf(IllegalArgumentException.class);

            MemorySegment moved = region.reallocate(same, 33);
            assertThat(moved.address()).isNotEqualTo(piece.address());
            RegionStats stats = region.stats();
            assertThat(stats.allocations()).as("in place counts nothing, a move one of each").isEqualTo(2);
            assertThat(stats.frees()).isEqualTo(1);

            MemorySegment large = region.allocate(20_000);
            assertThat(region.reallocate(large, 20_400).address()).as("its block holds it").isEqualTo(large.address());
            assertThat(region.reallocate(region.pieceAt(large.address()), 24_000).address()).as("it does not")
                    .isNotEqualTo(large.address());
        }
    }

    @Test
    void newBytesInPlaceAreZeroEvenWhereAFreedPieceWrote() {
        try (Region region = Region.builder().checked(false).build()) {
            MemorySegment dirty = region.allocate(32);
            dirty.fill((byte) -1);
            region.free(dirty);
            MemorySegment piece = region.allocate(17); // the same place
            assertThat(piece.address()).isEqualTo(dirty.address());

            MemorySegment grown = region.reallocate(piece, 32);

            for (long i = 17; i < 32; i++) {
                assertThat(grown.get(JAVA_BYTE, i)).isZero();
            }
        }
    }

    @Test
    void aCheckedPieceAlwaysMovesAndItsOldScopeEnds() {
        try (Region region = Region.builder().checked(true).build()) {
            MemorySegment piece = region.allocate(20);
            fill(piece);

            MemorySegment moved = region.reallocate(piece, 24);

            assertKept(moved, 20);
            assertThat(piece.scope().isAlive()).isFalse();
            assertThat(moved.scope()).isNotEqualTo(piece.scope());
            assertThat(region.livePieces()).hasSize(1);
            region.verify();
        }
    }

    @Test
    void aCheckedPieceWithADamagedGuardIsReportedAndLeftAsItWas() {
        try (Region region = Region.builder().checked(true).build()) {
            MemorySegment piece = region.allocate(20);
            piece.reinterpret(21).set(JAVA_BYTE, 20, (byte) 1); // an overrun

            assertThatThrownBy(() -> region.reallocate(piece, 40)).isInstanceOf(MemoryCorruptionException.class);

            assertThat(piece.scope().isAlive()).isTrue();
            assertThat(region.stats().liveBytes()).isEqualTo(20);
            piece.reinterpret(21).set(JAVA_BYTE, 20, (byte) 0xFD);
            region.free(piece);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void theLimitCountsOnlyTheGrowth(boolean shared) {
        try (Region region = Region.builder().shared(shared).limit(1000).build()) {
            MemorySegment piece = region.allocate(600);
            fill(piece);

            MemorySegment moved = region.reallocate(piece, 1000); // moves: both copies for a moment
            assertThat(region.stats().liveBytes()).isEqualTo(1000);

            RegionStats before = region.stats();
            assertThatThrownBy(() -> region.reallocate(moved, 1001)).isInstanceOf(LimitExceededException.class);
            assertThat(region.stats()).isEqualTo(before);
            assertKept(moved, 600);
            MemorySegment small = region.reallocate(moved, 10);
            assertThat(region.stats().liveBytes()).isEqualTo(10);
            region.free(small);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aSourceOutOfMemoryLeavesThePieceLive(boolean shared) {
        TrackingSource source = new TrackingSource().failAt(2);
        try (Region region = Region.builder().shared(shared).source(source).build()) {
            MemorySegment piece = region.allocate(64);
            fill(piece);
            RegionStats before = region.stats();

            assertThatThrownBy(() -> region.reallocate(piece, 50_000)).isInstanceOf(OutOfMemoryError.class);

            assertThat(region.stats()).isEqualTo(before);
            assertKept(piece, 64);
            region.free(piece);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void misuseIsRefusedAndChangesNothing(boolean shared) {
        try (Region region = Region.builder().name("realloc").shared(shared).build();
                Region other = Region.builder().shared(shared).build()) {
            MemorySegment piece = region.allocate(64);
            MemorySegment freed = region.allocate(64);
            region.free(freed);
            MemorySegment foreign = other.allocate(64);
            RegionStats before = region.stats();

            assertThatThrownBy(() -> region.reallocate(piece, -1)).isInstanceOf(IllegalArgumentException.class);
            for (MemorySegment bad : List.of(piece.asSlice(16), piece.asReadOnly(), freed, foreign,
                    MemorySegment.ofArray(new byte[8]))) {
                assertThatThrownBy(() -> region.reallocate(bad, 128)).as(bad.toString())
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'realloc'");
            }
            assertThatThrownBy(() -> region.reallocate(null, 1)).isInstanceOf(NullPointerException.class);
            assertThat(region.stats()).isEqualTo(before);
            assertThat(region.reallocate(piece, 64)).isSameAs(piece);
        }
    }

    @Test
    void nullAllocatesAndZeroGivesAZeroLengthPiece() {
        try (Region region = Region.ofConfined()) {
            MemorySegment piece = region.reallocate(MemorySegment.NULL, 40);
            assertThat(piece.byteSize()).isEqualTo(40);

            MemorySegment empty = region.reallocate(piece, 0);

            assertThat(empty.byteSize()).isZero();
            assertThat(region.stats().liveCount()).isEqualTo(1);
            assertThat(region.stats().liveBytes()).isZero();
            MemorySegment back = region.reallocate(empty, 8);
            region.free(back);
            assertThat(region.stats().liveCount()).isZero();
        }
    }

    @Test
    void aBumpRegionRefuses() {
        try (Region region = Region.builder().bump(true).build()) {
            MemorySegment piece = region.allocate(64);

            assertThatThrownBy(() -> region.reallocate(piece, 128)).isInstanceOf(UnsupportedOperationException.class);
        }
    }

    @Test
    void closedAndWrongThread() throws InterruptedException, ExecutionException {
        Region region = Region.ofConfined();
        MemorySegment piece = region.allocate(64);
        Throwable thrown = CompletableFuture.supplyAsync(() -> {
            try {
                region.reallocate(piece, 128);
                return null;
            } catch (Throwable e) {
                return e;
            }
        }).get();
        assertThat(thrown).isInstanceOf(WrongThreadException.class);
        region.close();
        assertThatThrownBy(() -> region.reallocate(piece, 128)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void threadsReallocatingTheirPiecesInASharedRegion() throws InterruptedException, ExecutionException {
        try (Region region = Region.builder().shared(true).limit(1 << 20).build()) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                all.add(CompletableFuture.runAsync(() -> {
                    MemorySegment piece = region.allocate(8);
                    for (int i = 1; i < 300; i++) {
                        piece = region.reallocate(piece, (i * 97L) % 20_000 + 1);
                    }
                    region.free(piece);
                }));
            }
            for (CompletableFuture<Void> f : all) {
                f.get();
            }
            assertThat(region.stats().liveBytes()).isZero();
            assertThat(region.stats().liveCount()).isZero();
        }
    }
}
