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
 * W5, merge: {@code dst.merge(src)} where {@code src} holds N pieces of 16..256 bytes (and
 * {@code dst} one), confined and shared. Only the merge call is timed.
 *
 * <p>How it is timed, and why: each call consumes a pair prepared beforehand, so the setup that
 * fills {@code src} must stay out of the measurement. {@code @Setup(Level.Invocation)} would
 * do that, but JMH then timestamps every call, and a merge (well under a microsecond) is of the
 * order of that overhead. Instead each iteration is a {@link Mode#SingleShotTime single shot} of a
 * batch of {@value #BATCH} calls: the iteration setup prepares exactly as many pairs as JMH's
 * batch size (read from {@link IterationParams}), JMH times the whole batch with one pair of
 * timestamps and divides by the operations per invocation, set to the batch size, so the score is
 * the time per call. Single shots are too few calls for the JIT, so the
 * trial setup first runs {@value Merges#JIT_WARMUP} untimed merges of small regions.
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
public class MergeBench {
    /** Calls per single shot. */
    public static final int BATCH = 100;

    @Param({"10", "10000"})
    public int pieces;

    @Param({Merges.CONFINED, Merges.SHARED})
    public String kind;

    private Region[] sources;
    private Region[] destinations;
    private int next;

    @Setup(Level.Trial)
    public void warmUpJit() {
        FastThreadExecutor.requireFastThread();
        for (int i = 0; i < Merges.JIT_WARMUP; i++) {
            try (Region dst = Merges.region(kind); Region src = Merges.region(kind)) {
                dst.allocate(16);
                src.allocate(16);
                dst.merge(src);
            }
        }
    }

    @Setup(Level.Iteration)
    public void prepare(IterationParams iteration) {
        int calls = Merges.batch(iteration);
        sources = new Region[calls];
        destinations = new Region[calls];
        int[] sizes = Sizes.small(Sizes.SEED, pieces);
        for (int i = 0; i < calls; i++) {
            destinations[i] = Merges.region(kind);
            destinations[i].allocate(sizes[0]);
            sources[i] = Merges.filled(Merges.region(kind), sizes);
        }
        next = 0;
    }

    @Benchmark
    public void merge() {
        int i = next++;
        destinations[i].merge(sources[i]);
    }

    @TearDown(Level.Iteration)
    public void closeAll() {
        for (int i = 0; i < sources.length; i++) {
            sources[i].close();
            destinations[i].close();
        }
    }
}
