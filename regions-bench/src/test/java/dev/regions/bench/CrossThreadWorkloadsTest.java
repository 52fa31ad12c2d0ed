package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Larson and the producer/consumer workload do what their benchmarks say, checked on small runs:
 * every piece allocated is freed exactly once (by {@code empty()} at the latest), frees cross
 * threads, and larson's threads die and are replaced.
 */
class CrossThreadWorkloadsTest {
    private static final Larson.Params SMALL = new Larson.Params(8, 1000, 200, 3, Larson.SEED);

    @Test
    void lran2GivesTheValuesOfTheCGenerator() {
        // from lran2_init(4141) and lran2() compiled from C (gcc, 64-bit long)
        Lran2 random = new Lran2(4141);
        long[] first = new long[8];
        for (int i = 0; i < first.length; i++) {
            first[i] = random.next();
        }
        assertThat(first).containsExactly(562984, 514304, 603572, 409634, 264819, 404388, 274690, 276814);
        for (int i = 8; i < 999; i++) {
            random.next();
        }
        assertThat(random.next()).as("the 1000th value").isEqualTo(7784);
    }

    @ParameterizedTest
    @ValueSource(strings = {Peers.REGIONS_SHARED, Peers.MALLOC, Peers.NETTY_POOLED})
    void larsonFreesEveryPieceOnceAcrossThreadsThatDie(String peer) throws InterruptedException {
        try (Tracking allocator = new Tracking(Peers.create(peer))) {
            Larson larson = new Larson(allocator, SMALL, 2);
            long setUp = allocator.allocations();
            assertThat(setUp).isEqualTo(5 * 2 * 200); // N x chunks, then 4 x as many replaced
            assertThat(allocator.live()).isEqualTo(2 * 200);

            assertThat(larson.run(5)).isEqualTo(5 * SMALL.opsPerLife());
            assertThat(larson.run(2)).isEqualTo(2 * SMALL.opsPerLife());
            assertThat(allocator.allocations() - setUp).isEqualTo(7 * SMALL.opsPerLife());
            assertThat(allocator.live()).isEqualTo(2 * 200);
            assertThat(larson.threadsStarted()).isEqualTo(7);
            assertThat(allocator.threadsThatFreed()).hasSize(7 + 1); // 7 lives plus the set-up thread
            assertThat(allocator.crossThreadFrees()).isPositive();
            assertThat(larson.liveBytes()).isBetween(2 * 200 * 8L, 2 * 200 * 999L);

            larson.empty();
            assertThat(allocator.live()).isZero();
            assertThat(allocator.frees()).isEqualTo(allocator.allocations());
        }
    }

    @Test
    void larsonNeedsALifePerSlot() {
        try (Tracking allocator = new Tracking(Peers.create(Peers.MALLOC))) {
            Larson larson = new Larson(allocator, SMALL, 3);
            assertThatThrownBy(() -> larson.run(2)).isInstanceOf(IllegalArgumentException.class);
            larson.empty();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Peers.REGIONS_SHARED, Peers.MALLOC, Peers.NETTY_POOLED})
    void consumersFreeEveryPieceTheProducersMade(String peer) throws InterruptedException {
        try (Tracking allocator = new Tracking(Peers.create(peer));
             ProducerConsumer workload = new ProducerConsumer(allocator, 2, 64)) {
            assertThat(workload.run(8)).isEqualTo(8 * 64);
            assertThat(workload.run(4)).isEqualTo(4 * 64);
            assertThat(allocator.allocations()).isEqualTo(12 * 64);
            assertThat(allocator.live()).isZero();
            assertThat(allocator.crossThreadFrees()).isEqualTo(12 * 64); // never freed by its producer
        }
    }

    /** Counts what a workload does with an allocator, and who frees what who allocated. */
    private static final class Tracking implements PieceAllocator {
        private final PieceAllocator delegate;
        private final Map<Object, Thread> live = new IdentityHashMap<>();
        private final Set<Thread> freers = ConcurrentHashMap.newKeySet();
        private long allocations;
        private long frees;
        private long crossThreadFrees;

        Tracking(PieceAllocator delegate) {
            this.delegate = delegate;
        }

        @Override
        public Object allocate(long size) {
            Object piece = delegate.allocate(size);
            synchronized (this) {
                allocations++;
                assertThat(live.put(piece, Thread.currentThread())).as("a live piece handed out again").isNull();
            }
            return piece;
        }

        @Override
        public void free(Object piece) {
            synchronized (this) {
                Thread allocatedBy = live.remove(piece);
                assertThat(allocatedBy).as("freed twice, or never allocated").isNotNull();
                frees++;
                if (allocatedBy != Thread.currentThread()) {
                    crossThreadFrees++;
                }
            }
            freers.add(Thread.currentThread());
            delegate.free(piece);
        }

        @Override
        public void releaseAll(Object[] pieces, int count) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void close() {
            delegate.close();
        }

        synchronized long allocations() {
            return allocations;
        }

        synchronized long frees() {
            return frees;
        }

        synchronized long live() {
            return live.size();
        }

        synchronized long crossThreadFrees() {
            return crossThreadFrees;
        }

        Set<Thread> threadsThatFreed() {
            return freers;
        }
    }
}
