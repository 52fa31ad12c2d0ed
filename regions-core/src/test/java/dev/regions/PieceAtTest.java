package dev.regions;

import dev.regions.internal.Invariants;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Region#pieceAt}: the live piece that starts at an address, as {@code allocate} returned
 * it (size and scope), so that an address native code gave back can be freed; everything else is
 * refused with {@link IllegalArgumentException} and changes nothing (guarantee 2).
 */
class PieceAtTest {

    private static Region region(boolean shared) {
        return Region.builder().name("piece-at").shared(shared).build();
    }

    private static void assertSamePiece(MemorySegment found, MemorySegment piece) {
        assertThat(found.address()).isEqualTo(piece.address());
        assertThat(found.byteSize()).isEqualTo(piece.byteSize());
        assertThat(found.scope()).isEqualTo(piece.scope());
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void findsEveryLivePieceWithItsSizeAndScope(boolean shared) {
        try (Region region = region(shared)) {
            long[] sizes = {1, 16, 24, 254, 255, 256, 300, 5000, 8192, 8193, 20_000, 100_000};
            MemorySegment[] pieces = new MemorySegment[sizes.length];
            for (int i = 0; i < sizes.length; i++) {
                pieces[i] = region.allocate(sizes[i]);
            }
            MemorySegment aligned = region.allocate(100, 8192);
            for (MemorySegment piece : pieces) {
                assertSamePiece(region.pieceAt(piece.address()), piece);
            }
            assertSamePiece(region.pieceAt(aligned.address()), aligned);
            if (Invariants.CHECKED) {
                assertThat(region.pieceAt(pieces[3].address())).as("the checked piece itself").isSameAs(pieces[3]);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void freeOfThePieceFoundFreesIt(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment small = region.allocate(40);
            MemorySegment large = region.allocate(50_000);
            small.set(JAVA_LONG, 0, 7);

            assertThat(region.pieceAt(small.address()).get(JAVA_LONG, 0)).isEqualTo(7);
            region.free(region.pieceAt(small.address()));
            region.free(region.pieceAt(large.address()));

            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().liveBytes()).isZero();
            assertThatThrownBy(() -> region.free(small)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void findsZeroLengthPieces(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment before = region.allocate(32);
            MemorySegment empty = region.allocate(0);
            MemorySegment after = region.allocate(32);

            assertSamePiece(region.pieceAt(empty.address()), empty);
            region.free(region.pieceAt(empty.address()));
            assertThat(region.stats().liveCount()).isEqualTo(2);
            assertSamePiece(region.pieceAt(before.address()), before);
            assertSamePiece(region.pieceAt(after.address()), after);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void refusesEveryAddressWhereNoLivePieceStarts(boolean shared) {
        try (Region region = region(shared); Region other = region(shared); Arena arena = Arena.ofConfined()) {
            MemorySegment piece = region.allocate(64);
            MemorySegment large = region.allocate(30_000);
            MemorySegment freed = region.allocate(100);
            region.free(freed);
            MemorySegment others = other.allocate(64);
            RegionStats before = region.stats();

            for (long address : new long[] {0, arena.allocate(64).address(), piece.address() + 16, piece.address() + 1,
                    large.address() + 4096, freed.address(), others.address()}) {
                assertThatThrownBy(() -> region.pieceAt(address)).as("0x%x", address)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("'piece-at'").hasMessageContaining(Long.toHexString(address));
            }
            assertThat(region.stats()).isEqualTo(before);
            assertSamePiece(other.pieceAt(others.address()), others);
        }
    }

    @Test
    void aResetEndsThePiecesItFinds() {
        try (Region region = region(false)) {
            MemorySegment piece = region.allocate(64);
            region.reset();

            assertThatThrownBy(() -> region.pieceAt(piece.address())).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void findsMergedPiecesBoundToTheirOwnGeneration(boolean shared) {
        try (Region dst = region(shared); Region src = region(shared)) {
            MemorySegment own = dst.allocate(48);
            MemorySegment moved = src.allocate(48);
            MemorySegment freed = src.allocate(48);
            MemorySegment movedLarge = src.allocate(40_000);
            src.free(freed);
            dst.merge(src);
            MemorySegment fresh = dst.allocate(48); // may take the freed place, in dst's generation
            MemorySegment carvedOn = src.allocate(48); // src carves on in the block dst shares

            assertSamePiece(dst.pieceAt(own.address()), own);
            assertSamePiece(dst.pieceAt(moved.address()), moved);
            assertSamePiece(dst.pieceAt(movedLarge.address()), movedLarge);
            assertSamePiece(dst.pieceAt(fresh.address()), fresh);
            assertSamePiece(src.pieceAt(carvedOn.address()), carvedOn);
            assertThatThrownBy(() -> src.pieceAt(moved.address())).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> dst.pieceAt(carvedOn.address())).isInstanceOf(IllegalArgumentException.class);

            dst.free(dst.pieceAt(moved.address()));
            dst.free(dst.pieceAt(fresh.address()));
            src.free(src.pieceAt(carvedOn.address()));
            assertThat(dst.stats().liveCount()).isEqualTo(2);
            assertThat(src.stats().liveCount()).isZero();
        }
    }

    @Test
    void aBumpRegionsPiecesHaveNoRecordToFind() {
        try (Region region = Region.builder().bump(true).build()) {
            MemorySegment piece = region.allocate(64);

            assertThatThrownBy(() -> region.pieceAt(piece.address())).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aCheckedRegionRefusesItsGuardZones() {
        try (Region region = Region.builder().checked(true).build()) {
            MemorySegment piece = region.allocate(64);

            assertThat(region.pieceAt(piece.address())).isSameAs(piece);
            assertThatThrownBy(() -> region.pieceAt(piece.address() - 16))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("guard zone");
            region.free(region.pieceAt(piece.address()));
            assertThat(piece.scope().isAlive()).as("the checked piece's own scope ended").isFalse();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aClosedRegionThrowsIllegalState(boolean shared) {
        Region region = region(shared);
        long address = region.allocate(64).address();
        region.close();

        assertThatThrownBy(() -> region.pieceAt(address)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aConfinedRegionRefusesOtherThreads() throws InterruptedException, ExecutionException {
        try (Region region = region(false)) {
            long address = region.allocate(64).address();

            Throwable thrown = CompletableFuture.supplyAsync(() -> {
                try {
                    region.pieceAt(address);
                    return null;
                } catch (Throwable e) {
                    return e;
                }
            }).get();
            assertThat(thrown).isInstanceOf(WrongThreadException.class);
        }
    }

    @Test
    void aSharedRegionAnswersAnyThread() throws InterruptedException, ExecutionException {
        try (Region region = region(true)) {
            MemorySegment piece = region.allocate(64);

            MemorySegment found = CompletableFuture.supplyAsync(() -> region.pieceAt(piece.address())).get();
            assertSamePiece(found, piece);
            CompletableFuture.runAsync(() -> region.free(region.pieceAt(piece.address()))).get();
            assertThat(region.stats().liveCount()).isZero();
        }
    }
}
