package dev.regions.internal.lane;

import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A lane's large pieces: each in a {@link LargeBlock} of its own, taken from the source when no
 * freed block of the lane fits.
 *
 * <p>A freed large block stays with the lane until its generation ends (see {@link LargeBlock}
 * for why) and serves the next large piece it fits: a free block at least as large, if it is at
 * most twice as large (a bigger one would waste more than it saves; the piece then gets a new
 * block). Reusing a block costs zeroing only as far as earlier pieces reached, and touches memory
 * that is likely still in cache, where a new block costs a source call and the zeroing of the
 * whole piece. A reset or close gives every large block back.
 *
 * <p>Free blocks wait in buckets of four per doubling of their size, so that finding one looks at
 * a few buckets, not at every free block: a lane that serves pieces of many sizes may hold
 * hundreds (a linear scan of them was most of W4's time without zeroing). The search takes the
 * smallest bucket that holds a block that fits, and in it the last one that fits: usually the
 * most recently freed, whose memory is the likeliest to be in cache.
 *
 * <p>Not thread-safe: used only under the lane's access (its thread, or its lock).
 */
public final class LargeBlocks {
    /** Buckets per doubling of the block size. */
    private static final int PER_DOUBLING = 4;

    /** Every large block the lane holds, with a piece or free. */
    public final List<LargeBlock> blocks = new ArrayList<>();
    /** Free blocks by {@link #bucket}; null until used. */
    private final List<LargeBlock>[] free = newBuckets();

    @SuppressWarnings("unchecked")
    private static List<LargeBlock>[] newBuckets() {
        return (List<LargeBlock>[]) new List<?>[64 * PER_DOUBLING];
    }

    /** The bucket of a block of {@code bytes} (at least 4 KiB): its doubling, then which quarter of it. */
    static int bucket(long bytes) {
        int log = 63 - Long.numberOfLeadingZeros(bytes);
        return log * PER_DOUBLING + (int) ((bytes >>> (log - 2)) & (PER_DOUBLING - 1));
    }

    /** A large piece of {@code lane}: in a freed block that fits, or a new one; zeroed as the lane says. */
    MemorySegment allocate(Lane lane, long byteSize, long alignment) {
        long blockBytes = SizeClasses.roundToBlock(byteSize == 0 ? 2 * alignment : byteSize);
        if (blockBytes <= 0 || byteSize > SizeClasses.MAX_LARGE || blockBytes > SizeClasses.MAX_LARGE) {
            throw Refusals.tooLarge(byteSize, alignment);
        }
        LargeBlock block = reuse(blockBytes, alignment);
        if (block == null) {
            block = lane.supply.newLargeBlock(blockBytes, alignment);
            blocks.add(block);
        }
        block.generation = lane.generations.current.id;
        return handOut(block, lane.views.of(block), byteSize, byteSize == 0 ? alignment : 0, lane.zeroing, !lane.bump);
    }

    /**
     * A freed block of {@code blockBytes} to twice that, aligned to {@code byteAlignment}, taken
     * off its bucket; or null. Looks at the buckets from the one {@code blockBytes} falls in to
     * the one twice it falls in.
     */
    private LargeBlock reuse(long blockBytes, long byteAlignment) {
        int last = Math.min(free.length - 1, bucket(Math.min(blockBytes, SizeClasses.MAX_LARGE / 2) * 2));
        for (int b = bucket(blockBytes); b <= last; b++) {
            List<LargeBlock> bucket = free[b];
            if (bucket == null) {
                continue;
            }
            for (int i = bucket.size() - 1; i >= 0; i--) {
                LargeBlock block = bucket.get(i);
                if (block.byteSize >= blockBytes && block.byteSize / 2 <= blockBytes
                        && (block.base & (byteAlignment - 1)) == 0) {
                    LargeBlock lastOne = bucket.remove(bucket.size() - 1);
                    if (i < bucket.size()) {
                        bucket.set(i, lastOne);
                    }
                    return block;
                }
            }
        }
        return null;
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
        int b = bucket(block.byteSize);
        List<LargeBlock> bucket = free[b];
        if (bucket == null) {
            free[b] = bucket = new ArrayList<>();
        }
        bucket.add(block);
    }

    /** Gives every block back (after every generation of the lane ended). */
    void letGoAll(BlockSupply supply, Throwable[] failure) {
        if (blocks.isEmpty()) {
            return; // every free block is one of blocks: the buckets hold none (no 1 KiB fill per reset)
        }
        for (LargeBlock b : blocks) {
            failure[0] = Refusals.addFailure(failure[0], supply.letGo(b));
        }
        blocks.clear();
        Arrays.fill(free, null);
    }

    /** Takes every block of {@code from} (a merge): moved blocks are held by this lane alone. */
    void takeAll(LargeBlocks from, Lane fromLane, Lane toLane) {
        for (LargeBlock b : from.blocks) {
            b.lease.transfer(fromLane.ledger, toLane.ledger);
            fromLane.views.remove(b);
            toLane.views.add(b);
            blocks.add(b);
        }
        for (LargeBlock b : from.freeBlocks()) {
            freed(b);
        }
        from.blocks.clear();
        Arrays.fill(from.free, null);
    }

    /** Every free block (for a merge and the validator). */
    public List<LargeBlock> freeBlocks() {
        List<LargeBlock> all = new ArrayList<>();
        for (List<LargeBlock> bucket : free) {
            if (bucket != null) {
                all.addAll(bucket);
            }
        }
        return all;
    }
}
