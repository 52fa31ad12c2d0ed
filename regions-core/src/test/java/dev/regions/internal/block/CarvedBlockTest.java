package dev.regions.internal.block;

import dev.regions.MemorySource;
import dev.regions.internal.lane.Views;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CarvedBlock} directly: carving hands out consecutive units, honours alignment and offset,
 * and refuses (changing nothing) when there is no room; with zeroing on, carved units read zero
 * even after the block was dirtied and rewound; the code table records exact sizes (direct codes
 * for 1..254 bytes, escapes for 0 and 255 and up), and after a rewind no stale code reads as live
 * once its unit is carved again.
 */
class CarvedBlockTest {

    private static final byte GARBAGE = (byte) 0x5A;

    private Arena arena;

    @BeforeEach
    void openArena() {
        arena = Arena.ofConfined();
    }

    @AfterEach
    void closeArena() {
        arena.close();
    }

    /** A block of {@code bytes} (a multiple of 4 KiB) of fresh, zeroed memory, as a zeroing source gives it. */
    private CarvedBlock block(long bytes) {
        return block(bytes, true);
    }

    private CarvedBlock block(long bytes, boolean sourceZeroes) {
        MemorySegment memory = arena.allocate(bytes, 4096);
        if (!sourceZeroes) {
            memory.fill(GARBAGE); // what malloc may give
        }
        Lease lease = new Lease(MemorySource.jdk(), memory, bytes, new Ledger());
        return new CarvedBlock(lease, 0, sourceZeroes);
    }

    /** The block's memory as a lane's view of it (see {@link Views}). */
    @SuppressWarnings("restricted") // tests run with native access, as the library does
    private MemorySegment view(CarvedBlock block) {
        return MemorySegment.ofAddress(block.base).reinterpret(block.byteSize, arena, null);
    }

    private static MemorySegment units(MemorySegment view, int unit, int count) {
        return view.asSlice((long) unit * SizeClasses.UNIT, (long) count * SizeClasses.UNIT);
    }

    /** The offset of the first non-zero byte of {@code segment}, or -1. */
    private static boolean isLive(CarvedBlock block, int unit, long byteSize) {
        return block.liveSizeAt(unit) == byteSize;
    }

