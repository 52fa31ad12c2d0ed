package dev.regions.bench.peers;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The seed design, the baseline Regions descends from: the ScriptBasic segment allocator.
 *
 * <p>What the original (C) did: a segment owned a doubly linked list of units. {@code alloc_Alloc}
 * called the segment's {@code malloc} for the piece's size plus a header (the size, and the next
 * and previous units), linked the unit in at the head of the list and returned the address just
 * past the header; {@code alloc_Free} stepped back to the header, unlinked the unit (writing its
 * neighbours' headers) and called {@code free}; {@code alloc_FreeSegment} walked the list and freed
 * every unit. It kept the live and peak byte counts.
 *
 * <p>This is a faithful Java transcription: one plain {@code malloc} downcall per piece for
 * {@code size + 24}, the 24-byte header (size, next, prev) read and written with
 * {@code MemorySegment} accessors at absolute addresses, the same unlinking and the same walk.
 * Single-threaded, as the original was without its optional global mutex. The piece handed out is
 * {@code MemorySegment.ofAddress(unit + 24).reinterpret(size)}.
 */
final class SeedAllocator implements PieceAllocator {
    static final long HEADER = 24;
    private static final long SIZE = 0;
    private static final long NEXT = 8;
    private static final long PREV = 16;

    /** All of memory, for header accesses at absolute addresses (C's pointer dereference). */
    @SuppressWarnings("restricted")
    private static final MemorySegment MEMORY = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);

    private long first;          // address of the first unit, 0 for none
    private long liveBytes;      // the original's CurrentSize
    private long peakBytes;      // the original's MaxSize
    private long units;

    @Override
    @SuppressWarnings("restricted") // reinterpret: the size malloc was asked for
    public Object allocate(long size) {
        long unit = Libc.malloc(HEADER + size).address();
        if (unit == 0) {
            throw new OutOfMemoryError("malloc(" + (HEADER + size) + ") returned NULL");
        }
        MEMORY.set(JAVA_LONG, unit + SIZE, size);
        MEMORY.set(JAVA_LONG, unit + NEXT, first);
        MEMORY.set(JAVA_LONG, unit + PREV, 0L);
        if (first != 0) {
            MEMORY.set(JAVA_LONG, first + PREV, unit);
        }
        first = unit;
        units++;
        liveBytes += size;
        if (liveBytes > peakBytes) {
            peakBytes = liveBytes;
        }
        MemorySegment piece = MemorySegment.ofAddress(unit + HEADER).reinterpret(size);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        long unit = ((MemorySegment) piece).address() - HEADER;
        long next = MEMORY.get(JAVA_LONG, unit + NEXT);
        long prev = MEMORY.get(JAVA_LONG, unit + PREV);
        if (prev != 0) {
            MEMORY.set(JAVA_LONG, prev + NEXT, next);
        } else {
            first = next;
        }
        if (next != 0) {
            MEMORY.set(JAVA_LONG, next + PREV, prev);
        }
        units--;
        liveBytes -= MEMORY.get(JAVA_LONG, unit + SIZE);
        Libc.free(MemorySegment.ofAddress(unit));
    }

    /** {@code alloc_FreeSegment}: walks the list and frees every unit; the handles are not needed. */
    @Override
    public void releaseAll(Object[] pieces, int count) {
        long unit = first;
        while (unit != 0) {
            long next = MEMORY.get(JAVA_LONG, unit + NEXT);
            Libc.free(MemorySegment.ofAddress(unit));
            unit = next;
        }
        first = 0;
        units = 0;
        liveBytes = 0;
    }

    /** What the seed asked malloc for: the live bytes plus a header per unit. */
    @Override
    public long ownBytes() {
        return liveBytes + units * HEADER;
    }

    long peakBytes() {
        return peakBytes;
    }

    @Override
    public void close() {
        releaseAll(null, 0);
    }
}
