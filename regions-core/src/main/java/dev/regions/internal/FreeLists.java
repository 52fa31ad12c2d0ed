package dev.regions.internal;

/**
 * A heap's freed small and medium pieces, one stack per size class: a freed piece's units serve
 * the next piece of its class (PostgreSQL's {@code aset.c} keeps per-size free lists the same
 * way). Entries are (block, unit) pairs on the Java heap, never links in the freed memory: a
 * caller writing through a freed piece cannot make allocation follow a pointer it wrote.
 *
 * <p>Each stack is a chain of fixed-size chunks, so that a merge splices the source's stacks
 * onto the destination's in O(size classes), whatever the number of freed pieces. Not
 * thread-safe: guarded by the heap.
 */
final class FreeLists {
    private static final int CHUNK = 64;

    private static final class Chunk {
        final CarvedBlock[] blocks = new CarvedBlock[CHUNK];
        final int[] units = new int[CHUNK];
        int count;
        Chunk next;
    }

    private final Chunk[] heads = new Chunk[SizeClasses.COUNT];
    private final Chunk[] tails = new Chunk[SizeClasses.COUNT];
    /** The block of the entry {@link #pop} returned last. */
    CarvedBlock popped;

    /** Pushes the units of a freed piece of class {@code sizeClass} at {@code unit}. */
    void push(int sizeClass, CarvedBlock block, int unit) {
        Chunk head = heads[sizeClass];
        if (head == null || head.count == CHUNK) {
            head = addChunk(sizeClass, head);
        }
        int i = head.count++;
        head.blocks[i] = block;
        head.units[i] = unit;
    }

    private Chunk addChunk(int sizeClass, Chunk head) {
        Chunk chunk = new Chunk();
        chunk.next = head;
        heads[sizeClass] = chunk;
        if (head == null) {
            tails[sizeClass] = chunk;
        }
        return chunk;
    }

    /** The unit of a freed piece of {@code sizeClass} (its block in {@link #popped}), or -1 if there is none. */
    int pop(int sizeClass) {
        Chunk head = heads[sizeClass];
        if (head == null || head.count == 0) {
            head = dropEmpty(sizeClass);
            if (head == null) {
                return -1;
            }
        }
        int i = --head.count;
        popped = head.blocks[i];
        head.blocks[i] = null;
        return head.units[i];
    }

    private Chunk dropEmpty(int sizeClass) {
        Chunk head = heads[sizeClass];
        while (head != null && head.count == 0) {
            head = head.next;
        }
        heads[sizeClass] = head;
        if (head == null) {
            tails[sizeClass] = null;
        }
        return head;
    }

    /** Moves every entry of {@code from} onto this heap's stacks (a merge). */
    void takeAll(FreeLists from) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            if (from.heads[c] == null) {
                continue;
            }
            from.tails[c].next = heads[c];
            if (heads[c] == null) {
                tails[c] = from.tails[c];
            }
            heads[c] = from.heads[c];
            from.heads[c] = from.tails[c] = null;
        }
    }

    void clear() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            heads[c] = tails[c] = null;
        }
        popped = null;
    }

    /** For the validator: calls {@code visitor} with every entry. */
    void forEach(EntryVisitor visitor) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            for (Chunk chunk = heads[c]; chunk != null; chunk = chunk.next) {
                for (int i = 0; i < chunk.count; i++) {
                    visitor.visit(c, chunk.blocks[i], chunk.units[i]);
                }
            }
        }
    }

    interface EntryVisitor {
        void visit(int sizeClass, CarvedBlock block, int unit);
    }
}
