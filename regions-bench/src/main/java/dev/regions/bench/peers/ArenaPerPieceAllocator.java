package dev.regions.bench.peers;

import java.lang.foreign.Arena;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The JDK's way to free one native piece: a confined {@link Arena} per piece. Allocate opens an
 * arena and allocates the piece in it; free closes that arena. The handle is the arena (what a
 * user must keep to free the piece).
 */
final class ArenaPerPieceAllocator implements PieceAllocator {

    @Override
    public Object allocate(long size) {
        Arena arena = Arena.ofConfined();
        arena.allocate(size).set(JAVA_BYTE, 0, (byte) 1);
        return arena;
    }

    @Override
    public void free(Object piece) {
        ((Arena) piece).close();
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            ((Arena) pieces[i]).close();
        }
    }

    @Override
    public void close() {
    }
}
