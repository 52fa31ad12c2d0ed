package dev.regions;

import dev.regions.internal.Invariants;
import dev.regions.internal.util.Refusals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Regions compose: a region whose {@link MemorySource} takes its blocks from another region (the
 * source's {@code allocate} is {@code inner.allocate(size, align)}, its {@code release} is
 * {@code inner.free(block)}) works like any region. Its pieces, small, medium and large, are
 * zeroed and never overlap; free, reset and close work; and once it is closed, every block went
 * back to the inner region, whose live figures are back where they were and which still works.
 * Checked with an inner confined and an inner shared region under a confined outer one, and with
 * a shared outer region used by several threads on a shared inner one.
 */
class ComposeTest {

    /** A source whose blocks are pieces of {@code inner}; checks that each is given back once. */
    private static final class RegionSource implements MemorySource {
        final Region inner;
        final Set<MemorySegment> outstanding = ConcurrentHashMap.newKeySet();
        final AtomicLong allocations = new AtomicLong();
        final AtomicLong releases = new AtomicLong();

        RegionSource(Region inner) {
            this.inner = inner;
        }

        @Override
        public MemorySegment allocate(long byteSize, long byteAlignment) {
            MemorySegment block = inner.allocate(byteSize, byteAlignment);
            outstanding.add(block);
            allocations.incrementAndGet();
            return block;
        }

        @Override
        public void release(MemorySegment block) {
            if (!outstanding.remove(block)) {
                throw new AssertionError("release of a block this source did not hand out (or twice): " + block);
            }
            releases.incrementAndGet();
            inner.free(block);
        }

        long outstandingBytes() {
            return outstanding.stream().mapToLong(MemorySegment::byteSize).sum();
        }
    }

    /** A piece and the stamp written all over it. */
    private record Stamped(MemorySegment piece, long stamp) {
    }

    private static final long[] SIZES = {1, 8, 24, 40, 100, 256, 300, 1000, 3000, 8192, 20_000, 100_000, 300_000};

    private static long sizeFor(Random random) {
        int i = random.nextInt(40);
        return i < SIZES.length ? SIZES[i] : 1 + random.nextInt(400);
    }

    /** Checks the piece is zeroed, then writes {@code stamp} over all of it. */
    private static Stamped stamp(MemorySegment piece, long stamp) {
        assertThat(piece.mismatch(zeros(piece.byteSize()))).as("a new piece of %d bytes is zeroed", piece.byteSize())
                .isEqualTo(-1L);
        piece.fill((byte) stamp);
        if (piece.byteSize() >= 8) {
            piece.set(JAVA_LONG_UNALIGNED, 0, stamp);
            piece.set(JAVA_LONG_UNALIGNED, piece.byteSize() - 8, stamp);
        }
        return new Stamped(piece, stamp);
    }

    private static MemorySegment zeros(long size) {
        return MemorySegment.ofArray(new byte[(int) size]);
    }

    private static void assertStampIntact(Stamped s) {
        MemorySegment piece = s.piece();
        MemorySegment expected = MemorySegment.ofArray(new byte[(int) piece.byteSize()]);
        expected.fill((byte) s.stamp());
        if (piece.byteSize() >= 8) {
            expected.set(JAVA_LONG_UNALIGNED, 0, s.stamp());
            expected.set(JAVA_LONG_UNALIGNED, piece.byteSize() - 8, s.stamp());
        }
        assertThat(piece.mismatch(expected)).as("first byte of %s overwritten (stamp %d)", piece, s.stamp())
                .isEqualTo(-1L);
    }

    private static void assertDisjoint(List<Stamped> pieces) {
        List<MemorySegment> byAddress = new ArrayList<>(pieces.stream().map(Stamped::piece).toList());
        byAddress.sort(Comparator.comparingLong(MemorySegment::address));
        for (int i = 1; i < byAddress.size(); i++) {
            MemorySegment before = byAddress.get(i - 1);
            assertThat(byAddress.get(i).address()).as("live pieces overlap: %s and %s", before, byAddress.get(i))
                    .isGreaterThanOrEqualTo(before.address() + before.byteSize());
        }
    }

