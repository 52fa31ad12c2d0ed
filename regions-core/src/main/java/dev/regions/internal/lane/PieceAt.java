package dev.regions.internal.lane;

import dev.regions.internal.block.Block;
import dev.regions.internal.block.CarvedBlock;
import dev.regions.internal.block.LargeBlock;
import dev.regions.internal.block.SizeClasses;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;

/**
 * {@code Region.pieceAt}: the live piece of a lane that starts at an address, found the way
 * {@code free} finds one ({@link PieceFinder}), from the address alone: the block in the
 * {@link dev.regions.internal.block.AddressDirectory}, the code of the unit there (its exact
 * size), and the generation the piece belongs to (a large block's own record, a carved block's
 * {@link dev.regions.internal.block.PieceGenerations}). The piece is bound anew to that
 * generation's arena: a segment with the address, size and scope {@code allocate} returned, which
 * {@code free} takes as that piece. O(1); reads no native memory.
 *
 * <p>A checked piece is found in the checked records ({@link CheckedMode#pieceAt}), and is the
 * segment {@code allocate} returned, with its own scope; the raw piece around it (guard zones
 * included) is never handed out.
 */
public final class PieceAt {
    private PieceAt() {
    }

    /** The live piece of {@code lane} at {@code address}, or throws {@link IllegalArgumentException}. */
    public static MemorySegment find(Lane lane, long address) {
        if (lane.checked != null) {
            MemorySegment checked = lane.checked.pieceAt(address); // throws at a checked piece's guard zone
            if (checked != null) {
                return checked;
            }
        }
        if (lane.checksItsPieces() && !lane.holdsUncheckedPieces) {
            throw Refusals.noPieceAt(lane.name, address, "no live piece starts there (freed, inside a piece, or not"
                    + " this region's)");
        }
        for (Block block = lane.blockAt(address); block != null; block = block.shadowed) {
            // the lane's views hold the block (one comparison, as free's fast path), else ask its lease (locked)
            if (block.laneIndex == lane.laneIndex && block.contains(address)
                    && (block.slotOwner == lane.ledger || block.lease.isHeldBy(lane.ledger))) {
                return block instanceof LargeBlock large ? large(lane, large, address)
                        : carved(lane, (CarvedBlock) block, address);
            }
        }
        throw Refusals.noPieceAt(lane.name, address, "it is not in this region's memory (foreign, or another region's)");
    }

    private static MemorySegment large(Lane lane, LargeBlock block, long address) {
        if (!block.freeable) {
            throw Refusals.noPieceAt(lane.name, address, bump());
        }
        if (block.liveSize < 0 || block.base + block.pieceOffset != address) {
            throw Refusals.noPieceAt(lane.name, address, block.liveSize < 0 ? "its piece was freed"
                    : "it is inside a piece of " + block.liveSize + " bytes");
        }
        return bind(lane, block.generation, address, block.liveSize);
    }

    private static MemorySegment carved(Lane lane, CarvedBlock block, long address) {
        long offset = address - block.base;
        int unit = (int) (offset >>> SizeClasses.UNIT_SHIFT);
        long size = (offset & (SizeClasses.UNIT - 1)) == 0 && unit < block.top
                ? block.liveSizeAt(unit) : -1;
        if (size < 0) {
            throw Refusals.noPieceAt(lane.name, address, block.bumpCarved ? bump()
                    : "no live piece starts there (freed, ended by a reset, or inside a piece)");
        }
        return bind(lane, block.generations.at(unit), address, size);
    }

    private static MemorySegment bind(Lane lane, long generationId, long address, long size) {
        Generation generation = lane.generations.findById(generationId);
        if (generation == null || !generation.isAlive()) { // a piece a reset ended while a downcall held another scope
            throw Refusals.noPieceAt(lane.name, address, "its generation has ended");
        }
        return generation.bind(address, size);
    }

    private static String bump() {
        return "it is in a bump region's memory, whose pieces have no record of their own";
    }
}
