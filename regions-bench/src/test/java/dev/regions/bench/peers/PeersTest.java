package dev.regions.bench.peers;

import dev.regions.bench.Sizes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every adapter does what the workloads assume: distinct, sized, writable pieces; free and releaseAll work. */
class PeersTest {
    static final List<String> ALL = Peers.ALL;
    static final List<String> FREE_ONE = Peers.FREE_ONE;
    static final List<String> BULK_ONLY = ALL.stream().filter(p -> !Peers.FREE_ONE.contains(p)).toList();

    private static final int PIECES = 300;

    @ParameterizedTest
    @FieldSource("ALL")
    void piecesAreDistinctSizedWritableAndTouched(String peer) {
        int[] sizes = Sizes.small(Sizes.SEED, PIECES);
        try (PieceAllocator allocator = Peers.create(peer)) {
            Object[] pieces = new Object[PIECES];
            for (int round = 0; round < 2; round++) { // the second round runs after a bulk release
                for (int i = 0; i < PIECES; i++) {
                    pieces[i] = allocator.allocate(sizes[i]);
                }
                checkPieces(pieces, sizes);
                allocator.releaseAll(pieces, PIECES);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("FREE_ONE")
    void freedPiecesAreReused(String peer) {
        int[] sizes = Sizes.small(Sizes.SEED, PIECES);
        try (PieceAllocator allocator = Peers.create(peer)) {
            Object[] pieces = new Object[PIECES];
            for (int i = 0; i < PIECES; i++) {
                pieces[i] = allocator.allocate(sizes[i]);
            }
            for (int i = 0; i < PIECES; i += 2) { // free every other piece, allocate them again
                Object old = pieces[i];
                allocator.free(old);
                if (old instanceof Arena arena) {
                    assertThat(arena.scope().isAlive()).isFalse();
                }
                pieces[i] = allocator.allocate(sizes[i]);
            }
            checkPieces(pieces, sizes);
            for (Object piece : pieces) {
                allocator.free(piece);
            }
        }
    }

    @ParameterizedTest
    @FieldSource("BULK_ONLY")
    void bulkOnlyPeersRefuseAFreeAndReleaseAll(String peer) {
        try (PieceAllocator allocator = Peers.create(peer)) {
            Object[] pieces = {allocator.allocate(16), allocator.allocate(256)};
            assertThatThrownBy(() -> allocator.free(pieces[0])).isInstanceOf(UnsupportedOperationException.class);
            allocator.releaseAll(pieces, 2);
            assertThat(allocator.allocate(64)).isNotNull();
        }
    }

    @ParameterizedTest
    @FieldSource("ALL")
    void largePiecesWork(String peer) {
        try (PieceAllocator allocator = Peers.create(peer)) {
            int[] sizes = {Sizes.LARGE_MIN, Sizes.LARGE_MAX};
            Object[] pieces = {allocator.allocate(sizes[0]), allocator.allocate(sizes[1])};
            checkPieces(pieces, sizes);
            allocator.releaseAll(pieces, 2);
        }
    }

    @ParameterizedTest
    @FieldSource("dev.regions.bench.peers.Peers#CALIBRATION")
    void theFloorsHandOutDistinctPiecesAndReuseFreedOnes(String peer) {
        int[] sizes = Sizes.small(Sizes.SEED, PIECES);
        try (PieceAllocator allocator = Peers.create(peer)) {
            Object[] pieces = new Object[PIECES];
            for (int i = 0; i < PIECES; i++) {
                pieces[i] = allocator.allocate(sizes[i]);
            }
            checkPieces(pieces, sizes);
            MemorySegment freed = (MemorySegment) pieces[0];
            allocator.free(freed);
            MemorySegment again = (MemorySegment) allocator.allocate(sizes[0]);
            assertThat(again.address()).isEqualTo(freed.address());
            if (peer.equals(Peers.FLOOR_ZEROING)) {
                assertThat(again.get(JAVA_BYTE, sizes[0] - 1)).as("zeroed again").isZero();
            }
            pieces[0] = again;
            allocator.releaseAll(pieces, PIECES);
        }
    }

    @Test
    void anUnknownPeerIsRefusedByName() {
        assertThatThrownBy(() -> Peers.create("jemalloc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("jemalloc");
    }

    /** Each piece: at least its size, first byte written by allocate, last byte writable; no two overlap. */
    private static void checkPieces(Object[] pieces, int[] sizes) {
        List<MemorySegment> views = new ArrayList<>();
        for (int i = 0; i < pieces.length; i++) {
            assertThat(pieces[i]).isNotNull();
            MemorySegment view = PieceView.of(pieces[i]);
            if (view == null) { // an arena per piece: the JDK guarantees the rest
                assertThat(((Arena) pieces[i]).scope().isAlive()).isTrue();
                continue;
            }
            assertThat(view.byteSize()).isGreaterThanOrEqualTo(sizes[i]);
            assertThat(view.get(JAVA_BYTE, 0)).isEqualTo((byte) 1);
            view.set(JAVA_BYTE, sizes[i] - 1, (byte) 7);
            assertThat(view.get(JAVA_BYTE, sizes[i] - 1)).isEqualTo((byte) 7);
            views.add(view.asSlice(0, sizes[i]));
        }
        views.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < views.size(); i++) {
            MemorySegment before = views.get(i - 1);
            assertThat(views.get(i).address())
                    .as("piece at %x overlaps the one before", views.get(i).address())
                    .isGreaterThanOrEqualTo(before.address() + before.byteSize());
        }
    }
}
