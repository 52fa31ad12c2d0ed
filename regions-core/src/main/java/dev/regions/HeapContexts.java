package dev.regions;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The context values of {@link NativeHeap}s: what native code passes back as {@code opaque} or
 * {@code ud}, turned into the heap in two array reads, with no map per call. A context is a slot
 * number and the slot's use count, so that a library still holding the context of a heap whose
 * region is gone finds no heap (and its call is refused), even once the slot serves another heap.
 * Slots hold heaps weakly; a slot whose heap was collected is reused.
 */
final class HeapContexts {
    private HeapContexts() {
    }

    private static final class Slot extends WeakReference<NativeHeap> {
        final int index;
        final int use;

        Slot(NativeHeap heap, int index, int use, ReferenceQueue<NativeHeap> queue) {
            super(heap, queue);
            this.index = index;
            this.use = use;
        }
    }

    private static final ReferenceQueue<NativeHeap> GONE = new ReferenceQueue<>();
    private static final ArrayDeque<Integer> FREE = new ArrayDeque<>();
    /** Replaced whole when it grows (read without a lock by the stubs); entries written under the class lock. */
    private static volatile Slot[] slots = new Slot[16];
    private static int used;

    /** A context for {@code heap}: never 0, so that no library takes it for {@code NULL}. */
    static synchronized long register(NativeHeap heap) {
        for (Object gone; (gone = GONE.poll()) != null; ) {
            FREE.add(((Slot) gone).index);
        }
        Slot[] s = slots;
        int index;
        int use;
        if (!FREE.isEmpty()) {
            index = FREE.poll();
            use = s[index].use + 1;
        } else {
            if (used == s.length) {
                slots = s = Arrays.copyOf(s, s.length * 2);
            }
            index = used++;
            use = 1;
        }
        s[index] = new Slot(heap, index, use, GONE);
        return (long) use << 32 | index;
    }

    /** The heap named by {@code context}, or null if it is gone or the context names none. */
    static NativeHeap find(long context) {
        Slot[] s = slots;
        int index = (int) context;
        if (index < 0 || index >= s.length) {
            return null;
        }
        Slot slot = s[index];
        return slot != null && slot.use == (int) (context >>> 32) ? slot.get() : null;
    }
}
