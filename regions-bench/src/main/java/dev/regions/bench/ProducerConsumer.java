package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The shape of xmalloc-test (Lever and Boreham; mimalloc-bench's {@code xmalloc-test}): N producer
 * threads allocate batches of pieces and put each batch on one shared, bounded queue; N consumer
 * threads take batches off it, whichever comes first, and free every piece. So every piece is
 * freed by a thread other than the one that allocated it, and each consumer frees pieces of every
 * producer. As in xmalloc-test: {@value #PIECES_PER_BATCH} pieces per batch, at most
 * {@value #QUEUE_LIMIT} batches waiting. Changed: sizes are this module's 16..256 bytes (each
 * producer its own fixed-seed sequence), xmalloc-test's run is timed (5 seconds) where a
 * {@link #run} here is a fixed number of batches, the peer writes one byte into each piece (xmalloc
 * fills up to 128), and the batch is a Java array (xmalloc mallocs it).
 *
 * <p>The threads are made once, by the constructor, and wait between runs; they are Netty
 * {@code FastThreadLocalThread}s for every peer, as in the other workloads.
 */
public final class ProducerConsumer implements AutoCloseable {
    /** Pieces per batch, as xmalloc-test. */
    public static final int PIECES_PER_BATCH = 4096;
    /** Batches waiting on the queue at most, as xmalloc-test. */
    public static final int QUEUE_LIMIT = 100;

    private static final Object[] STOP = new Object[0];

    private final PieceAllocator allocator;
    private final int pairs;
    private final int piecesPerBatch;
    private final BlockingQueue<Object[]> queue = new ArrayBlockingQueue<>(QUEUE_LIMIT);
    private final List<BlockingQueue<Integer>> starts = new ArrayList<>();
    private final Semaphore batchesFreed = new Semaphore(0);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    /**
     * Starts {@code pairs} producers and {@code pairs} consumers, idle until {@link #run}.
     *
     * @param allocator the allocator all of them share
     * @param pairs producers, and consumers
     * @param piecesPerBatch pieces per batch ({@link #PIECES_PER_BATCH} in the benchmark)
     */
    public ProducerConsumer(PieceAllocator allocator, int pairs, int piecesPerBatch) {
        if (pairs < 1 || piecesPerBatch < 1) {
            throw new IllegalArgumentException(pairs + " pairs, " + piecesPerBatch + " pieces per batch");
        }
        this.allocator = allocator;
        this.pairs = pairs;
        this.piecesPerBatch = piecesPerBatch;
        for (int p = 0; p < pairs; p++) {
            BlockingQueue<Integer> start = new ArrayBlockingQueue<>(1);
            starts.add(start);
            int[] sizes = Sizes.small(Sizes.SEED + p, Sizes.CYCLE);
            threads.add(new FastThreadLocalThread(() -> produce(start, sizes), "producer-" + p));
            threads.add(new FastThreadLocalThread(this::consume, "consumer-" + p));
        }
        for (Thread thread : threads) {
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Produces and frees {@code batches} batches: each producer makes {@code batches / pairs}.
     * Returns once every piece has been freed.
     *
     * @param batches batches in all, a multiple of the number of pairs
     * @return the pieces allocated and freed
     * @throws InterruptedException if interrupted while waiting
     */
    public long run(int batches) throws InterruptedException {
        if (batches % pairs != 0) {
            throw new IllegalArgumentException(batches + " batches for " + pairs + " producers");
        }
        for (BlockingQueue<Integer> start : starts) {
            start.put(batches / pairs);
        }
        while (!batchesFreed.tryAcquire(batches, 100, TimeUnit.MILLISECONDS)) {
            checkFailure();
        }
        checkFailure();
        return (long) batches * piecesPerBatch;
    }

    private void checkFailure() {
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a producer or consumer failed", failed);
        }
    }

    private void produce(BlockingQueue<Integer> start, int[] sizes) {
        int mask = sizes.length - 1;
        int next = 0;
        try {
            for (int batches; (batches = start.take()) >= 0; ) {
                for (int b = 0; b < batches; b++) {
                    Object[] batch = new Object[piecesPerBatch];
                    for (int i = 0; i < batch.length; i++) {
                        batch[i] = allocator.allocate(sizes[next++ & mask]);
                    }
                    queue.put(batch);
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private void consume() {
        try {
            for (Object[] batch; (batch = queue.take()) != STOP; ) {
                for (Object piece : batch) {
                    allocator.free(piece);
                }
                batchesFreed.release();
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    /** Stops the threads and waits for them; nothing is left on the queue after a {@link #run}. */
    @Override
    public void close() {
        try {
            for (BlockingQueue<Integer> start : starts) {
                start.put(-1);
            }
            for (int c = 0; c < pairs; c++) {
                queue.put(STOP);
            }
            for (Thread thread : threads) {
                thread.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