    /**
     * Allocates {@code count} stamped pieces, frees every third, checks the rest; returns the live
     * ones. {@code serial} makes the stamps of different calls distinct.
     */
    private static List<Stamped> churn(Region outer, Random random, int count, long serial) {
        List<Stamped> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            all.add(stamp(outer.allocate(sizeFor(random)), serial * 1_000_000 + i + 1));
        }
        outer.allocate(0); // a zero-length piece, live until the reset
        List<Stamped> kept = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            if (i % 3 == 0) {
                outer.free(all.get(i).piece());
            } else {
                kept.add(all.get(i));
            }
        }
        for (int i = 0; i < count / 3; i++) { // reuse what was freed
            kept.add(stamp(outer.allocate(sizeFor(random)), serial * 1_000_000 + count + i + 1));
        }
        kept.forEach(ComposeTest::assertStampIntact);
        return kept;
    }

    private static void assertValid(Region region) {
        assertThat(Invariants.check(region)).as("invariants of %s", region.name()).isNull();
    }

    /** The inner region still allocates, frees and resets, and holds exactly {@code before} again. */
    private static void assertInnerWorks(Region inner, MemorySegment resident) {
        MemorySegment piece = inner.allocate(5000);
        piece.fill((byte) 3);
        inner.free(piece);
        MemorySegment large = inner.allocate(200_000);
        large.set(JAVA_LONG_UNALIGNED, 199_992, 42L);
        assertThat(resident.get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(0x1234_5678L);
        assertValid(inner);
        inner.reset();
        assertThat(inner.stats().liveBytes()).isZero();
        assertThat(inner.stats().liveCount()).isZero();
        MemorySegment again = inner.allocate(64);
        again.set(JAVA_LONG_UNALIGNED, 0, 7L);
        inner.free(again);
        assertValid(inner);
    }

    /** One outer region (confined, on this thread) over {@code inner}: the whole life. */
    private static void composeOn(Region inner) {
        MemorySegment resident = inner.allocate(100);
        resident.set(JAVA_LONG_UNALIGNED, 0, 0x1234_5678L);
        RegionStats innerBefore = inner.stats();
        RegionSource source = new RegionSource(inner);
        Random random = new Random(7);

        try (Region outer = Region.builder().name("outer").source(source).build()) {
            List<Stamped> kept = churn(outer, random, 600, 1);
            assertDisjoint(kept);
            assertValid(outer);
            assertValid(inner);
            RegionStats innerHolding = inner.stats();
            assertThat(source.outstanding).isNotEmpty();
            assertThat(innerHolding.liveBytes() - innerBefore.liveBytes())
                    .as("the inner region's live bytes grew by the outer region's gross bytes")
                    .isEqualTo(outer.stats().grossBytes())
                    .isEqualTo(source.outstandingBytes());
            assertThat(innerHolding.liveCount() - innerBefore.liveCount()).isEqualTo(source.outstanding.size());

            outer.reset();
            assertThat(outer.stats().liveBytes()).isZero();
            assertThat(outer.stats().liveCount()).isZero();
            assertThat(inner.stats().liveBytes() - innerBefore.liveBytes())
                    .as("after the outer reset, the inner region holds what the outer kept")
                    .isEqualTo(outer.stats().grossBytes());
            assertValid(outer);
            assertValid(inner);

            List<Stamped> again = churn(outer, random, 600, 2);
            assertDisjoint(again);
            assertValid(outer);
            assertValid(inner);
            assertThat(resident.get(JAVA_LONG_UNALIGNED, 0)).isEqualTo(0x1234_5678L);
        }

        assertThat(source.outstanding).as("blocks the outer region did not give back").isEmpty();
        assertThat(source.releases.get()).isEqualTo(source.allocations.get());
        RegionStats innerAfter = inner.stats();
        assertThat(innerAfter.liveBytes()).as("inner live bytes after the outer closed")
                .isEqualTo(innerBefore.liveBytes());
        assertThat(innerAfter.liveCount()).as("inner live count after the outer closed")
                .isEqualTo(innerBefore.liveCount());
        assertValid(inner);
        assertInnerWorks(inner, resident);
    }

    @ParameterizedTest(name = "inner shared={0}")
    @ValueSource(booleans = {false, true})
    void aConfinedRegionOnAnotherRegionWorksAndGivesEveryBlockBack(boolean innerShared) {
        try (Region inner = Region.builder().name("inner").shared(innerShared).build()) {
            composeOn(inner);
        }
    }

    @Test
    void aSharedRegionOnASharedRegionWorksUnderSeveralThreads() throws Exception {
        int threads = 3;
        try (Region inner = Region.builder().name("inner").shared(true).build()) {
            MemorySegment resident = inner.allocate(100);
            resident.set(JAVA_LONG_UNALIGNED, 0, 0x1234_5678L);
            RegionStats innerBefore = inner.stats();
            RegionSource source = new RegionSource(inner);
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try (Region outer = Region.builder().name("outer").shared(true).source(source).build()) {
                for (int round = 1; round <= 2; round++) {
                    CyclicBarrier start = new CyclicBarrier(threads);
                    List<Future<List<Stamped>>> futures = new ArrayList<>();
                    for (int t = 0; t < threads; t++) {
                        long serial = round * 10L + t;
                        Callable<List<Stamped>> work = () -> {
                            start.await(10, TimeUnit.SECONDS);
                            return churn(outer, new Random(serial), 400, serial);
                        };
                        futures.add(pool.submit(work));
                    }
                    List<Stamped> all = new ArrayList<>();
                    for (Future<List<Stamped>> f : futures) {
                        all.addAll(f.get(30, TimeUnit.SECONDS));
                    }
                    // Every thread's pieces are intact after all threads wrote theirs: no overlap across lanes.
                    all.forEach(ComposeTest::assertStampIntact);
                    assertDisjoint(all);
                    assertValid(outer);
                    assertValid(inner);
                    assertThat(inner.stats().liveBytes() - innerBefore.liveBytes())
                            .isEqualTo(outer.stats().grossBytes()).isEqualTo(source.outstandingBytes());
                    outer.reset();
                    assertThat(outer.stats().liveCount()).isZero();
                    assertValid(outer);
                    assertValid(inner);
                }
            } finally {
                pool.shutdown();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(source.outstanding).as("blocks the outer region did not give back").isEmpty();
            assertThat(source.releases.get()).isEqualTo(source.allocations.get());
            assertThat(inner.stats().liveBytes()).isEqualTo(innerBefore.liveBytes());
            assertThat(inner.stats().liveCount()).isEqualTo(innerBefore.liveCount());
            assertValid(inner);
            assertInnerWorks(inner, resident);
        }
    }
}
