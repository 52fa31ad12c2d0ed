package dev.regions.bench.peers;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * libc {@code malloc}/{@code free} through a plain downcall, used the way a careful user would:
 * check for NULL, then {@code reinterpret(size)} so that every access is bounds-checked, and free
 * the segment's address. No bulk release: {@link #releaseAll} frees one by one.
 * {@link CriticalMallocAllocator} is the same code on critical downcalls.
 */
final class MallocAllocator implements PieceAllocator {

    @Override
    @SuppressWarnings("restricted") // reinterpret: the size malloc was asked for
    public Object allocate(long size) {
        MemorySegment pointer = Libc.malloc(size);
        if (pointer.address() == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
        }
        MemorySegment piece = pointer.reinterpret(size);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        Libc.free((MemorySegment) piece);
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            Libc.free((MemorySegment) pieces[i]);
        }
    }

    @Override
    public void close() {
    }
}
