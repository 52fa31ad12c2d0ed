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
 * W7, larson: mimalloc-bench's {@code larson 5 8 1000 5000 100 4141 N} ported ({@link Larson}):
 * {@code threads} slots of 5,000 live pieces of 8..999 bytes on one shared allocator; each thread
 * frees a random piece of its slot and allocates a random size in its place, 500,000 times, then
 * hands the slot to a new thread and dies. An invocation is a fixed {@value #LIVES} thread lives
 * shared by the slots ({@value #OPS} operations, each one free and one allocate; larson's own
 * run is 5 seconds, so an invocation is shorter), on threads this benchmark starts itself: JMH
 * runs one thread, which only starts them and waits. Score: operations per second, all threads
 * together (larson's "Throughput"). The slots' pieces stay live across invocations, as in larson.
 *
 * <p>Memory: at the end of every iteration (untimed) the fork prints a {@code LARSON-MEMORY} line:
 * the live bytes, the allocator's own figure, and the growth of malloc's bytes in use and of the
 * resident set since before the allocator was made ({@link HeldMemory}). The last line of a fork
 * is what it holds at the end.
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar '\.LarsonBench\.' -p threads=1,2,4 -f 2 -wi 2 -w 2s -i 3 -r 2s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@OperationsPerInvocation(LarsonBench.OPS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class LarsonBench {
    /** Thread lives per invocation (at least the largest thread count). */
    static final int LIVES = 16;
    /** Operations per invocation. */
    static final int OPS = LIVES * Larson.ROUNDS * Larson.CHUNKS;

    @Param({"1", "2", "4", "8"})
    public int threads;

    @Param({Peers.REGIONS_SHARED, Peers.MALLOC, Peers.NETTY_POOLED})
    public String peer;

    private PieceAllocator allocator;
    private Larson larson;
    private HeldMemory memory;
    private int iteration;

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        memory = new HeldMemory();
        allocator = Peers.create(peer);
        larson = new Larson(allocator, Larson.Params.MIMALLOC_BENCH, threads);
    }

    @Benchmark
    public long larson() throws InterruptedException {
        return larson.run(LIVES);
    }

    @TearDown(Level.Iteration)
    public void printMemory() {
        iteration++;
        System.out.println(memory.line("LARSON-MEMORY", "peer=" + peer + " threads=" + threads
                + " iteration=" + iteration + " threads-started=" + larson.threadsStarted(), allocator, larson.liveBytes()));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        larson.empty();
        allocator.close();
    }
}
