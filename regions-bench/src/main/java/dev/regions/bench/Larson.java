package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;
import io.netty.util.concurrent.FastThreadLocalThread;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A port of larson (Paul Larson's server simulation, as mimalloc-bench runs it in
 * {@code bench/larson/larson.cpp}): N slots, each an array of live pieces of random sizes; a
 * thread works on a slot, freeing the piece at a random index and allocating one of a random size
 * in its place, {@code rounds x chunksPerThread} times; then it starts a <em>new</em> thread that
 * inherits the slot's array and generator, and dies. So most frees are of pieces another thread
 * (by now dead) allocated, and threads are born and die all the time.
 *
 * <p>Kept from larson: the parameters of mimalloc-bench's {@code larson 5 8 1000 5000 100 4141 N}
 * ({@link Params#MIMALLOC_BENCH}), the {@link Lran2} generator and its use (sizes
 * {@code min + lran2 % (max - min)}, so 8..999 bytes; victim {@code lran2 % chunks}), the
 * warm-up on the starting thread ({@code N x chunks} pieces allocated, shuffled, then
 * {@code 4 x N x chunks} random replacements), and each slot's seed drawn from the main generator
 * after the warm-up. Changed: larson runs for a fixed time (5 seconds) and stops each thread
 * mid-life at a flag; here a {@link #run} is a fixed number of thread lives shared by the slots
 * (a life is always whole: {@code rounds x chunksPerThread} operations), so the work per run is
 * fixed and the score is operations per second over it. Larson writes two bytes into each new
 * piece; here the peer's {@code allocate} writes one (byte 0), as in every other workload. At the
 * end larson leaves its pieces to the process's exit; {@link #empty} frees them.
 *
 * <p>Threads are Netty {@code FastThreadLocalThread}s for every peer, as in the other workloads
 * (Netty keeps thread caches only on those; a dying one gives its cache back).
 */
public final class Larson {

    /**
     * Larson's parameters.
     *
     * @param minSize smallest piece, bytes
     * @param maxSize largest piece plus one, bytes (larson draws {@code min + r % (max - min)})
     * @param chunksPerThread live pieces per slot
     * @param rounds a thread's life is {@code rounds x chunksPerThread} operations
     * @param seed the main generator's seed
     */
    public record Params(int minSize, int maxSize, int chunksPerThread, int rounds, long seed) {
        /** mimalloc-bench's {@code larson 5 8 1000 5000 100 4141 N} (the 5 is seconds; see the class comment). */
        public static final Params MIMALLOC_BENCH = new Params(MIN_SIZE, MAX_SIZE, CHUNKS, ROUNDS, SEED);

        /** Operations (one free and one allocate) in a thread's life. */
        public long opsPerLife() {
            return (long) rounds * chunksPerThread;
        }
    }

    /** mimalloc-bench's minimum size. */
    public static final int MIN_SIZE = 8;
    /** mimalloc-bench's maximum size (exclusive, as larson draws sizes). */
    public static final int MAX_SIZE = 1000;
    /** mimalloc-bench's chunks per thread. */
    public static final int CHUNKS = 5000;
    /** mimalloc-bench's rounds: a life is {@code ROUNDS x CHUNKS} operations. */
    public static final int ROUNDS = 100;
    /** mimalloc-bench's seed. */
    public static final int SEED = 4141;

    private final PieceAllocator allocator;
    private final Params params;
    private final Slot[] slots;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger threadsStarted = new AtomicInteger();

    /** A slot: its pieces, their sizes, its generator, and the thread working on it now. */
    private static final class Slot {
        final int index;
        final Object[] pieces;
        final int[] sizes;
        final Lran2 random;
        volatile Thread current;

        Slot(int index, Object[] pieces, int[] sizes, Lran2 random) {
            this.index = index;
            this.pieces = pieces;
            this.sizes = sizes;
            this.random = random;
        }
    }

    /**
     * Larson's set-up on the calling thread: allocates {@code threads x chunksPerThread} pieces,
     * shuffles them, replaces {@code 4x} as many at random, and deals them out to the slots.
     *
     * @param allocator the allocator every thread shares
     * @param params larson's parameters
     * @param threads the number of slots (threads alive at once)
     */
    public Larson(PieceAllocator allocator, Params params, int threads) {
        if (threads < 1 || params.maxSize() <= params.minSize() || params.chunksPerThread() < 1) {
            throw new IllegalArgumentException("threads " + threads + ", " + params);
        }
        this.allocator = allocator;
        this.params = params;
        Lran2 main = new Lran2(params.seed());
        int count = threads * params.chunksPerThread();
        Object[] pieces = new Object[count];
        int[] sizes = new int[count];
        for (int i = 0; i < count; i++) {
            sizes[i] = size(main);
            pieces[i] = allocator.allocate(sizes[i]);
        }
        for (int left = count; left > 0; left--) { // a random permutation, as larson's warmup makes
            int victim = (int) (main.next() % left);
            Object piece = pieces[victim];
            int size = sizes[victim];
            pieces[victim] = pieces[left - 1];
            sizes[victim] = sizes[left - 1];
            pieces[left - 1] = piece;
            sizes[left - 1] = size;
        }
        for (int i = 0; i < 4 * count; i++) {
            int victim = (int) (main.next() % count);
            allocator.free(pieces[victim]);
            sizes[victim] = size(main);
            pieces[victim] = allocator.allocate(sizes[victim]);
        }
        slots = new Slot[threads];
        int chunks = params.chunksPerThread();
        for (int t = 0; t < threads; t++) {
            Object[] slotPieces = new Object[chunks];
            int[] slotSizes = new int[chunks];
            System.arraycopy(pieces, t * chunks, slotPieces, 0, chunks);
            System.arraycopy(sizes, t * chunks, slotSizes, 0, chunks);
            slots[t] = new Slot(t, slotPieces, slotSizes, new Lran2(main.next()));
        }
    }

    private int size(Lran2 random) {
        return params.minSize() + (int) (random.next() % (params.maxSize() - params.minSize()));
    }

    /**
     * Runs {@code lives} thread lives, at most {@link #threads()} at once: one thread per slot to
     * start with; a thread that ends its life starts its slot's next thread while lives are left.
     * Returns once the last thread of every slot has terminated.
     *
     * @param lives thread lives in all, at least {@link #threads()}
     * @return the operations done: {@code lives x rounds x chunksPerThread}
     * @throws InterruptedException if interrupted while waiting
     */
    public long run(int lives) throws InterruptedException {
        if (lives < slots.length) {
            throw new IllegalArgumentException(lives + " lives for " + slots.length + " slots");
        }
        AtomicInteger livesLeft = new AtomicInteger(lives - slots.length);
        CountDownLatch slotsDone = new CountDownLatch(slots.length);
        for (Slot slot : slots) {
            startLife(slot, livesLeft, slotsDone);
        }
        slotsDone.await();
        for (Slot slot : slots) {
            slot.current.join(); // the slot's last thread: set before it started, and it started no other
        }
        Throwable failed = failure.get();
        if (failed != null) {
            throw new IllegalStateException("a larson thread failed", failed);
        }
        return lives * params.opsPerLife();
    }

    private void startLife(Slot slot, AtomicInteger livesLeft, CountDownLatch slotsDone) {
        Thread thread = new FastThreadLocalThread(() -> life(slot, livesLeft, slotsDone),
                "larson-" + slot.index + "-" + threadsStarted.incrementAndGet());
        thread.setDaemon(true);
        slot.current = thread;
        thread.start();
    }

    /** One thread's life on a slot, then its successor (larson's {@code exercise_heap}). */
    private void life(Slot slot, AtomicInteger livesLeft, CountDownLatch slotsDone) {
        try {
            exercise(slot);
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
        if (failure.get() == null && livesLeft.getAndDecrement() > 0) {
            startLife(slot, livesLeft, slotsDone);
        } else {
            slotsDone.countDown();
        }
    }

    private void exercise(Slot slot) {
        PieceAllocator allocator = this.allocator;
        Object[] pieces = slot.pieces;
        int[] sizes = slot.sizes;
        Lran2 random = slot.random;
        int chunks = pieces.length;
        int min = params.minSize();
        int range = params.maxSize() - min;
        long ops = params.opsPerLife();
        for (long i = 0; i < ops; i++) {
            int victim = (int) (random.next() % chunks);
            allocator.free(pieces[victim]);
            int size = min + (int) (random.next() % range);
            pieces[victim] = allocator.allocate(size);
            sizes[victim] = size;
        }
    }

    /** The number of slots. */
    public int threads() {
        return slots.length;
    }

    /** Threads started by {@link #run} so far. */
    public int threadsStarted() {
        return threadsStarted.get();
    }

    /** The bytes the live pieces were asked for (larson's required space). */
    public long liveBytes() {
        long sum = 0;
        for (Slot slot : slots) {
            for (int size : slot.sizes) {
                sum += size;
            }
        }
        return sum;
    }

    /** Frees every live piece, on the calling thread. */
    public void empty() {
        for (Slot slot : slots) {
            for (int i = 0; i < slot.pieces.length; i++) {
                if (slot.pieces[i] != null) {
                    allocator.free(slot.pieces[i]);
                    slot.pieces[i] = null;
                }
            }
        }
    }
}
