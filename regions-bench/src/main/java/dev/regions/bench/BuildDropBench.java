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
 * W2, build and drop: allocate {@value #PIECES} pieces of 16..256 bytes, then release them all at
 * once: a reset, an arena close or a new bump pointer where the peer has one, one by one where it
 * has not (malloc, Netty, Arrow, arena per piece; the seed walks its own list). Every peer keeps
 * the handles in the same array, as a caller that must free them would. Score: ns per piece.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class BuildDropBench {
    /** Pieces per round. */
    public static final int PIECES = 100_000;

    @Param({Peers.REGIONS_CONFINED, Peers.REGIONS_SHARED, Peers.REGIONS_BUMP, Peers.ARENA_PER_PIECE,
            Peers.ARENA_CONFINED_ROUND, Peers.ARENA_SHARED_ROUND, Peers.SLICING, Peers.MALLOC,
            Peers.MALLOC_CRITICAL, Peers.NETTY_POOLED, Peers.NETTY_ADAPTIVE, Peers.ARROW, Peers.SEED})
    public String peer;

    private PieceAllocator allocator;
    private final int[] sizes = Sizes.small(Sizes.SEED, PIECES);
    private final Object[] pieces = new Object[PIECES];

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        allocator = Peers.create(peer);
    }

    @Benchmark
    @OperationsPerInvocation(PIECES)
    public void buildAndDrop() {
        PieceAllocator allocator = this.allocator;
        Object[] pieces = this.pieces;
        int[] sizes = this.sizes;
        for (int i = 0; i < PIECES; i++) {
            pieces[i] = allocator.allocate(sizes[i]);
        }
        allocator.releaseAll(pieces, PIECES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        allocator.close();
    }
}
