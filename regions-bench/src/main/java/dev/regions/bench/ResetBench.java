package dev.regions.bench;

import dev.regions.Region;
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
import org.openjdk.jmh.infra.IterationParams;

import java.util.concurrent.TimeUnit;

/**
 * W5, reset: {@code region.reset()} of a region holding N pieces of 16..256 bytes, confined and
 * shared. Only the reset call is timed, the same way as {@link MergeBench} (single shots of a
 * batch of prepared regions; see there why). The regions are reused: each iteration refills the
 * regions the previous one reset, as a program that resets a region does.
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
public class ResetBench {

    @Param({"10", "10000"})
    public int pieces;

    @Param({Merges.CONFINED, Merges.SHARED})
    public String kind;

    private Region[] regions = new Region[0];
    private int next;

    @Setup(Level.Trial)
    public void warmUpJit() {
        FastThreadExecutor.requireFastThread();
        try (Region region = Merges.region(kind)) {
            for (int i = 0; i < Merges.JIT_WARMUP; i++) {
                region.allocate(16);
                region.reset();
            }
        }
    }

    @Setup(Level.Iteration)
    public void prepare(IterationParams iteration) {
        int calls = Merges.batch(iteration);
        if (regions.length != calls) {
            closeAll();
            regions = new Region[calls];
            for (int i = 0; i < calls; i++) {
                regions[i] = Merges.region(kind);
            }
        }
        int[] sizes = Sizes.small(Sizes.SEED, pieces);
        for (Region region : regions) {
            Merges.filled(region, sizes);
        }
        next = 0;
    }

    @Benchmark
    public void reset() {
        regions[next++].reset();
    }

    @TearDown(Level.Trial)
    public void closeAll() {
        for (Region region : regions) {
            region.close();
        }
    }
}
