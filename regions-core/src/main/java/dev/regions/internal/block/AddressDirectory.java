package dev.regions.internal.block;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The process-wide map from an address to the {@link Block} it lies in: how {@code free} finds a
 * piece's metadata in O(1) without reading a byte of native memory (so a forged or stale segment
 * can never make the allocator follow a pointer it did not write).
 *
 * <pre>
 *   address  ->  page  = address >>> 12        (4 KiB pages: blocks are 4 KiB-aligned multiples of 4 KiB)
 *   page     ->  leaf  = table[page >>> 14]     (an open-addressed table of leaves, copy on write)
 *            ->  block = leaf[page &amp; 0x3fff]    (a leaf covers 64 MiB of address space)
 * </pre>
 *
 * Every page of a block points at it, so that even a slice deep inside a large piece is
 * recognised (and refused with the right message): a 4 GiB piece costs a million entries, a few
 * milliseconds next to the memory it maps. Entries are published with release/acquire, and the
 * lane validates what it finds (generation, lane), so a stale entry is harmless. It is global,
 * not per region, so that a merge moves nothing here.
 *
 * <p>The directory is static, so what it references stays reachable: a {@link Block} references
 * no arena, lane or generation, which would keep its region from ever being reclaimed.
 *
 * <p><b>Shadowing, so that regions compose.</b> A region whose source is another region takes its
 * blocks from that region's pieces, so its block lies inside a block of the inner region. It then
 * shadows the inner block ({@link Block#shadowed}) instead of overwriting it, and gives the pages
 * back when it is unregistered; a lookup that finds a block of another lane tries the one it
 * shadows.
 *
 * <p>Cannot: shrink. Leaves stay once created (64 KiB of Java heap each; a process touches a few).
 */
public final class AddressDirectory {
    private AddressDirectory() {
    }

    static final int PAGE_SHIFT = 12;
    private static final int LEAF_BITS = 14;
    private static final int LEAF_MASK = (1 << LEAF_BITS) - 1;
    private static final VarHandle ENTRY = MethodHandles.arrayElementVarHandle(Block[].class);

    /** Immutable once published; replaced whole (under the class lock) when a leaf is added. */
    private record Table(long[] keys, Block[][] leaves, int size) {
    }

    private static volatile Table table = new Table(new long[64], new Block[64][], 0);

    /** The block at {@code address}, or null. */
    public static Block lookup(long address) {
        Block[] leaf = leaf(leafKey(address));
        return leaf == null ? null : entry(leaf, address);
    }

    /**
     * The key of the leaf that covers {@code address}. A leaf, once created, is never replaced, so
     * a caller may keep the leaf of a key it looks up often.
     */
    public static long leafKey(long address) {
        return address >>> (PAGE_SHIFT + LEAF_BITS);
    }

    /** The leaf of {@code key}, or null if no block was ever registered there. */
    public static Block[] leaf(long key) {
        return leaf(table, key);
    }

    public static Block entry(Block[] leaf, long address) {
        return (Block) ENTRY.getAcquire(leaf, (int) ((address >>> PAGE_SHIFT) & LEAF_MASK));
    }

    /**
     * Points every page of {@code block} at it; it shadows the block found at its first page. All
     * or nothing: the leaves are made first, so an {@link OutOfMemoryError} leaves no entry behind.
     */
    public static void register(Block block) {
        long first = block.base >>> PAGE_SHIFT;
        long last = (block.base + block.byteSize - 1) >>> PAGE_SHIFT;
        for (long key = first >>> LEAF_BITS; key <= last >>> LEAF_BITS; key++) {
            leafCreating(key);
        }
        block.shadowed = lookup(block.base);
        for (long page = first; page <= last; page++) {
            ENTRY.setRelease(leaf(table, page >>> LEAF_BITS), (int) (page & LEAF_MASK), block);
        }
    }

    /** Gives every page that still points at {@code block} back to the block it shadowed. */
    public static void unregister(Block block) {
        long first = block.base >>> PAGE_SHIFT;
        long last = (block.base + block.byteSize - 1) >>> PAGE_SHIFT;
        for (long page = first; page <= last; page++) {
            Block[] leaf = leaf(table, page >>> LEAF_BITS);
            if (leaf != null) {
                ENTRY.compareAndSet(leaf, (int) (page & LEAF_MASK), block, block.shadowed);
            }
        }
    }

    private static Block[] leaf(Table t, long key) {
        long[] keys = t.keys;
        int mask = keys.length - 1;
        for (int i = hash(key) & mask; ; i = (i + 1) & mask) {
            long k = keys[i];
            if (k == key + 1) {
                return t.leaves[i];
            }
            if (k == 0) {
                return null;
            }
        }
    }

    private static Block[] leafCreating(long key) {
        Block[] leaf = leaf(table, key);
        return leaf != null ? leaf : addLeaf(key);
    }

    private static synchronized Block[] addLeaf(long key) {
        Table t = table;
        Block[] leaf = leaf(t, key);
        if (leaf != null) {
            return leaf;
        }
        int capacity = t.keys.length;
        if ((t.size + 1) * 2 > capacity) {
            capacity *= 2;
        }
        long[] keys = new long[capacity];
        Block[][] leaves = new Block[capacity][];
        for (int j = 0; j < t.keys.length; j++) {
            if (t.keys[j] != 0) {
                insert(keys, leaves, t.keys[j] - 1, t.leaves[j]);
            }
        }
        leaf = new Block[1 << LEAF_BITS];
        insert(keys, leaves, key, leaf);
        table = new Table(keys, leaves, t.size + 1);
        return leaf;
    }

    private static void insert(long[] keys, Block[][] leaves, long key, Block[] leaf) {
        int mask = keys.length - 1;
        int i = hash(key) & mask;
        while (keys[i] != 0) {
            i = (i + 1) & mask;
        }
        keys[i] = key + 1;
        leaves[i] = leaf;
    }

    private static int hash(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) (h >>> 40);
    }
}
