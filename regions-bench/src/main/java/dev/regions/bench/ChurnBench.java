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

import java.util.concurrent.TimeUnit;

/**
 * W1, churn: {@value Ring#SIZE} live pieces of 16..256 bytes in a ring on one thread; each
 * operation frees the oldest and allocates a new one. The ring is filled in the setup; an
 * invocation is one turn of the ring ({@value Ring#SIZE} operations). Score: ns per operation
 * (one free plus one allocate). The floor peers calibrate it: what a bare Java free list of
 * segments costs here, with and without zeroing each piece.
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar ChurnBench -f 2 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class ChurnBench {

    @Param({Peers.REGIONS_CONFINED, Peers.REGIONS_CONFINED_NOZERO, Peers.REGIONS_SHARED, Peers.REGIONS_CHECKED,
            Peers.ARENA_PER_PIECE,
            Peers.MALLOC, Peers.MALLOC_CRITICAL, Peers.NETTY_POOLED, Peers.NETTY_ADAPTIVE, Peers.ARROW, Peers.SEED,
            Peers.FLOOR, Peers.FLOOR_ZEROING})
    public String peer;

    private PieceAllocator allocator;
    private Ring ring;

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        allocator = Peers.create(peer);
        ring = new Ring(allocator, Sizes.small(Sizes.SEED, Sizes.CYCLE));
        ring.fill();
    }

    @Benchmark
    @OperationsPerInvocation(Ring.SIZE)
    public void churn() {
        ring.turn();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        ring.empty();
        allocator.close();
    }
}
