package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.IntSummaryStatistics;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every peer gets exactly the same operations: the sequences depend on the seed only. */
class SequencesTest {

    @Test
    void sameSeedSameSizesInRange() {
        assertThat(Sizes.small(Sizes.SEED, 10_000)).isEqualTo(Sizes.small(Sizes.SEED, 10_000));
        assertThat(Sizes.small(Sizes.SEED, 10_000)).isNotEqualTo(Sizes.small(Sizes.SEED + 1, 10_000));
        assertThat(IntStream.of(Sizes.small(Sizes.SEED, 10_000)).summaryStatistics())
                .returns(16, IntSummaryStatistics::getMin).returns(256, IntSummaryStatistics::getMax);
        assertThat(IntStream.of(Sizes.large(Sizes.SEED, 1_000)).allMatch(s -> s >= 64 << 10 && s <= 4 << 20)).isTrue();
        // W2's round is a prefix of the cyclic sequence W1 uses: one generator, one order
        int[] round = Sizes.small(Sizes.SEED, 1_000);
        int[] cycle = Sizes.small(Sizes.SEED, Sizes.CYCLE);
        for (int i = 0; i < round.length; i++) {
            assertThat(round[i]).isEqualTo(cycle[i]);
        }
    }

    @Test
    void theRingAsksEveryPeerForTheSameSizesInTheSameOrder() {
        List<List<Long>> seen = new ArrayList<>();
        for (String peer : List.of(Peers.REGIONS_CONFINED, Peers.MALLOC, Peers.SEED, Peers.ARROW)) {
            try (Recording allocator = new Recording(Peers.create(peer))) {
                Ring ring = new Ring(allocator, Sizes.small(Sizes.SEED, Sizes.CYCLE));
                ring.fill();
                ring.turn();
                ring.turn();
                assertThat(allocator.frees).isEqualTo(2 * Ring.SIZE);
                assertThat(ring.live()).doesNotContainNull().doesNotHaveDuplicates();
                ring.empty();
                assertThat(allocator.frees).isEqualTo(3 * Ring.SIZE);
                seen.add(allocator.sizes);
            }
        }
        assertThat(seen.getFirst()).hasSize(3 * Ring.SIZE);
        assertThat(seen).allSatisfy(sizes -> assertThat(sizes).isEqualTo(seen.getFirst()));
    }

    /** Records what a workload asks of an allocator. */
    private static final class Recording implements PieceAllocator {
        final PieceAllocator delegate;
        final List<Long> sizes = new ArrayList<>();
        int frees;

        Recording(PieceAllocator delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object allocate(long size) {
            sizes.add(size);
            return delegate.allocate(size);
        }

        @Override
        public void free(Object piece) {
            frees++;
            delegate.free(piece);
        }

        @Override
        public void releaseAll(Object[] pieces, int count) {
            delegate.releaseAll(pieces, count);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
