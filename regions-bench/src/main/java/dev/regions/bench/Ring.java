package dev.regions.bench;

import dev.regions.bench.peers.PieceAllocator;

/**
 * The churn of W1 and W3: {@value #SIZE} live pieces in a ring; each operation frees the oldest
 * piece and allocates the next size of the sequence in its place. One {@link #turn()} is
 * {@value #SIZE} operations (slot {@code i} always holds the oldest piece when the turn reaches
 * it).
 */
public final class Ring {
    /** Live pieces, and operations per turn. */
    public static final int SIZE = 1_000;

    private final PieceAllocator allocator;
    private final Object[] live = new Object[SIZE];
    private final int[] sizes;
    private final int mask;
    private int next;

    /**
     * A ring over an allocator.
     *
     * @param allocator where the pieces come from
     * @param sizes the size sequence, used cyclically; its length a power of two
     */
    public Ring(PieceAllocator allocator, int[] sizes) {
        if (Integer.bitCount(sizes.length) != 1) {
            throw new IllegalArgumentException("the sequence length must be a power of two");
        }
        this.allocator = allocator;
        this.sizes = sizes;
        this.mask = sizes.length - 1;
    }

    /** Allocates the first {@value #SIZE} pieces. */
    public void fill() {
        for (int i = 0; i < SIZE; i++) {
            live[i] = allocator.allocate(sizes[next++ & mask]);
        }
    }

    /** {@value #SIZE} operations: free the oldest, allocate the next. */
    public void turn() {
        Object[] live = this.live;
        for (int i = 0; i < SIZE; i++) {
            allocator.free(live[i]);
            live[i] = allocator.allocate(sizes[next++ & mask]);
        }
    }

    /** Frees every live piece. */
    public void empty() {
        for (int i = 0; i < SIZE; i++) {
            allocator.free(live[i]);
            live[i] = null;
        }
    }

    /** The live pieces (for tests). */
    Object[] live() {
        return live;
    }
}
