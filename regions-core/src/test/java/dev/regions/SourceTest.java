package dev.regions;

import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * How a region uses its {@link MemorySource}: few, large blocks; nothing per piece on free, reset
 * or close; every block back to the source it came from. And the built-in sources, as region
 * sources and on their own.
 */
class SourceTest {

    private static final int PIECES = 100_000;

    private static Region region(boolean shared, MemorySource source) {
        return Region.builder().shared(shared).source(source).build();
    }

    private static List<MemorySegment> allocateSmallPieces(Region region, int count, long seed) {
        Random random = new Random(seed);
        List<MemorySegment> pieces = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            pieces.add(region.allocate(16 + random.nextInt(241)));
        }
        return pieces;
    }

    // ------------------------------------------------------------ few source calls

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void manySmallPiecesTakeOnlyAFewHundredSourceAllocations(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            allocateSmallPieces(region, PIECES, 1);

            assertThat(source.allocateCalls()).isBetween(1L, 300L);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void resetHandsBackNoMoreBlocksThanTheSourceGave(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            allocateSmallPieces(region, PIECES, 2);
            long released = source.releaseCalls();

            region.reset();

            assertThat(source.releaseCalls() - released).isLessThanOrEqualTo(source.allocateCalls());
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void closeHandsBackEveryBlockOnceAndNothingPerPiece(boolean shared) {
        TrackingSource source = new TrackingSource();
        Region region = region(shared, source);
        allocateSmallPieces(region, PIECES, 3);

        region.close();

        assertThat(source.releaseCalls()).isEqualTo(source.allocateCalls());
        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void closeAfterResetHandsBackEveryBlock(boolean shared) {
        TrackingSource source = new TrackingSource();
        Region region = region(shared, source);
        allocateSmallPieces(region, PIECES, 4);
        region.allocate(100_000);
        region.reset();
        allocateSmallPieces(region, PIECES / 2, 5);
        region.allocate(200_000);

        region.close();

        assertThat(source.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aResetRegionReusesItsChunksInsteadOfAskingAgain(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            allocateSmallPieces(region, PIECES, 6);
            long calls = source.allocateCalls();

            region.reset();
            allocateSmallPieces(region, PIECES, 6);

            assertThat(source.allocateCalls()).isEqualTo(calls);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void freeNeverCallsTheSource(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            List<MemorySegment> pieces = allocateSmallPieces(region, 10_000, 7);
            pieces.add(region.allocate(10_000));
            pieces.add(region.allocate(500_000));
            pieces.add(region.allocate(4_000_000));
            long allocated = source.allocateCalls();
            long released = source.releaseCalls();

            pieces.forEach(region::free);

            assertThat(source.allocateCalls()).as("allocate calls").isEqualTo(allocated);
            assertThat(source.releaseCalls()).as("release calls").isEqualTo(released);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void buildingARegionTakesNothingFromTheSource(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = region(shared, source)) {
            assertThat(source.allocateCalls()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeNeverCallsTheSource(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region dst = region(shared, source); Region src = region(shared, source)) {
            allocateSmallPieces(dst, 1000, 8);
            allocateSmallPieces(src, 1000, 9);
            src.allocate(100_000);
            long allocated = source.allocateCalls();
            long released = source.releaseCalls();

            dst.merge(src);

            assertThat(source.allocateCalls()).as("allocate calls").isEqualTo(allocated);
            assertThat(source.releaseCalls()).as("release calls").isEqualTo(released);
        }
    }

    // ------------------------------------------------------------ merge across sources

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void afterAMergeAcrossSourcesEachSourceGetsBackExactlyItsOwnBlocks(boolean shared) {
        TrackingSource first = new TrackingSource();
        TrackingSource second = new TrackingSource();
        Region dst = region(shared, first);
        Region src = region(shared, second);
        List<MemorySegment> moved = allocateSmallPieces(src, 20_000, 10);
        moved.add(src.allocate(100_000));
        allocateSmallPieces(dst, 5_000, 11);
        dst.allocate(300_000);

        dst.merge(src);
        moved.subList(0, 10_000).forEach(dst::free);
        dst.free(moved.getLast());
        allocateSmallPieces(dst, 20_000, 12); // may carve from the second source's blocks
        dst.allocate(100_000);                // may reuse the second source's large block
        allocateSmallPieces(src, 1_000, 13);
        src.close();
        dst.close();

        assertThat(first.outstanding()).as("first source").isZero();
        assertThat(second.outstanding()).as("second source").isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aResetAfterAMergeAcrossSourcesReturnsLargeBlocksToTheirOwnSource(boolean shared) {
        TrackingSource first = new TrackingSource();
        TrackingSource second = new TrackingSource();
        try (Region dst = region(shared, first); Region src = region(shared, second)) {
            src.allocate(100_000);
            src.allocate(200_000);
            dst.merge(src);

            dst.reset();

            assertThat(second.outstanding()).isZero();
        }
        assertThat(first.outstanding()).isZero();
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void mergeAndCloseAcrossSourcesLeavesNothingOutstanding(boolean shared) {
        TrackingSource first = new TrackingSource();
        TrackingSource second = new TrackingSource();
        Region dst = region(shared, first);
        Region src = region(shared, second);
        allocateSmallPieces(src, 5_000, 14);
        src.allocate(50_000);
        allocateSmallPieces(dst, 5_000, 15);

        dst.mergeAndClose(src);
        dst.close();

        assertThat(first.outstanding()).as("first source").isZero();
        assertThat(second.outstanding()).as("second source").isZero();
    }

    // ------------------------------------------------------------ built-in sources

    static Stream<Arguments> builtInSources() {
        List<Named<Supplier<MemorySource>>> sources = List.of(
                Named.of("malloc()", MemorySource::malloc),
                Named.of("jdk()", MemorySource::jdk),
                Named.of("malloc().serialized()", () -> MemorySource.malloc().serialized()),
                Named.of("jdk().serialized()", () -> MemorySource.jdk().serialized()));
        return sources.stream().map(Arguments::of);
    }

    static Stream<Arguments> builtInSourcesAndSharing() {
        return builtInSources().flatMap(a -> Stream.of(Arguments.of(a.get()[0], false), Arguments.of(a.get()[0], true)));
    }

    @ParameterizedTest(name = "{0}, shared={1}")
    @MethodSource("builtInSourcesAndSharing")
    void aBuiltInSourceServesARegion(Supplier<MemorySource> source, boolean shared) {
        TrackingSource tracking = new TrackingSource(source.get());
        try (Region region = region(shared, tracking)) {
            List<MemorySegment> pieces = allocateSmallPieces(region, 5_000, 16);
            pieces.add(region.allocate(20_000));
            pieces.add(region.allocate(1_000, 1 << 16));
            for (int i = 0; i < pieces.size(); i++) {
                pieces.get(i).set(JAVA_BYTE, 0, (byte) i);
            }
            for (int i = 0; i < pieces.size(); i++) {
                assertThat(pieces.get(i).get(JAVA_BYTE, 0)).isEqualTo((byte) i);
            }
            region.reset();
            allocateSmallPieces(region, 1_000, 17);
        }
        assertThat(tracking.outstanding()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtInSources")
    void aBuiltInSourceCanBeUsedOnItsOwn(Supplier<MemorySource> supplier) {
        MemorySource source = supplier.get();
        MemorySegment block = source.allocate(1000, 8);
        try {
            assertThat(block.byteSize()).isGreaterThanOrEqualTo(1000);
            block.set(JAVA_LONG, 992, 0xfeed_face_cafe_beefL);
            assertThat(block.get(JAVA_LONG, 992)).isEqualTo(0xfeed_face_cafe_beefL);
        } finally {
            source.release(block);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtInSources")
    void aBuiltInSourceRefusesToReleaseWhatItDidNotHandOut(Supplier<MemorySource> supplier) {
        MemorySource source = supplier.get();
        try (Region region = Region.builder().source(source).build(); Arena arena = Arena.ofConfined()) {
            MemorySegment piece = region.allocate(64); // at the very start of the region's first block
            MemorySegment block = source.allocate(64, 16);
            List<MemorySegment> notBlocks = List.of(piece, MemorySegment.ofAddress(piece.address()),
                    arena.allocate(64), block.asSlice(0, 32), MemorySegment.ofArray(new byte[64]));

            for (MemorySegment notABlock : notBlocks) {
                assertThatThrownBy(() -> source.release(notABlock)).as("release(%s)", notABlock)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a block this source");
            }

            piece.set(JAVA_LONG, 0, 1234); // nothing was freed under the region
            assertThat(region.allocate(64).get(JAVA_LONG, 0)).isZero();
            source.release(block);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builtInSources")
    void aBlockReleasedToABuiltInSourceIsDeadAndCannotBeReleasedAgain(Supplier<MemorySource> supplier) {
        MemorySource source = supplier.get();
        MemorySegment block = source.allocate(256, 16);

        source.release(block);

        assertThatThrownBy(() -> block.get(JAVA_LONG, 0)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> source.release(block)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("released already");
    }

    static Stream<Arguments> builtInSourcesAndAlignments() {
        return builtInSources().flatMap(a -> Stream.of(1L, 16L, 64L, 4096L, 65_536L, 1L << 20)
                .map(alignment -> Arguments.of(a.get()[0], alignment)));
    }

    @ParameterizedTest(name = "{0}, alignment {1}")
    @MethodSource("builtInSourcesAndAlignments")
    void aBuiltInSourceHonoursTheAlignment(Supplier<MemorySource> supplier, long alignment) {
        MemorySource source = supplier.get();
        List<MemorySegment> blocks = new ArrayList<>();
        try {
            for (long size : new long[] {1, 100, 5000, 1 << 20}) {
                MemorySegment block = source.allocate(size, alignment);
                blocks.add(block);
                assertThat(block.address() % alignment).as("%d bytes at %x", size, block.address()).isZero();
            }
        } finally {
            blocks.forEach(source::release);
        }
    }

    @Test
    void serializedSourcesServeRegionsOnManyThreads() throws Exception {
        TrackingSource tracking = new TrackingSource(MemorySource.malloc().serialized());
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < 4; t++) {
            int seed = t;
            threads.add(Thread.ofPlatform().start(() -> {
                try (Region region = region(false, tracking)) {
                    for (int round = 0; round < 5; round++) {
                        allocateSmallPieces(region, 5_000, seed * 10 + round);
                        region.allocate(50_000);
                        region.reset();
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            }));
        }
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(failures).isEmpty();
        assertThat(tracking.outstanding()).isZero();
    }

    @Test
    void serializedOfASerializedSourceWorks() {
        MemorySource twice = MemorySource.malloc().serialized().serialized();
        MemorySegment block = twice.allocate(64, 64);
        assertThat(block.address() % 64).isZero();
        twice.release(block);
    }

    @Test
    void aUserWrittenSourceServesARegion() {
        // TrackingSource is itself a user implementation of MemorySource, over malloc
        TrackingSource source = new TrackingSource();
        try (Region region = region(false, source)) {
            region.allocateFrom("from a user's source");
            assertThat(source.outstanding()).isPositive();
        }
        assertThat(source.outstanding()).isZero();
    }
}
