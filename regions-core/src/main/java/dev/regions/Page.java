package dev.regions;

import java.lang.foreign.MemorySegment;

/**
 * A run of equal slots of one size class, carved from a {@link Chunk} and bound to one
 * {@link Generation}. It is the unit that {@code free} finds in O(1) from a piece's address.
 *
 * <pre>
 *   base (4096-aligned)
 *   | slot 0 | slot 1 | slot 2 | ... | slot n-1 | (tail waste &lt; one slot)
 *   sizes[i]     = requested size of slot i + 1, or 0 when slot i is free
 *   freeSlots    = stack of freed slot numbers;  bump = first slot never handed out
 * </pre>
 *
 * All slot state lives on the Java heap, never in the slots: a caller who keeps writing through
 * a freed piece can scribble over the bytes of a later piece, but never over anything the
 * allocator reads. Storing the requested size lets {@code free} reject double frees and slices
 * and keeps live bytes exact.
 *
 * <p>Not thread-safe: guarded by the owning heap.
 */
final class Page extends Block {
    final Chunk chunk;
    final long base;
    final MemorySegment view;
    final int sizeClass;
    final int slotSize;
    final int slotCount;
    /** 2^32 / slotSize, rounded up: see {@link #liveSlotAt}. */
    private final long reciprocal;

    private final char[] sizes;
    private char[] freeSlots;
    private int freeTop;
    private int bump;
    int liveCount;

    /** Links in the heap's list of pages of this class that have a free slot. */
    Page prevPartial;
    Page nextPartial;
    boolean partial;

    Page(Chunk chunk, long base, int sizeClass, Generation generation) {
        super(generation);
        this.chunk = chunk;
        this.base = base;
        this.sizeClass = sizeClass;
        this.slotSize = SizeClasses.size(sizeClass);
        int pageBytes = SizeClasses.pageBytes(sizeClass);
        this.slotCount = pageBytes / slotSize;
        this.reciprocal = ((1L << 32) + slotSize - 1) / slotSize;
        this.sizes = new char[slotCount];
        this.view = generation.bind(base, pageBytes);
    }

    boolean isFull() {
        return freeTop == 0 && bump == slotCount;
    }

    /** Takes a free slot (the page must not be full) for a piece of {@code byteSize} bytes. */
    int take(long byteSize) {
        int slot = freeTop > 0 ? freeSlots[--freeTop] : bump++;
        sizes[slot] = (char) (byteSize + 1);
        liveCount++;
        return slot;
    }

    /** The slot that starts at {@code offset} from the base, or -1 if no slot starts there. */
    int slotAt(long offset) {
        if (offset < 0 || offset >= (long) slotCount * slotSize) {
            return -1;
        }
        int slot = (int) offset / slotSize;
        return slot * slotSize == offset ? slot : -1;
    }

    /**
     * The slot of the live piece of {@code byteSize} bytes (1 or more) that starts at
     * {@code offset}, or -1 if there is none. Divides by the slot size with a multiply and a
     * shift: offsets are under 2^16 and slots at most 2^13 bytes, where that is exact.
     */
    int liveSlotAt(long offset, long byteSize) {
        if (offset < 0 || offset >= SizeClasses.MAX_PAGE) {
            return -1;
        }
        int slot = (int) ((offset * reciprocal) >>> 32);
        return slot < slotCount && (long) slot * slotSize == offset && sizes[slot] == byteSize + 1 ? slot : -1;
    }

    /** The requested size of the live piece in {@code slot}, or -1 if the slot is free. */
    long liveSize(int slot) {
        return sizes[slot] - 1L;
    }

    void release(int slot) {
        sizes[slot] = 0;
        if (freeSlots == null) {
            freeSlots = new char[slotCount];
        }
        freeSlots[freeTop++] = (char) slot;
        liveCount--;
    }

    /** For the validator: live slots, free slots and never-used slots partition the page. */
    String check() {
        boolean[] onStack = new boolean[slotCount];
        for (int i = 0; i < freeTop; i++) {
            int s = freeSlots[i];
            if (s >= bump) {
                return "free slot " + s + " beyond bump " + bump;
            }
            if (onStack[s]) {
                return "slot " + s + " twice on the free stack";
            }
            if (sizes[s] != 0) {
                return "slot " + s + " both free and live";
            }
            onStack[s] = true;
        }
        int live = 0;
        for (int s = 0; s < slotCount; s++) {
            if (sizes[s] != 0) {
                if (s >= bump) {
                    return "live slot " + s + " beyond bump " + bump;
                }
                if (sizes[s] - 1 > slotSize) {
                    return "slot " + s + " holds " + (sizes[s] - 1) + " bytes, more than its " + slotSize;
                }
                live++;
            } else if (s < bump && !onStack[s]) {
                return "slot " + s + " is neither live nor free";
            }
        }
        return live == liveCount ? null : "live count " + liveCount + " but " + live + " live slots";
    }

    long liveBytes() {
        long sum = 0;
        for (char s : sizes) {
            sum += s == 0 ? 0 : s - 1;
        }
        return sum;
    }
}
