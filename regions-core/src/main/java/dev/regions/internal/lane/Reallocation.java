package dev.regions.internal.lane;

import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;

/**
 * {@code Region.reallocate}: C's {@code realloc} for a live piece of a lane. The piece is checked
 * as {@code free} checks it ({@link PieceFinder}); then it changes size where it is when its place
 * allows, else it moves.
 *
 * <ul>
 * <li><b>In place</b> when the new size is of the piece's size class (its place has the units),
 *     or, for a piece in a {@link LargeBlock}, when the block holds the new size and is at most
 *     twice what a new large piece of it would take (the rule of reuse in {@link LargeBlocks}).
 *     The code at the piece's unit gets the new size; bytes past the old size are zeroed if the
 *     lane zeroes; the live bytes move by the difference, which alone the limit checks. No
 *     allocation or free is counted. The segment returned has the piece's address and scope.
 * <li><b>Moving</b> otherwise (and from or to a zero-length piece): a new piece of the new size,
 *     the bytes copied, the old piece freed: one allocation and one free. The limit check leaves
 *     the old piece's bytes out ({@link Lane#limitCredit}), since they are freed once copied: it
 *     refuses only a new size over the limit less the other live pieces. The source may be asked
 *     for a block while both copies are held, and the gross limit counts that block.
 * </ul>
 * A refusal (the limit, the source) throws before anything changed: the piece stays live.
 */
public final class Reallocation {
    private Reallocation() {
    }

    /** Reallocates {@code piece}, a live piece of {@code lane} (else refused as {@code free} refuses it). */
    public static MemorySegment run(Lane lane, MemorySegment piece, long newSize) {
        if (lane.bump) {
            throw Refusals.bumpFree(lane.name);
        }
        if (lane.checked != null && (lane.checked.holds(piece.scope())
                || (lane.checksItsPieces() && lane.generations.find(piece.scope()) == null))) {
            return lane.checked.reallocate(piece, newSize);
        }
        PieceFinder.Found found;
        try {
            found = PieceFinder.find(lane, piece);
        } catch (IllegalArgumentException refusal) {
            throw Refusals.reworded(refusal, "reallocate");
        }
        long old = piece.byteSize();
        if (newSize == old) {
            return piece;
        }
        if (old > 0 && newSize > 0) {
            if (found.block() instanceof CarvedBlock block && newSize <= SizeClasses.MEDIUM_MAX
                    && SizeClasses.classOf(newSize) == SizeClasses.classOf(old)) {
                grow(lane, old, newSize);
                block.markFree(found.unit());
                block.markLive(found.unit(), newSize);
                return resized(lane, found.generation(), piece, old, newSize);
            }
            if (found.block() instanceof LargeBlock block && block.pieceOffset == 0) {
                long needs = SizeClasses.roundToBlock(newSize);
                if (needs > 0 && needs <= block.byteSize && block.byteSize / 2 <= needs) {
                    grow(lane, old, newSize);
                    block.liveSize = newSize;
                    MemorySegment resized = resized(lane, found.generation(), piece, Math.min(old, block.dirtyBytes),
                            newSize);
                    block.dirtyBytes = Math.max(block.dirtyBytes, newSize);
                    return resized;
                }
            }
        }
        return move(lane, piece, old, newSize);
    }

    /** Checks the limit for growing a piece in place from {@code old} to {@code newSize} bytes. */
    private static void grow(Lane lane, long old, long newSize) {
        if (newSize > old) {
            lane.checkLimit(newSize - old);
        }
    }

    /**
     * The piece at its place with its new size, bound to its generation, the bytes from {@code clean}
     * on zeroed if the lane zeroes; the stats moved.
     */
    private static MemorySegment resized(Lane lane, Generation generation, MemorySegment piece, long clean,
            long newSize) {
        MemorySegment resized = generation.bind(piece.address(), newSize);
        if (lane.zeroing && newSize > clean) {
            resized.asSlice(clean).fill((byte) 0);
        }
        long delta = newSize - piece.byteSize();
        generation.liveBytes += delta;
        lane.ledger.resized(delta);
        return resized;
    }

    private static MemorySegment move(Lane lane, MemorySegment piece, long old, long newSize) {
        MemorySegment moved;
        lane.limitCredit = old;
        try {
            moved = lane.allocate(newSize, 1);
        } finally {
            lane.limitCredit = 0;
        }
        MemorySegment.copy(piece, 0, moved, 0, Math.min(old, newSize));
        lane.free(piece);
        return moved;
    }
}
