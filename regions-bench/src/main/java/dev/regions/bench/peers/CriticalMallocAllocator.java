package dev.regions.bench.peers;

import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * libc {@code malloc}/{@code free} through critical downcalls
 * ({@code Linker.Option.critical(false)}: no thread-state transition). Otherwise line for line
 * {@link MallocAllocator}, so that the two differ only in the downcall.
 */
final class CriticalMallocAllocator implements PieceAllocator {

    @Override
    @SuppressWarnings("restricted") // reinterpret: the size malloc was asked for
    public Object allocate(long size) {
        MemorySegment pointer = Libc.mallocCritical(size);
        if (pointer.address() == 0) {
            throw new OutOfMemoryError("malloc(" + size + ") returned NULL");
        }
        MemorySegment piece = pointer.reinterpret(size);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        Libc.freeCritical((MemorySegment) piece);
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            Libc.freeCritical((MemorySegment) pieces[i]);
        }
    }

    @Override
    public void close() {
    }
}
