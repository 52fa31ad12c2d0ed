package dev.regions;

import dev.regions.support.LogCapture;
import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.List;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The checked mode (the original's debug layer), as a user meets it: every mistake the fast mode
 * cannot see is caught, with the piece named, and everything else behaves as in the fast mode.
 * Each test runs on a confined and a shared region; the promises are those of the package
 * documentation, "The checked mode".
 */
class CheckedModeTest {

    private static Region checked(boolean shared) {
        return checked(shared, new TrackingSource(), 0);
    }

    private static Region checked(boolean shared, MemorySource source, long limit) {
        return Region.builder().name("checked-test").shared(shared).checked(true).recordSites(1)
                .source(source).limit(limit).build();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aSecondFreeIsRefusedEvenAfterTheSlotWasReusedBySomeOtherSize(boolean shared) {
        try (Region region = checked(shared)) {
            MemorySegment first = region.allocate(32);
            region.free(first);
            RegionStats before = region.stats();
            assertThatThrownBy(() -> region.free(first)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checked-test").hasMessageContaining("already freed");
            MemorySegment sameSize = region.allocate(32);
            MemorySegment otherSize = region.allocate(48);
            RegionStats live = region.stats();
            assertThat(live.liveCount()).isEqualTo(before.liveCount() + 2);

            assertThatThrownBy(() -> region.free(first)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> region.free(first.asSlice(0, 16))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> region.free(sameSize.asSlice(0, 16))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("slice");
            assertThatThrownBy(() -> region.free(otherSize.asSlice(16))).isInstanceOf(IllegalArgumentException.class);

            assertThat(region.stats()).as("every refusal changed nothing").isEqualTo(live);
            sameSize.set(JAVA_BYTE, 31, (byte) 1); // both are still live
            otherSize.set(JAVA_BYTE, 47, (byte) 1);
            region.free(sameSize);
            region.free(otherSize);
            assertThat(region.stats().liveCount()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void touchingAFreedPieceThrowsSmallAndLarge(boolean shared) {
        try (Region region = checked(shared)) {
            for (long size : new long[] {24, 100_000}) {
                MemorySegment piece = region.allocate(size);
                piece.set(JAVA_BYTE, size - 1, (byte) 7);
                region.free(piece);
                assertThatThrownBy(() -> piece.get(JAVA_BYTE, 0)).as("%d bytes", size)
                        .isInstanceOf(IllegalStateException.class);
                assertThatThrownBy(() -> piece.set(JAVA_BYTE, size - 1, (byte) 1)).as("%d bytes", size)
                        .isInstanceOf(IllegalStateException.class);
            }
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void anOverrunIsFoundAtFreeWhichStillFreesThePiece(boolean shared) {
        try (Region region = checked(shared, new TrackingSource(), 100)) {
            MemorySegment piece = region.allocate(40);
            long id = region.livePieces().getFirst().id();
            widened(piece, 48).set(JAVA_BYTE, 41, (byte) 7); // native code writing past the end

            assertThatThrownBy(() -> region.free(piece)).isInstanceOf(MemoryCorruptionException.class)
                    .hasMessageContaining("region 'checked-test'")
                    .hasMessageContaining("piece #" + id + " (40 bytes at 0x" + Long.toHexString(piece.address()))
                    .hasMessageContaining("byte 41 from the piece's start (an overrun)")
                    .hasMessageContaining(CheckedModeTest.class.getName());
            RegionStats after = region.stats();
            assertThat(after.liveCount()).isZero();
            assertThat(after.liveBytes()).isZero();
            assertThat(region.allocate(100).byteSize()).as("the limit sees the piece freed").isEqualTo(100);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void anUnderrunIsFoundByVerifyAndByResetWhichStillGivesEverythingBack(boolean shared) {
        try (Region region = checked(shared)) {
            MemorySegment piece = region.allocate(64);
            region.allocate(16);
            long id = region.livePieces().getFirst().id();
            MemorySegment.ofAddress(piece.address() - 3).reinterpret(1).set(JAVA_BYTE, 0, (byte) 1);

            assertThatThrownBy(region::verify).isInstanceOf(MemoryCorruptionException.class)
                    .hasMessageContaining("the guard zone before piece #" + id + " (64 bytes")
                    .hasMessageContaining("byte -3 from the piece's start (an underrun)");
            assertThat(region.stats().liveCount()).as("verify changes nothing").isEqualTo(2);

            assertThatThrownBy(region::reset).isInstanceOf(MemoryCorruptionException.class)
                    .hasMessageContaining("#" + id);
            assertThat(region.stats().liveCount()).isZero();
            assertThatThrownBy(() -> piece.get(JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
            region.verify(); // nothing left to find
            assertThat(region.allocate(64).get(JAVA_BYTE, 63)).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aCloseThatFindsDamageGivesEveryBlockBackThenThrows(boolean shared) {
        TrackingSource source = new TrackingSource();
        Region region = checked(shared, source, 0);
        MemorySegment piece = region.allocate(200);
        region.free(region.allocate(100_000));
        widened(piece, 216).set(JAVA_BYTE, 215, (byte) 1);

        assertThatThrownBy(region::close).isInstanceOf(MemoryCorruptionException.class)
                .hasMessageContaining("byte 215 from the piece's start (an overrun)");
        assertThat(region.scope().isAlive()).isFalse();
        assertThat(source.outstanding()).as("blocks not given back").isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void livePiecesAndTheLeakReportNameEveryPieceAndItsSite(boolean shared) throws Exception {
        try (LogCapture log = new LogCapture("dev.regions")) {
            Region region = checked(shared);
            for (int i = 0; i < 3; i++) {
                region.allocate(100); // one site
            }
            MemorySegment other = region.allocate(7); // another
            region.free(region.allocate(5));

            List<PieceInfo> pieces = region.livePieces();
            assertThat(pieces).extracting(PieceInfo::byteSize).containsExactly(100L, 100L, 100L, 7L);
            assertThat(pieces).extracting(PieceInfo::id).isSorted().doesNotHaveDuplicates();
            assertThat(pieces.getLast().address()).isEqualTo(other.address());
            assertThat(pieces).allSatisfy(p -> {
                assertThat(p.site().getClassName()).isEqualTo(CheckedModeTest.class.getName());
                assertThat(p.age().isNegative()).isFalse();
            });
            assertThat(pieces.get(0).site().getLineNumber()).isEqualTo(pieces.get(2).site().getLineNumber())
                    .isNotEqualTo(pieces.get(3).site().getLineNumber());
            String report = region.leakReport();
            assertThat(report).startsWith("region 'checked-test': 4 live pieces, 307 bytes")
                    .containsPattern("3 pieces, 300 bytes at \\S*" + CheckedModeTest.class.getName())
                    .contains("1 piece, 7 bytes at ");

            region.close(); // with pieces live: logged, not thrown
            assertThat(log.messages()).anySatisfy(line -> assertThat(line).startsWith(log.warning + ": ")
                    .contains("region 'checked-test': 4 live pieces, 307 bytes"));
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aStrictCloseThrowsOnALeakAfterGivingEverythingBack(boolean shared) {
        TrackingSource source = new TrackingSource();
        Region region = Region.builder().name("strict").shared(shared).checked(true).strictClose(true)
                .source(source).build();
        region.allocate(10);
        assertThatThrownBy(region::close).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("region 'strict': 1 live pieces, 10 bytes");
        assertThat(region.scope().isAlive()).isFalse();
        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void guardsAreNotLiveBytesAndPiecesAreZeroedAndAligned(boolean shared) {
        try (Region region = checked(shared, new TrackingSource(), 100)) {
            MemorySegment piece = region.allocate(100);
            assertThat(region.stats().liveBytes()).isEqualTo(100);
            assertThatThrownBy(() -> region.allocate(1)).isInstanceOf(LimitExceededException.class);
            piece.fill((byte) 0xFF);
            region.free(piece);
            MemorySegment again = region.allocate(100);
            for (long i = 0; i < 100; i++) {
                assertThat(again.get(JAVA_BYTE, i)).as("byte %d", i).isZero();
            }
            region.free(again);
            MemorySegment aligned = region.allocate(64, 4096);
            assertThat(aligned.address() % 4096).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aCheckedRegionFreesTheUncheckedPiecesAMergeBroughtIt(boolean shared) {
        try (Region region = checked(shared);
             Region plain = Region.builder().name("plain").shared(shared).checked(false).build()) {
            MemorySegment small = plain.allocate(40);
            MemorySegment large = plain.allocate(50_000);
            region.merge(plain);
            assertThat(region.stats().liveCount()).isEqualTo(2);
            region.free(small);
            region.free(large);
            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().liveBytes()).isZero();
            assertThatThrownBy(() -> region.free(small)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void anUncheckedRegionStaysUncheckedAfterAMergeBringsItCheckedPieces(boolean shared) {
        try (Region region = Region.builder().name("plain").shared(shared).checked(false).build();
             Region other = checked(shared)) {
            MemorySegment moved = other.allocate(300);
            region.merge(other);
            MemorySegment own = region.allocate(300);
            assertThat(own.scope()).as("an unchecked piece lives in the region's scope").isEqualTo(region.scope());
            assertThatThrownBy(region::livePieces).isInstanceOf(UnsupportedOperationException.class);
            region.free(own);
            region.free(moved);
            assertThatThrownBy(() -> moved.get(JAVA_BYTE, 0)).as("the moved piece stayed checked")
                    .isInstanceOf(IllegalStateException.class);
            assertThat(region.stats().liveCount()).isZero();
        }
    }

    @Test
    void thePropertyChecksEveryRegionBuiltWithoutAnExplicitChoice() {
        boolean property = Boolean.getBoolean("regions.checked"); // the 'checked' test run sets it
        try (Region byDefault = Region.ofConfined();
             Region optedOut = Region.builder().checked(false).build();
             Region template = checked(false);
             Region copied = Region.builder(template).build()) {
            if (property) {
                assertThat(byDefault.livePieces()).isEmpty();
            } else {
                assertThatThrownBy(byDefault::livePieces).isInstanceOf(UnsupportedOperationException.class);
            }
            assertThatThrownBy(optedOut::livePieces).isInstanceOf(UnsupportedOperationException.class);
            MemorySegment piece = copied.allocate(8);
            assertThat(copied.livePieces()).as("builder(template) copies checked").hasSize(1);
            copied.free(piece);
        }
    }

    @SuppressWarnings("restricted") // what native code, or a careless reinterpret, does
    private static MemorySegment widened(MemorySegment piece, long byteSize) {
        return piece.reinterpret(byteSize);
    }
}
