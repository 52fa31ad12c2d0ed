package dev.regions.internal.lane;

import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.SizeClasses;

import java.util.Arrays;

/**
 * A lane's freed small and medium pieces, one stack per size class: a freed piece's units serve
 * the next piece of its class (PostgreSQL's {@code aset.c} keeps per-size free lists the same
 * way). Entries are (block, unit) pairs in arrays on the Java heap, never links in the freed
 * memory: a caller writing through a freed piece cannot make allocation follow a pointer it wrote.
 *
 * <p>A merge hands the source's stacks to the destination whole: they wait in a chain behind the
 * destination's own stack of each class and take its place when it runs dry, so a merge costs
 * O(size classes) whatever the number of freed pieces, and the hot path stays two flat arrays.
 * Not thread-safe: used only under the lane's access (its thread, or its lock).
 */
public final class FreeLists {
    private static final int FIRST_CAPACITY = 16;

    private final CarvedBlock[][] blocks = new CarvedBlock[SizeClasses.COUNT][];
    private final int[][] units = new int[SizeClasses.COUNT][];
    private final int[] counts = new int[SizeClasses.COUNT];
    /** Stacks a merge handed over, per class, used once the class's own stack is empty; and the last of each chain. */
    private final Handed[] handed = new Handed[SizeClasses.COUNT];
    private final Handed[] handedLast = new Handed[SizeClasses.COUNT];
    /** Whether a merge handed over stacks since the last {@link #clear}: else there are no chains to clear. */
    private boolean anyHanded;
    /** The block of the entry {@link #pop} returned last. */
    CarvedBlock popped;

    /** One handed-over stack, and the next (a plain class: Lincheck cannot restore records' fields). */
    private static final class Handed {
        final CarvedBlock[] blocks;
        final int[] units;
        final int count;
        Handed next;

        Handed(CarvedBlock[] blocks, int[] units, int count, Handed next) {
            this.blocks = blocks;
            this.units = units;
            this.count = count;
            this.next = next;
        }
    }

    /** Pushes the units of a freed piece of class {@code sizeClass} at {@code unit}. */
    void push(int sizeClass, CarvedBlock block, int unit) {
        int n = counts[sizeClass];
        CarvedBlock[] b = blocks[sizeClass];
        if (b == null || n == b.length) {
            b = grow(sizeClass);
        }
        b[n] = block;
        units[sizeClass][n] = unit;
        counts[sizeClass] = n + 1;
    }

    private CarvedBlock[] grow(int sizeClass) {
        CarvedBlock[] b = blocks[sizeClass];
        int capacity = b == null ? FIRST_CAPACITY : b.length * 2;
        blocks[sizeClass] = b = b == null ? new CarvedBlock[capacity] : Arrays.copyOf(b, capacity);
        units[sizeClass] = units[sizeClass] == null ? new int[capacity] : Arrays.copyOf(units[sizeClass], capacity);
        return b;
    }

    /** The unit of a freed piece of {@code sizeClass} (its block in {@link #popped}), or -1 if there is none. */
    int pop(int sizeClass) {
        int n = counts[sizeClass] - 1;
        if (n < 0) {
            if (handed[sizeClass] == null) {
                return -1;
            }
            n = takeHanded(sizeClass) - 1;
        }
        counts[sizeClass] = n;
        popped = blocks[sizeClass][n];
        return units[sizeClass][n];
    }

    /** The class's own stack is empty: the next handed-over stack takes its place; returns its size. */
    private int takeHanded(int sizeClass) {
        Handed h = handed[sizeClass];
        handed[sizeClass] = h.next;
        if (h.next == null) {
            handedLast[sizeClass] = null;
        }
        blocks[sizeClass] = h.blocks;
        units[sizeClass] = h.units;
        return counts[sizeClass] = h.count;
    }

    /** Takes every entry of {@code from} (a merge), in O(size classes): its chains are spliced in front of ours. */
    void takeAll(FreeLists from) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            Handed first = from.handed[c];
            Handed last = from.handedLast[c];
            if (from.counts[c] > 0) {
                first = new Handed(from.blocks[c], from.units[c], from.counts[c], first);
                if (last == null) {
                    last = first;
                }
            }
            if (first != null) {
                anyHanded = true;
                last.next = handed[c];
                if (handed[c] == null) {
                    handedLast[c] = last;
                }
                handed[c] = first;
            }
            from.blocks[c] = null;
            from.units[c] = null;
            from.counts[c] = 0;
            from.handed[c] = null;
            from.handedLast[c] = null;
        }
        from.popped = null;
        from.anyHanded = false;
    }

    void clear() {
        Arrays.fill(counts, 0);
        if (anyHanded) { // six cache lines a reset of a region that received no merge need not write
            Arrays.fill(handed, null);
            Arrays.fill(handedLast, null);
            anyHanded = false;
        }
        popped = null;
    }

    /** For the validator: calls {@code visitor} with every entry. */
    public void forEach(EntryVisitor visitor) {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            for (int i = 0; i < counts[c]; i++) {
                visitor.visit(c, blocks[c][i], units[c][i]);
            }
            for (Handed h = handed[c]; h != null; h = h.next) {
                for (int i = 0; i < h.count; i++) {
                    visitor.visit(c, h.blocks[i], h.units[i]);
                }
            }
        }
    }

    public interface EntryVisitor {
        void visit(int sizeClass, CarvedBlock block, int unit);
    }
}
