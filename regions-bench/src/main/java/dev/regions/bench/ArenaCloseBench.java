package dev.regions.bench;

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
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;

import java.lang.foreign.Arena;
import java.util.concurrent.TimeUnit;

/**
 * W5's JDK reference: {@code arena.close()} of an {@code Arena.ofConfined()} or
 * {@code Arena.ofShared()} holding N pieces of 16..256 bytes: what a region's reset and close are
 * measured against. Timed like {@link MergeBench} (single shots of a batch of prepared arenas; see
 * there why).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 10, batchSize = MergeBench.BATCH)
@Measurement(iterations = 20, batchSize = MergeBench.BATCH)
@OperationsPerInvocation(MergeBench.BATCH)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class ArenaCloseBench {

    @Param({"10", "10000"})
    public int pieces;

    @Param({Merges.CONFINED, Merges.SHARED})
    public String kind;

    private Arena[] arenas;
    private int next;

    @Setup(Level.Trial)
    public void warmUpJit() {
        FastThreadExecutor.requireFastThread();
        for (int i = 0; i < Merges.JIT_WARMUP; i++) {
            try (Arena arena = Merges.arena(kind)) {
                arena.allocate(16);
            }
        }
    }

    @Setup(Level.Iteration)
    public void prepare(IterationParams iteration) {
        int calls = Merges.batch(iteration);
        arenas = new Arena[calls];
        int[] sizes = Sizes.small(Sizes.SEED, pieces);
        for (int i = 0; i < calls; i++) {
            arenas[i] = Merges.filled(Merges.arena(kind), sizes);
        }
        next = 0;
    }

    @Benchmark
    public void close() {
        arenas[next++].close();
    }
}
