package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.ThreadParams;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

/**
 * W3, shared churn: W1 run by N threads at once on one shared allocator, each thread with its own
 * ring of {@value Ring#SIZE} pieces and its own size sequence (seed {@code SEED + thread index}).
 * N is JMH's thread count: run with {@code -t 2}, {@code -t 4}, {@code -t 8} (run.sh does).
 * Score: ns per operation as each thread sees it (JMH averages the threads' times); with more
 * threads than cores that includes the time a thread waits for a core.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(2)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class SharedChurnBench {

    /** The one allocator all threads share. */
    @State(Scope.Benchmark)
    public static class Shared {
        @Param({Peers.REGIONS_SHARED, Peers.MALLOC, Peers.MALLOC_CRITICAL, Peers.NETTY_POOLED, Peers.ARROW})
        public String peer;

        PieceAllocator allocator;
        final Queue<Ring> rings = new ConcurrentLinkedQueue<>();

        @Setup(Level.Trial)
        public void setUp() {
            allocator = Peers.create(peer);
        }

        /**
         * Empties every thread's ring, then closes the allocator. One thread runs this once all
         * threads have stopped (JMH's barrier before the teardown); a per-thread teardown would
         * race with it (Arrow refuses to close with buffers open).
         */
        @TearDown(Level.Trial)
        public void tearDown() {
            for (Ring ring : rings) {
                ring.empty();
            }
            allocator.close();
        }
    }

    /** A thread's own ring. */
    @State(Scope.Thread)
    public static class PerThread {
        Ring ring;

        @Setup(Level.Trial)
        public void setUp(Shared shared, ThreadParams thread) {
            FastThreadExecutor.requireFastThread();
            ring = new Ring(shared.allocator, Sizes.small(Sizes.SEED + thread.getThreadIndex(), Sizes.CYCLE));
            ring.fill();
            shared.rings.add(ring);
        }
    }

    @Benchmark
    @OperationsPerInvocation(Ring.SIZE)
    public void churn(PerThread thread) {
        thread.ring.turn();
    }
}
