package dev.regions.bench;

import dev.regions.Region;
import dev.regions.bench.peers.PieceAllocator;
import dev.regions.bench.peers.Peers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * W6, a region per request (the original's ad server): a request allocates {@value #PIECES}
 * pieces of 16..256 bytes (the next ones of the fixed-seed sequence), writes one byte into each,
 * and releases them all. Score: ns per request.
 * <ul>
 * <li>{@code regionReset}: one confined region for every request, reset after each;
 * <li>{@code regionPerRequest}: a new confined region per request, closed after it;
 * <li>{@code arenaPerRequest}: a new {@code Arena.ofConfined()} per request, closed after it;
 * <li>{@code mallocFree}: malloc of each piece, then free of each (what a C server does).
 * </ul>
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar RequestBench -f 2 -wi 3 -i 5</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class RequestBench {
    /** Pieces per request. */
    public static final int PIECES = 50;

    private final int[] sizes = Sizes.small(Sizes.SEED, Sizes.CYCLE);
    private final Object[] handles = new Object[PIECES];
    private int next;
    private Region region;
    private PieceAllocator malloc;

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        region = Region.ofConfined();
        malloc = Peers.create(Peers.MALLOC);
    }

    private int size() {
        return sizes[next++ & (Sizes.CYCLE - 1)];
    }

    private void fill(Arena arena) {
        for (int i = 0; i < PIECES; i++) {
            MemorySegment piece = arena.allocate(size());
            piece.set(JAVA_BYTE, 0, (byte) 1);
        }
    }

    @Benchmark
    public void regionReset() {
        fill(region);
        region.reset();
    }

    @Benchmark
    public void regionPerRequest() {
        try (Region request = Region.ofConfined()) {
            fill(request);
        }
    }

    @Benchmark
    public void arenaPerRequest() {
        try (Arena request = Arena.ofConfined()) {
            fill(request);
        }
    }

    @Benchmark
    public void mallocFree() {
        PieceAllocator malloc = this.malloc;
        Object[] handles = this.handles;
        for (int i = 0; i < PIECES; i++) {
            handles[i] = malloc.allocate(size());
        }
        for (int i = 0; i < PIECES; i++) {
            malloc.free(handles[i]);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        region.close();
        malloc.close();
    }
}
