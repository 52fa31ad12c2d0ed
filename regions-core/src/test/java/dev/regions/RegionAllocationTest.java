package dev.regions;

import dev.regions.support.TrackingSource;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A region is an {@link Arena}: every {@code SegmentAllocator} default works on it, its pieces are
 * aligned, zero-filled, reusable after free and never overlap while live, and it plugs into FFM
 * APIs that take an arena (downcalls, {@code reinterpret} with a cleanup).
 */
class RegionAllocationTest {

    private static Region region(boolean shared) {
        return Region.builder().shared(shared).build();
    }

    // ------------------------------------------------------------ SegmentAllocator defaults

    /**
     * A freed large piece's block serves the next large piece that fits it: one at least as large
     * and at most twice as large, the smallest such, without a source call; a piece no freed
     * block fits gets a new block.
     */
    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aFreedLargeBlockServesTheNextPieceItFitsAndNoOther(boolean shared) {
        TrackingSource source = new TrackingSource();
        try (Region region = Region.builder().shared(shared).checked(false).source(source).build()) {
            long[] sizes = {64 << 10, 100 << 10, 300 << 10, 1 << 20};
            long[] addresses = new long[sizes.length];
            List<MemorySegment> pieces = new ArrayList<>();
            for (int i = 0; i < sizes.length; i++) {
                MemorySegment p = region.allocate(sizes[i]);
                addresses[i] = p.address();
                pieces.add(p);
            }
            pieces.forEach(region::free);
            long calls = source.allocateCalls();

            assertThat(region.allocate(90 << 10).address()).as("90 KiB: the 100 KiB block").isEqualTo(addresses[1]);
            assertThat(region.allocate(200 << 10).address()).as("200 KiB: the 300 KiB block").isEqualTo(addresses[2]);
            assertThat(region.allocate(600 << 10).address()).as("600 KiB: the 1 MiB block").isEqualTo(addresses[3]);
            assertThat(region.allocate(20 << 10).address()).as("20 KiB: 64 KiB is more than twice").isNotEqualTo(addresses[0]);
            assertThat(source.allocateCalls()).as("source calls for the three reused").isEqualTo(calls + 1);
            assertThat(region.allocate(64 << 10).address()).as("64 KiB: its own block").isEqualTo(addresses[0]);
        }
    }

