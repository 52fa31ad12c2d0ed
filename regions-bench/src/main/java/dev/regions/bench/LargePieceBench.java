package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
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
 * W4, large pieces: allocate a piece of 64 KiB..4 MiB (uniform, fixed-seed sequence), touch one
 * byte, free it. Score: ns per operation (allocate, touch, free). Regions and the JDK's arena zero
 * every piece (as users get them); {@code regions-confined-nozero} shows what that costs.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class LargePieceBench {

    @Param({Peers.REGIONS_CONFINED, Peers.REGIONS_CONFINED_NOZERO, Peers.MALLOC, Peers.ARENA_PER_PIECE,
            Peers.NETTY_POOLED, Peers.ARROW})
    public String peer;

    private PieceAllocator allocator;
    private final int[] sizes = Sizes.large(Sizes.SEED, 1 << 12);
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        allocator = Peers.create(peer);
    }

    @Benchmark
    public void allocateTouchFree() {
        Object piece = allocator.allocate(sizes[next++ & (sizes.length - 1)]);
        allocator.free(piece);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
    }
}
