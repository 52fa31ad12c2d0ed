package dev.regions.bench.peers;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The calibration floor of W1: the least a Java allocator that hands out {@code MemorySegment}s
 * and takes them back one by one can do. Sixteen size classes (16..256 bytes) of slots carved up
 * front, an {@code int} stack of free slots per class, one {@code asSlice} per piece, and nothing
 * else: no check of what is freed, no figures, no limit, no scopes of its own. With
 * {@code zeroing}, each piece is zero-filled with {@code MemorySegment.fill}, as Regions does by
 * default. Pieces of up to 256 bytes only, and {@value #SLOTS} live pieces per class at most.
 */
final class FloorAllocator implements PieceAllocator {
    private static final int CLASSES = 16;
    private static final int SLOTS = 4096;

    private final boolean zeroing;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment backing;
    private final long[] base = new long[CLASSES];
    private final int[][] free = new int[CLASSES][SLOTS];
    private final int[] top = new int[CLASSES];

    FloorAllocator(boolean zeroing) {
        this.zeroing = zeroing;
        long offset = 0;
        for (int c = 0; c < CLASSES; c++) {
            base[c] = offset;
            offset += (long) SLOTS * slotSize(c);
            for (int i = 0; i < SLOTS; i++) {
                free[c][i] = SLOTS - 1 - i;
            }
            top[c] = SLOTS;
        }
        backing = arena.allocate(offset, 4096);
    }

    private static int slotSize(int sizeClass) {
        return (sizeClass + 1) << 4;
    }

    @Override
    public Object allocate(long size) {
        int c = (int) ((size + 15) >>> 4) - 1;
        int slot = free[c][--top[c]];
        MemorySegment piece = backing.asSlice(base[c] + (long) slot * slotSize(c), size);
        if (zeroing) {
            piece.fill((byte) 0);
        }
        piece.set(JAVA_BYTE, 0, (byte) 1);
        return piece;
    }

    @Override
    public void free(Object handle) {
        MemorySegment piece = (MemorySegment) handle;
        int c = (int) ((piece.byteSize() + 15) >>> 4) - 1;
        long offset = piece.address() - backing.address() - base[c];
        free[c][top[c]++] = (int) (offset / slotSize(c));
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            free(pieces[i]);
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
