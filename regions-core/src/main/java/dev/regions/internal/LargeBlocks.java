package dev.regions.internal;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * A heap's large pieces: each in a {@link LargeBlock} of its own, taken from the source when no
 * freed block of the heap fits.
 *
 * <p>A freed large block stays with the heap until its generation ends (see {@link LargeBlock}
 * for why) and serves the next large piece it fits: the smallest free block at least as large,
 * if it is at most twice as large (a bigger one would waste more than it saves; the piece then
 * gets a new block). Reusing a block costs zeroing only as far as earlier pieces reached, and
 * touches memory that is likely still in cache, where a new block costs a source call and the
 * zeroing of the whole piece. A reset or close gives every large block back.
 *
 * <p>Not thread-safe: guarded by the heap.
 */
final class LargeBlocks {
    /** Every large block the heap holds, with a piece or free. */
    final List<LargeBlock> blocks = new ArrayList<>();
    private final List<LargeBlock> free = new ArrayList<>();

    /** A large piece of {@code heap}: in a freed block that fits, or a new one; zeroed as the heap says. */
    MemorySegment allocate(Heap heap, long byteSize, long alignment) {
        long blockBytes = SizeClasses.roundToBlock(byteSize == 0 ? 2 * alignment : byteSize);
        if (blockBytes <= 0 || byteSize > SizeClasses.MAX_LARGE || blockBytes > SizeClasses.MAX_LARGE) {
            throw Checks.tooLarge(byteSize, alignment);
        }
        LargeBlock block = reuse(blockBytes, alignment);
        if (block == null) {
            block = heap.supply.newLargeBlock(blockBytes, alignment);
            blocks.add(block);
        }
        return handOut(block, heap.views.of(block), byteSize, byteSize == 0 ? alignment : 0, heap.zeroing, !heap.bump);
    }

    /** A freed block that fits {@code blockBytes} aligned to {@code byteAlignment}, taken off the free list; or null. */
    private LargeBlock reuse(long blockBytes, long byteAlignment) {
        int best = -1;
        for (int i = 0; i < free.size(); i++) {
            LargeBlock b = free.get(i);
            if (b.byteSize >= blockBytes && b.byteSize / 2 <= blockBytes && (b.base & (byteAlignment - 1)) == 0
                    && (best < 0 || b.byteSize < free.get(best).byteSize)) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        LargeBlock b = free.get(best);
        free.set(best, free.get(free.size() - 1));
        free.remove(free.size() - 1);
        return b;
    }

    /** Hands out {@code block} for a piece of {@code byteSize} bytes at {@code pieceOffset}, zeroed if asked. */
    private static MemorySegment handOut(LargeBlock block, MemorySegment view, long byteSize, long pieceOffset,
            boolean zeroing, boolean freeable) {
        block.liveSize = byteSize;
        block.pieceOffset = pieceOffset;
        block.freeable = freeable;
        long end = pieceOffset + byteSize;
        if (zeroing && block.dirtyBytes > pieceOffset) {
            view.asSlice(pieceOffset, Math.min(end, block.dirtyBytes) - pieceOffset).fill((byte) 0);
        }
        block.dirtyBytes = Math.max(block.dirtyBytes, end);
        return view.asSlice(pieceOffset, byteSize);
    }

    void freed(LargeBlock block) {
        block.liveSize = -1;
        free.add(block);
    }

    /** Gives every block back (after every generation of the heap ended). */
    void letGoAll(BlockSupply supply, Throwable[] failure) {
        for (LargeBlock b : blocks) {
            failure[0] = Checks.addFailure(failure[0], supply.letGo(b));
        }
        blocks.clear();
        free.clear();
    }

    /** Takes every block of {@code from} (a merge): moved blocks are held by this heap alone. */
    void takeAll(LargeBlocks from, Heap fromHeap, Heap toHeap) {
        for (LargeBlock b : from.blocks) {
            b.lease.transfer(fromHeap.ledger, toHeap.ledger);
            fromHeap.views.remove(b);
            toHeap.views.add(b);
            blocks.add(b);
        }
        free.addAll(from.free);
        from.blocks.clear();
        from.free.clear();
    }

    /** For the validator. */
    List<LargeBlock> freeBlocks() {
        return free;
    }
}
