package dev.regions.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The JDK's way to release many pieces at once: one {@link Arena} (confined or shared) holds
 * every piece of a round; the bulk release closes it and opens the next one. Pieces cannot be
 * freed one by one.
 */
final class ArenaRoundAllocator implements PieceAllocator {
    private final boolean shared;
    private Arena arena;

    ArenaRoundAllocator(boolean shared) {
        this.shared = shared;
        this.arena = open();
    }

    private Arena open() {
        return shared ? Arena.ofShared() : Arena.ofConfined();
    }

    @Override
    public Object allocate(long size) {
        MemorySegment piece = arena.allocate(size);
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object piece) {
        throw new UnsupportedOperationException("an arena frees its pieces only all at once");
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        arena.close();
        arena = open();
    }

    @Override
    public void close() {
        arena.close();
    }
}
