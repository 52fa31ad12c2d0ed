package dev.regions.internal.lane;

import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;

/**
 * The slow half of {@code free}: finds the piece a segment stands for when the fast path could
 * not (large, medium and empty pieces, pieces of a region composed on another, every mistake),
 * or says exactly why the segment is not a live piece of the lane. It reads only the Java-heap
 * metadata the lane wrote, never native memory.
 *
 * <p>A segment is a live piece of a lane if, and only if: it is native and writable; its scope is
 * one of the lane's generations ({@link Generations#find}); a block of the lane that the
 * lane holds covers its address (the directory's entry there, or an entry it shadows); the unit
 * is below the block's pointer; and a live piece of exactly its size starts at its address. The
 * scope alone proves nothing: a segment rebuilt from an address with
 * {@code reinterpret(size, region, null)} has the region's scope. What it cannot see: which of the
 * lanes that share a block through a merge owns a piece in it (recorded nowhere), so any of them
 * may free it.
 */
final class PieceFinder {
    private PieceFinder() {
    }

    record Found(Block block, int unit, Generation generation) {
    }

    static Found find(Lane lane, MemorySegment piece) {
        if (!piece.isNative()) {
            throw Refusals.notAPiece(lane.name, piece, "it is a Java-heap segment, not a piece of this region");
        }
        if (piece.isReadOnly()) {
            throw Refusals.notAPiece(lane.name, piece, "it is a read-only view; only the piece as it was handed out"
                    + " can free it");
        }
        Generation generation = lane.generations.find(piece.scope());
        if (generation == null) {
            throw Refusals.notAPiece(lane.name, piece, !piece.scope().isAlive()
                    ? "it is from an ended generation (allocated before a reset or close)"
                    : "it is not a piece of this region (foreign, or moved to another region by a merge)");
        }
        long address = piece.address();
        for (Block block = lane.blockAt(address); block != null; block = block.shadowed) {
            if (block.laneIndex == lane.laneIndex && block.contains(address)
                    && block.lease.isHeldBy(lane.ledger)) {
                return block instanceof LargeBlock large
                        ? checkLarge(lane, large, piece, generation)
                        : checkCarved(lane, (CarvedBlock) block, piece, generation);
            }
        }
        throw Refusals.notAPiece(lane.name, piece, "it is not a piece of this region (foreign, or moved to another region"
                + " by a merge)");
    }

    private static Found checkLarge(Lane lane, LargeBlock block, MemorySegment piece, Generation generation) {
        if (!block.freeable) {
            throw Refusals.notAPiece(lane.name, piece, bumpPiece());
        }
        if (block.liveSize < 0) {
            throw Refusals.notAPiece(lane.name, piece, "it was already freed");
        }
        if (block.base + block.pieceOffset != piece.address() || block.liveSize != piece.byteSize()) {
            throw Refusals.notAPiece(lane.name, piece, slice(block.liveSize));
        }
        return new Found(block, 0, generation);
    }

    private static Found checkCarved(Lane lane, CarvedBlock block, MemorySegment piece, Generation generation) {
        long offset = piece.address() - block.base;
        int unit = (int) (offset >>> SizeClasses.UNIT_SHIFT);
        if (unit >= block.top) { // codes above the pointer are left over from before a reset or a close
            throw Refusals.notAPiece(lane.name, piece, "no live piece of this region starts there (it was freed, or"
                    + " ended by a reset)");
        }
        // Which holder of a block shared through merges owns a piece is recorded nowhere: any holder
        // may free a live piece there (see "What free can tell" in the package documentation).
        long live = block.liveSizeAt(unit);
        if ((offset & (SizeClasses.UNIT - 1)) == 0 && live == piece.byteSize()) {
            return new Found(block, unit, generation);
        }
        if (live >= 0) {
            throw Refusals.notAPiece(lane.name, piece, slice(live));
        }
        long around = liveSizeAround(block, piece.address(), piece.byteSize());
        if (around >= 0) {
            throw Refusals.notAPiece(lane.name, piece, "it is a slice inside a piece of " + around + " bytes, not a piece");
        }
        throw Refusals.notAPiece(lane.name, piece, block.bumpCarved ? bumpPiece() : "it was already freed");
    }

    /** The size of a live piece that starts before {@code address} and holds the segment, or -1. */
    private static long liveSizeAround(CarvedBlock block, long address, long byteSize) {
        int unit = (int) ((address - block.base) >>> SizeClasses.UNIT_SHIFT);
        int lowest = Math.max(0, unit - (SizeClasses.MEDIUM_MAX >>> SizeClasses.UNIT_SHIFT));
        for (int u = Math.min(unit, block.units - 1); u >= lowest; u--) {
            long size = block.liveSizeAt(u);
            long start = block.base + ((long) u << SizeClasses.UNIT_SHIFT);
            if (size >= 0 && start < address) {
                return address + byteSize <= start + size ? size : -1;
            }
        }
        return -1;
    }

    private static String slice(long liveSize) {
        return "it is a slice of a piece of " + liveSize + " bytes, not a piece";
    }

    private static String bumpPiece() {
        return "it was allocated in a bump region, whose pieces are only released all at once";
    }
}