    private static long firstNonZero(MemorySegment segment) {
        for (long i = 0; i < segment.byteSize(); i++) {
            if (segment.get(ValueLayout.JAVA_BYTE, i) != 0) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------ carving

    @Test
    void carvesConsecutiveUnits() {
        CarvedBlock block = block(4096);
        MemorySegment view = view(block);
        assertThat(block.units).isEqualTo(256);
        assertThat(block.room()).isEqualTo(256);
        assertThat(block.carve(1, 1, 0, true, view)).isZero();
        assertThat(block.carve(3, 1, 0, true, view)).isEqualTo(1);
        assertThat(block.carve(20, 1, 0, true, view)).isEqualTo(4);
        assertThat(block.carve(512 / 16, 1, 0, true, view)).isEqualTo(24);
        assertThat(block.top).isEqualTo(56);
        assertThat(block.room()).isEqualTo(200);
    }

    @Test
    void honoursAlignment() {
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        assertThat(block.carve(1, 1, 0, true, view)).isZero();
        assertThat(block.carve(2, 8, 0, true, view)).isEqualTo(8);
        assertThat(block.carve(1, 4, 0, true, view)).isEqualTo(12);
        assertThat(block.carve(1, 4, 0, true, view)).isEqualTo(16); // 13 is taken up to 16
        int page = block.carve(20, 256, 0, true, view); // 4 KiB-aligned
        assertThat(page).isEqualTo(256);
        assertThat((block.base + (long) page * SizeClasses.UNIT) % 4096).isZero();
        assertThat(block.top).isEqualTo(276);
        // Already aligned: no padding.
        assertThat(block.carve(4, 4, 0, true, view)).isEqualTo(276);
    }

    @Test
    void honoursTheOffset() {
        CarvedBlock block = block(8192);
        MemorySegment view = view(block);
        block.carve(1, 1, 0, true, view);
        // Two units such that the second is on a multiple of 4 (a zero-length piece's layout).
        int unit = block.carve(2, 4, 1, true, view);
        assertThat(unit).isEqualTo(3);
        assertThat((unit + 1) % 4).isZero();
        assertThat(block.top).isEqualTo(5);
        unit = block.carve(2, 4, 1, true, view);
        assertThat(unit).isEqualTo(7);
        assertThat(block.top).isEqualTo(9);
        unit = block.carve(2, 256, 1, true, view);
        assertThat(unit).isEqualTo(255);
        assertThat(block.top).isEqualTo(257);
        // An offset whose aligned unit is the very first one.
        CarvedBlock fresh = block(4096);
        assertThat(fresh.carve(2, 1, 1, true, view(fresh))).isZero();
    }

    @Test
    void refusesWhenThereIsNoRoomAndChangesNothing() {
        CarvedBlock block = block(4096);
        MemorySegment view = view(block);
        assertThat(block.carve(200, 1, 0, true, view)).isZero();
        block.markLive(0, 3000);
        int prepared = block.prepared();
        int codeDirty = block.codeDirty();

        assertThat(block.carve(57, 1, 0, true, view)).isEqualTo(-1);
        assertThat(block.carve(1, 256, 0, true, view)).as("aligned past the end").isEqualTo(-1);
        assertThat(block.carve(50, 64, 0, true, view)).as("room, but not once aligned").isEqualTo(-1);
        assertThat(block.carve(Integer.MAX_VALUE, 1, 0, true, view)).as("overflowing").isEqualTo(-1);

        assertThat(block.top).isEqualTo(200);
        assertThat(block.room()).isEqualTo(56);
        assertThat(block.prepared()).isEqualTo(prepared);
        assertThat(block.codeDirty()).isEqualTo(codeDirty);
        assertThat(block.liveSizeAt(0)).isEqualTo(3000);
        // What is left is still there, to the last unit.
        assertThat(block.carve(56, 1, 0, true, view)).isEqualTo(200);
        assertThat(block.room()).isZero();
        assertThat(block.carve(1, 1, 0, true, view)).isEqualTo(-1);
        assertThat(block.top).isEqualTo(256);
    }

    @Test
    void hasPreparedTellsHowFarThePointerMayBeBumpedWithoutCarve() {
        CarvedBlock block = block(4096);
        MemorySegment view = view(block);
        assertThat(block.hasPrepared(1)).as("nothing is prepared before the first carve").isFalse();
        block.carve(1, 1, 0, true, view);
        int ahead = block.prepared() - block.top;
        assertThat(ahead).isPositive();
        assertThat(block.hasPrepared(ahead)).isTrue();
        assertThat(block.hasPrepared(ahead + 1)).isFalse();
        assertThat(block.prepared()).isLessThanOrEqualTo(block.units);
        block.rewind(0);
        assertThat(block.hasPrepared(1)).as("a rewind unprepares").isFalse();
    }

    // ------------------------------------------------------------------ zeroing

    @Test
    void carvedUnitsReadZeroAfterTheBlockWasDirtiedAndRewound() {
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        while (block.carve(37, 1, 0, true, view) >= 0) {
            // carve it all, through several prepared spans
        }
        view.fill(GARBAGE); // every byte handed out, and written by the pieces' holders

        block.rewind(0);

        int[] sizes = {1, 16, 3, 20, 512, 7, 64, 1, 2, 200};
        int carved = 0;
        for (int i = 0; ; i++) {
            int count = sizes[i % sizes.length];
            int unit = block.carve(count, i % 3 == 0 ? 4 : 1, 0, true, view);
            if (unit < 0) {
                break;
            }
            assertThat(firstNonZero(units(view, unit, count))).as("piece %d: %d units at unit %d", i, count, unit)
                    .isEqualTo(-1);
            carved += count;
        }
        assertThat(carved).as("units carved again").isGreaterThan(800);
    }

    @Test
    void carvedUnitsReadZeroOnMemoryTheSourceDidNotZero() {
        CarvedBlock block = block(8192, false);
        MemorySegment view = view(block);
        for (int unit; (unit = block.carve(5, 1, 0, true, view)) >= 0; ) {
            assertThat(firstNonZero(units(view, unit, 5))).as("5 units at unit %d", unit).isEqualTo(-1);
        }
    }

    @Test
    void carvedUnitsReadZeroAfterARewindToAMark() {
        CarvedBlock block = block(8192);
        MemorySegment view = view(block);
        while (block.carve(10, 1, 0, true, view) >= 0) {
            // carve it all
        }
        view.fill(GARBAGE);
        block.mark = 100;

        block.rewind(block.mark);

        assertThat(block.top).isEqualTo(100);
        for (int unit; (unit = block.carve(3, 1, 0, true, view)) >= 0; ) {
            assertThat(unit).isGreaterThanOrEqualTo(100);
            assertThat(firstNonZero(units(view, unit, 3))).as("3 units at unit %d", unit).isEqualTo(-1);
        }
        // The units below the mark belong to other holders: carving above it must not touch them.
        MemorySegment below = units(view, 0, 100);
        for (long i = 0; i < below.byteSize(); i++) {
            assertThat(below.get(ValueLayout.JAVA_BYTE, i)).as("byte %d below the mark", i).isEqualTo(GARBAGE);
        }
    }

    @Test
    void aPieceAlignedPastThePreparedSpanReadsZero() {
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        while (block.carve(64, 1, 0, true, view) >= 0) {
            // carve it all
        }
        view.fill(GARBAGE);
        block.rewind(0);
        block.carve(1, 1, 0, true, view);
        int unit = block.carve(512, 512, 0, true, view); // far past the first prepared span
        assertThat(unit).isEqualTo(512);
        assertThat(firstNonZero(units(view, unit, 512))).isEqualTo(-1);
    }

    @Test
    void unitsTakenByBumpingThePointerOverThePreparedSpanReadZero() {
        CarvedBlock block = block(8192);
        MemorySegment view = view(block);
        while (block.carve(16, 1, 0, true, view) >= 0) {
            // carve it all
        }
        view.fill(GARBAGE);
        block.rewind(0);
        int total = 0;
        for (int i = 0; i < 100 && total < block.units; i++) {
            // The lane's fast path: bump over prepared units, or carve (which prepares) if none are.
            int unit;
            if (block.hasPrepared(3)) {
                unit = block.top;
                block.top = unit + 3;
            } else {
                unit = block.carve(3, 1, 0, true, view);
                assertThat(unit).isNotNegative();
            }
            assertThat(firstNonZero(units(view, unit, 3))).as("3 units at unit %d", unit).isEqualTo(-1);
            total += 3;
        }
        assertThat(total).isEqualTo(300);
    }

    // ------------------------------------------------------------------ codes

    @Test
    void directCodesRecordSizesOf1To254Bytes() {
        CarvedBlock block = block(8192);
        MemorySegment view = view(block);
        block.carve(block.units, 1, 0, true, view);
        for (int size = 1; size <= 254; size++) {
            int unit = size + 1;
            assertThat(block.liveSizeAt(unit)).isEqualTo(-1);
            block.markLive(unit, size);
            assertThat(isLive(block, unit, size)).as("isLiveSmall(%d)", size).isTrue();
            assertThat(block.liveSizeAt(unit)).as("liveSizeAt after markLive(%d)", size).isEqualTo(size);
            if (size > 1) {
                assertThat(isLive(block, unit, size - 1)).isFalse();
            }
            if (size < 254) {
                assertThat(isLive(block, unit, size + 1)).isFalse();
            }
        }
        for (int size = 1; size <= 254; size++) {
            int unit = size + 1;
            assertThat(block.liveSizeAt(unit)).as("size %d, after the others were marked", size).isEqualTo(size);
            block.markFree(unit);
            assertThat(block.liveSizeAt(unit)).isEqualTo(-1);
            assertThat(isLive(block, unit, size)).isFalse();
        }
        assertThat(block.liveSizeAt(0)).isEqualTo(-1);
        assertThat(block.liveSizeAt(1)).isEqualTo(-1);
    }

    @Test
    void escapedSizesAreExact() {
        CarvedBlock block = block(65536);
        MemorySegment view = view(block);
        block.carve(block.units, 1, 0, true, view);
        long[] sizes = {255, 256, 257, 300, 4096, 8191, 8192};
        for (int i = 0; i < sizes.length; i++) {
            block.markLive(i * 600, sizes[i]);
        }
        for (int i = 0; i < sizes.length; i++) {
            int unit = i * 600;
            assertThat(block.liveSizeAt(unit)).as("liveSizeAt, %d bytes", sizes[i]).isEqualTo(sizes[i]);
            assertThat(block.codeAt(unit)).isEqualTo(CarvedBlock.ESCAPE);
            for (int small = 1; small <= 254; small++) {
                assertThat(isLive(block, unit, small)).as("isLiveSmall(%d) on a piece of %d", small, sizes[i])
                        .isFalse();
            }
            assertThat(block.liveSizeAt(unit + 1)).isEqualTo(-1);
        }
        // Freeing one escaped piece leaves the others.
        block.markFree(600);
        assertThat(block.liveSizeAt(600)).isEqualTo(-1);
        for (int i = 0; i < sizes.length; i++) {
            if (i != 1) {
                assertThat(block.liveSizeAt(i * 600)).isEqualTo(sizes[i]);
            }
        }
    }

    @Test
    void zeroLengthPiecesBesideMediumOnesKeepTheirOwnSizes() {
        // A medium piece's size is kept per 16 units, with where it starts in them; zero-length
        // pieces (two units each) may start in the same 16 units, before or after it.
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        block.carve(block.units, 1, 0, true, view);
        block.markLive(1, 0);
        block.markLive(3, 300);
        block.markLive(23, 0);
        block.markLive(25, 8192);
        assertThat(new long[] {block.liveSizeAt(1), block.liveSizeAt(3), block.liveSizeAt(23), block.liveSizeAt(25)})
                .containsExactly(0, 300, 0, 8192);
        block.markFree(3);
        block.markFree(23);
        assertThat(new long[] {block.liveSizeAt(1), block.liveSizeAt(3), block.liveSizeAt(23), block.liveSizeAt(25)})
                .containsExactly(0, -1, -1, 8192);

        // A rewind leaves the bucket of the piece at 25; a zero-length piece there later is size 0.
        block.rewind(0);
        block.carve(block.units, 1, 0, true, view);
        block.markLive(25, 0);
        assertThat(block.liveSizeAt(25)).isZero();
        block.markLive(20, 255);
        assertThat(new long[] {block.liveSizeAt(20), block.liveSizeAt(25)}).containsExactly(255, 0);
    }

    @Test
    void zeroLengthPiecesAreLiveWithSizeZero() {
        CarvedBlock block = block(4096);
        MemorySegment view = view(block);
        int unit = block.carve(2, 1, 1, true, view) + 1;
        assertThat(block.liveSizeAt(unit)).isEqualTo(-1);
        block.markLive(unit, 0);
        assertThat(block.liveSizeAt(unit)).isZero();
        for (int small = 1; small <= 254; small++) {
            assertThat(isLive(block, unit, small)).isFalse();
        }
        assertThat(block.liveSizeAt(unit - 1)).isEqualTo(-1);
        block.markFree(unit);
        assertThat(block.liveSizeAt(unit)).isEqualTo(-1);
    }

    @Test
    void aUnitCanChangeBetweenDirectAndEscapedCodes() {
        CarvedBlock block = block(4096);
        MemorySegment view = view(block);
        block.carve(64, 1, 0, true, view);
        long[] sizes = {300, 100, 0, 254, 255, 1, 8192, 0, 16};
        for (long size : sizes) {
            block.markLive(5, size);
            assertThat(block.liveSizeAt(5)).isEqualTo(size);
            block.markFree(5);
            assertThat(block.liveSizeAt(5)).as("freed after %d bytes", size).isEqualTo(-1);
        }
    }

    @Test
    void staleCodesDoNotReadAsLiveOnceCarvedAgainAfterARewindToZero() {
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        // A medium piece at 0 (escaped), small ones, a zero-length one, another medium: all live.
        int medium = block.carve(20, 1, 0, true, view);
        block.markLive(medium, 300);
        for (int i = 0; i < 30; i++) {
            block.markLive(block.carve(1, 1, 0, true, view), 1 + i);
        }
        int empty = block.carve(2, 1, 1, true, view) + 1;
        block.markLive(empty, 0);
        int another = block.carve(512, 1, 0, true, view);
        block.markLive(another, 8192);
        int top = block.top;

        block.rewind(0);

        for (int unit; (unit = block.carve(1, 1, 0, true, view)) >= 0 && unit < top + 10; ) {
            assertThat(block.liveSizeAt(unit)).as("unit %d, carved again", unit).isEqualTo(-1);
            assertThat(block.codeAt(unit)).isZero();
            for (int small = 1; small <= 30; small++) {
                assertThat(isLive(block, unit, small)).isFalse();
            }
        }
        // A new escaped piece where an old one was reads its own size.
        assertThat(block.top).isGreaterThan(another);
        block.markLive(medium, 400);
        assertThat(block.liveSizeAt(medium)).isEqualTo(400);
    }

    @Test
    void staleCodesAboveAMarkDoNotReadAsLiveOnceCarvedAgainAndCodesBelowItStay() {
        CarvedBlock block = block(16384);
        MemorySegment view = view(block);
        for (int i = 0; i < 10; i++) {
            block.markLive(block.carve(1, 1, 0, true, view), 16);
        }
        int below = block.carve(20, 1, 0, true, view); // a medium piece below the mark
        block.markLive(below, 320);
        block.mark = block.top;
        int mark = block.mark;
        int large = block.carve(512, 1, 0, true, view);
        block.markLive(large, 8000);
        int empty = block.carve(2, 1, 1, true, view) + 1;
        block.markLive(empty, 0);
        for (int i = 0; i < 10; i++) {
            block.markLive(block.carve(1, 1, 0, true, view), 200);
        }
        int top = block.top;

        block.rewind(mark);

        assertThat(block.top).isEqualTo(mark);
        for (int unit; (unit = block.carve(1, 1, 0, true, view)) >= 0 && unit < top + 10; ) {
            assertThat(block.liveSizeAt(unit)).as("unit %d, carved again above the mark %d", unit, mark)
                    .isEqualTo(-1);
        }
        // The pieces below the mark are other holders' live pieces: still recorded.
        for (int u = 0; u < 10; u++) {
            assertThat(block.liveSizeAt(u)).isEqualTo(16);
            assertThat(isLive(block, u, 16)).isTrue();
        }
        assertThat(block.liveSizeAt(below)).isEqualTo(320);
        // Escaped pieces re-made above the mark read their own size.
        block.markLive(large, 500);
        assertThat(block.liveSizeAt(large)).isEqualTo(500);
        block.markLive(empty, 0);
        assertThat(block.liveSizeAt(empty)).isZero();
        block.markFree(empty);
        assertThat(block.liveSizeAt(empty)).isEqualTo(-1);
    }
}