    @Test
    void regionIsAnArena() {
        try (Region region = Region.ofConfined()) {
            assertThat(region).isInstanceOf(Arena.class);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void allocateLayoutGivesASegmentOfTheLayoutsSizeAndAlignment(boolean shared) {
        MemoryLayout layout = MemoryLayout.structLayout(JAVA_LONG.withName("a"), JAVA_INT.withName("b"),
                MemoryLayout.paddingLayout(4));
        try (Region region = region(shared)) {
            MemorySegment s = region.allocate(layout);

            assertThat(s.byteSize()).isEqualTo(layout.byteSize());
            assertThat(s.address() % layout.byteAlignment()).isZero();
            s.set(JAVA_LONG, 0, 42L);
            s.set(JAVA_INT, 8, 7);
            assertThat(s.get(JAVA_LONG, 0)).isEqualTo(42L);
            assertThat(s.get(JAVA_INT, 8)).isEqualTo(7);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void allocateLayoutWithCountGivesAnArrayOfThatMany(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment longs = region.allocate(JAVA_LONG, 100);

            assertThat(longs.byteSize()).isEqualTo(800);
            for (int i = 0; i < 100; i++) {
                longs.setAtIndex(JAVA_LONG, i, i * 3L);
            }
            assertThat(longs.toArray(JAVA_LONG)).containsExactly(LongStream.range(0, 100).map(i -> i * 3).toArray());
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void allocateFromStringGivesANulTerminatedUtf8Copy(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment s = region.allocateFrom("héllo, region");

            assertThat(s.getString(0)).isEqualTo("héllo, region");
            assertThat(s.byteSize()).isEqualTo("héllo, region".getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 1);
            assertThat(s.get(JAVA_BYTE, s.byteSize() - 1)).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void allocateFromIntValuesCopiesTheValues(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment s = region.allocateFrom(JAVA_INT, 1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE);

            assertThat(s.toArray(JAVA_INT)).containsExactly(1, -2, 3, Integer.MAX_VALUE, Integer.MIN_VALUE);
        }
    }

    @Test
    void allocateFromLongAndAddressWork() {
        try (Region region = Region.ofConfined()) {
            MemorySegment target = region.allocate(JAVA_LONG);
            MemorySegment pointer = region.allocateFrom(ADDRESS, target);
            MemorySegment value = region.allocateFrom(JAVA_LONG, 0x1234_5678_9abcL);

            assertThat(pointer.get(ADDRESS, 0).address()).isEqualTo(target.address());
            assertThat(value.get(JAVA_LONG, 0)).isEqualTo(0x1234_5678_9abcL);
        }
    }

    // ------------------------------------------------------------ alignment

    static Stream<Arguments> sizesAndAlignments() {
        List<Arguments> cases = new ArrayList<>();
        long[] sizes = {0, 1, 7, 16, 100, 300, 4096, 5000, 8192, 8193, 20_000, 300_000};
        for (long size : sizes) {
            for (int shift = 0; shift <= 20; shift++) {
                cases.add(Arguments.of(size, 1L << shift));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "size {0}, alignment {1}")
    @MethodSource("sizesAndAlignments")
    void everyPowerOfTwoAlignmentUpTo1MiBIsHonoured(long size, long alignment) {
        try (Region region = Region.ofConfined()) {
            // a few pieces each time, so that the second and third come from a page or block already in use
            for (int i = 0; i < 3; i++) {
                MemorySegment piece = region.allocate(size, alignment);
                assertThat(piece.byteSize()).isEqualTo(size);
                assertThat(piece.address() % alignment).as("address %x aligned to %d", piece.address(), alignment)
                        .isZero();
            }
        }
    }

    @ParameterizedTest(name = "size {0}")
    @ValueSource(longs = {0, 1, 3, 8, 15, 17, 33, 100, 255, 1000, 4095, 8191, 8193, 65_537})
    void everyPieceIsAlignedToAtLeast16Bytes(long size) {
        try (Region region = Region.ofConfined()) {
            for (int i = 0; i < 50; i++) {
                MemorySegment piece = region.allocate(size, 1);
                assertThat(piece.address() % 16).as("address %x", piece.address()).isZero();
            }
        }
    }

    // ------------------------------------------------------------ zeroing

    @ParameterizedTest(name = "size {0}")
    @ValueSource(longs = {1, 24, 200, 3000, 8192, 50_000})
    void aReusedPieceIsZeroFilledByDefault(long size) {
        try (Region region = Region.ofConfined()) {
            MemorySegment first = region.allocate(size);
            first.fill((byte) 0x5A);
            region.free(first);

            MemorySegment second = region.allocate(size);

            // whether or not these are the same bytes handed out again, they must read as zeros
            assertThat(second.mismatch(MemorySegment.ofArray(new byte[(int) size]))).isEqualTo(-1L);
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void piecesAfterAResetAreZeroFilledThoughTheChunksAreReused(boolean shared) {
        try (Region region = shared ? Region.ofShared() : Region.ofConfined()) {
            long gross = 0;
            for (int round = 0; round < 3; round++) {
                for (int i = 0; i < 3000; i++) {
                    MemorySegment piece = region.allocate(1 + (i * 37) % 9000);
                    assertThat(piece.mismatch(MemorySegment.ofArray(new byte[(int) piece.byteSize()])))
                            .as("round %d piece %d", round, i).isEqualTo(-1L);
                    piece.fill((byte) 0x5A); // garbage the next round must not see
                }
                if (round > 0) {
                    assertThat(region.stats().grossBytes()).as("the same memory again").isEqualTo(gross);
                }
                gross = region.stats().grossBytes();
                region.reset();
            }
        }
    }

    @Test
    void zeroingFalseIsAcceptedAndGivesWorkingPieces() {
        try (Region region = Region.builder().zeroing(false).build()) {
            MemorySegment piece = region.allocate(128);
            piece.fill((byte) 1);
            assertThat(piece.get(JAVA_BYTE, 127)).isEqualTo((byte) 1);
        }
    }

    // ------------------------------------------------------------ zero-length pieces

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void allocateZeroGivesAZeroLengthPieceThatCountsAsLive(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment empty = region.allocate(0);

            assertThat(empty.byteSize()).isZero();
            assertThat(region.stats().liveCount()).isEqualTo(1);
            assertThat(region.stats().liveBytes()).isZero();
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aZeroLengthPieceCanBeFreed(boolean shared) {
        try (Region region = region(shared)) {
            MemorySegment empty = region.allocate(0);

            region.free(empty);

            assertThat(region.stats().liveCount()).isZero();
            assertThat(region.stats().frees()).isEqualTo(1);
        }
    }

    // ------------------------------------------------------------ reuse and overlap

    @ParameterizedTest(name = "size {0}")
    @ValueSource(longs = {0, 16, 100, 256, 1000, 8192, 10_000, 1_000_000})
    void aFreedPiecesAddressIsHandedOutAgainForTheSameSize(long size) {
        try (Region region = Region.ofConfined()) {
            region.allocate(size); // neighbours, so the freed one is not simply the only one
            MemorySegment piece = region.allocate(size);
            region.allocate(size);
            region.free(piece);

            MemorySegment again = region.allocate(size);

            assertThat(again.address()).isEqualTo(piece.address());
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void livePiecesNeverOverlap(boolean shared) {
        Random random = new Random(20240601L);
        try (Region region = region(shared)) {
            List<MemorySegment> live = new ArrayList<>();
            for (int i = 0; i < 4000; i++) {
                if (!live.isEmpty() && random.nextInt(4) == 0) {
                    region.free(live.remove(random.nextInt(live.size())));
                    continue;
                }
                live.add(region.allocate(randomSize(random), 1L << random.nextInt(8)));
            }

            assertNoOverlap(live);
        }
    }

    @Test
    void livePiecesNeverOverlapWithLargeAlignments() {
        Random random = new Random(7L);
        try (Region region = Region.ofConfined()) {
            List<MemorySegment> live = new ArrayList<>();
            for (int i = 0; i < 1500; i++) {
                if (!live.isEmpty() && random.nextInt(3) == 0) {
                    region.free(live.remove(random.nextInt(live.size())));
                    continue;
                }
                live.add(region.allocate(randomSize(random), 1L << random.nextInt(14)));
            }

            assertNoOverlap(live);
        }
    }

    /** Mostly small, some medium, a few large (up to 200 KB), a few zero. */
    private static long randomSize(Random random) {
        int kind = random.nextInt(100);
        if (kind < 2) {
            return 0;
        }
        if (kind < 80) {
            return 1 + random.nextInt(256);
        }
        if (kind < 95) {
            return 257 + random.nextInt(8192);
        }
        return 8193 + random.nextInt(200_000);
    }

    private static void assertNoOverlap(List<MemorySegment> live) {
        List<MemorySegment> sorted = new ArrayList<>(live);
        sorted.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < sorted.size(); i++) {
            MemorySegment previous = sorted.get(i - 1);
            MemorySegment next = sorted.get(i);
            assertThat(next.address())
                    .as("piece at %x (%d bytes) after piece at %x (%d bytes)", next.address(), next.byteSize(),
                            previous.address(), previous.byteSize())
                    .isGreaterThanOrEqualTo(previous.address() + previous.byteSize());
            if (next.byteSize() == 0 || previous.byteSize() == 0) {
                continue;
            }
            assertThat(next.address()).isNotEqualTo(previous.address());
        }
    }

    // ------------------------------------------------------------ FFM integration

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void aStringFromTheRegionPassedToCStrlenHasItsLength(boolean shared) throws Throwable {
        Linker linker = Linker.nativeLinker();
        MethodHandle strlen = linker.downcallHandle(linker.defaultLookup().find("strlen").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        String text = "Regions hands C a string";
        try (Region region = region(shared)) {
            MemorySegment cString = region.allocateFrom(text);

            long length = (long) strlen.invokeExact(cString);

            assertThat(length).isEqualTo(text.length());
        }
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void reinterpretCleanupRunsOnceAtReset(boolean shared) {
        AtomicInteger runs = new AtomicInteger();
        Region region = region(shared);
        try {
            MemorySegment piece = region.allocate(64);
            MemorySegment.ofAddress(piece.address()).reinterpret(64, region, s -> runs.incrementAndGet());
            assertThat(runs).hasValue(0);

            region.reset();
            assertThat(runs).as("after reset").hasValue(1);
        } finally {
            region.close();
        }
        assertThat(runs).as("after the close that follows").hasValue(1);
    }

    @ParameterizedTest(name = "shared={0}")
    @ValueSource(booleans = {false, true})
    void reinterpretCleanupRunsOnceAtClose(boolean shared) {
        AtomicInteger runs = new AtomicInteger();
        Region region = region(shared);
        try {
            MemorySegment piece = region.allocate(64);
            MemorySegment.ofAddress(piece.address()).reinterpret(64, region, s -> runs.incrementAndGet());
        } finally {
            region.close();
        }

        assertThat(runs).hasValue(1);
    }

    @Test
    void aSegmentReinterpretedIntoTheRegionDiesWithIt() {
        MemorySegment bound;
        try (Region region = Region.ofConfined(); Arena other = Arena.ofConfined()) {
            MemorySegment outside = other.allocate(32);
            bound = outside.reinterpret(32, region, null);
            bound.set(JAVA_INT, 0, 5);
            assertThat(bound.scope()).isEqualTo(region.scope());
        }

        assertThat(bound.scope().isAlive()).isFalse();
    }

    // ------------------------------------------------------------ names and builders

    @Test
    void nameComesFromTheBuilder() {
        try (Region region = Region.builder().name("parser-scratch").build()) {
            assertThat(region.name()).isEqualTo("parser-scratch");
        }
    }

    @Test
    void unnamedRegionsGetDistinctGeneratedNames() {
        try (Region a = Region.ofConfined(); Region b = Region.ofShared()) {
            assertThat(a.name()).isNotBlank();
            assertThat(b.name()).isNotBlank();
            assertThat(a.name()).isNotEqualTo(b.name());
        }
    }

    @Test
    void builderFromTemplateCopiesTheSource() {
        TrackingSource source = new TrackingSource();
        try (Region template = Region.builder().source(source).build()) {
            try (Region copy = Region.builder(template).build()) {
                copy.allocate(100);
                assertThat(source.allocateCalls()).isPositive();
            }
        }
        assertThat(source.outstanding()).isZero();
    }

    @Test
    void builderFromASharedTemplateBuildsASharedRegion() throws Exception {
        try (Region template = Region.ofShared(); Region copy = Region.builder(template).build()) {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<MemorySegment> piece = other.submit(() -> copy.allocate(32));
                assertThat(piece.get().byteSize()).isEqualTo(32);
            } finally {
                other.shutdown();
            }
        }
    }

    @Test
    void builderFromAConfinedTemplateBuildsAConfinedRegion() throws Exception {
        try (Region template = Region.ofConfined(); Region copy = Region.builder(template).build()) {
            ExecutorService other = Executors.newSingleThreadExecutor();
            try {
                Future<?> attempt = other.submit(() -> copy.allocate(32));
                assertThat(attempt).failsWithin(java.time.Duration.ofSeconds(30))
                        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
                        .withCauseInstanceOf(WrongThreadException.class);
            } finally {
                other.shutdown();
            }
        }
    }

    @Test
    void builderFromTemplateCopiesZeroingFalse() {
        // With zeroing off, a reused piece keeps the bytes its previous holder wrote.
        try (Region template = Region.builder().zeroing(false).build();
                Region copy = Region.builder(template).build()) {
            MemorySegment first = copy.allocate(64);
            first.fill((byte) 0x77);
            copy.free(first);

            MemorySegment second = copy.allocate(64);

            assumeThat(second.address()).as("the freed bytes are handed out again").isEqualTo(first.address());
            // the last byte: far from where an allocator might keep a free-list link
            assertThat(second.get(JAVA_BYTE, 63)).isEqualTo((byte) 0x77);
        }
    }

    @Test
    void builderFromTemplateDoesNotCopyTheName() {
        try (Region template = Region.builder().name("template").build();
                Region copy = Region.builder(template).build()) {
            assertThat(copy.name()).isNotEqualTo("template");
        }
    }

    @Test
    void builderFromTemplateDoesNotCopyTheLimit() {
        try (Region template = Region.builder().limit(100).build();
                Region copy = Region.builder(template).build()) {
            assertThat(copy.limit()).isZero();
            assertThatCode(() -> copy.allocate(1000)).doesNotThrowAnyException();
        }
    }

    @Test
    void builderFromTemplateDoesNotCopyThePieces() {
        try (Region template = Region.ofConfined()) {
            template.allocate(100);
            try (Region copy = Region.builder(template).build()) {
                assertThat(copy.stats().liveCount()).isZero();
                assertThat(copy.stats().liveBytes()).isZero();
            }
        }
    }

    @Test
    void aClosedRegionCanStillServeAsTemplate() {
        TrackingSource source = new TrackingSource();
        Region template = Region.builder().source(source).build();
        template.close();

        try (Region copy = Region.builder(template).build()) {
            copy.allocate(10);
            assertThat(source.allocateCalls()).isEqualTo(1);
        }
    }
}
