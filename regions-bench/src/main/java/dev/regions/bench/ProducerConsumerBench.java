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
 * W8, producer/consumer (xmalloc-test's shape, {@link ProducerConsumer}): {@code pairs} producer
 * threads allocate batches of {@value ProducerConsumer#PIECES_PER_BATCH} pieces of 16..256 bytes
 * and put them on one shared queue of at most {@value ProducerConsumer#QUEUE_LIMIT} batches;
 * {@code pairs} consumer threads take them and free every piece. An invocation is a fixed
 * {@value #BATCHES} batches ({@value #OPS} pieces); the threads are started once per trial by the
 * benchmark (JMH runs one thread, which hands out the work and waits). Score: pieces allocated and
 * freed per second, all threads together (xmalloc-test's "free/sec").
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar '\.ProducerConsumerBench\.' -p pairs=1,2,4 -f 2 -wi 2 -w 2s -i 3 -r 2s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@OperationsPerInvocation(ProducerConsumerBench.OPS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.OPEN_NIO, ForkArgs.ARROW_UNSAFE,
        ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS, ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH, ForkArgs.NETTY_NO_LEAK_DETECTION})
public class ProducerConsumerBench {
    /** Batches per invocation: a multiple of every pair count (1, 2, 4, 8). */
    static final int BATCHES = 256;
    /** Pieces per invocation. */
    static final int OPS = BATCHES * ProducerConsumer.PIECES_PER_BATCH;

    @Param({"1", "2", "4"})
    public int pairs;

    @Param({Peers.REGIONS_SHARED, Peers.MALLOC, Peers.NETTY_POOLED})
    public String peer;

    private PieceAllocator allocator;
    private ProducerConsumer workload;

    @Setup(Level.Trial)
    public void setUp() {
        FastThreadExecutor.requireFastThread();
        allocator = Peers.create(peer);
        workload = new ProducerConsumer(allocator, pairs, ProducerConsumer.PIECES_PER_BATCH);
    }

    @Benchmark
    public long produceAndConsume() throws InterruptedException {
        return workload.run(BATCHES);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        workload.close();
        allocator.close();
    }
}
