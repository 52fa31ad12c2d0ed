package dev.regions.internal.checked;

import dev.regions.MemoryCorruptionException;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.MemorySegment;

/**
 * {@code pieceAt} and {@code reallocate} in the checked mode. A checked piece is found by its
 * address in the records ({@link CheckedPieces#byAddress}), which also know where each raw piece
 * starts, so that the raw piece (guard zones included) is never handed out. A reallocation always
 * moves: the piece handed back has a scope of its own, guard zones of its own, and the old piece's
 * scope ends, so that a stale segment of it throws as after a free.
 */
final class CheckedResize {
    private CheckedResize() {
    }

    static MemorySegment pieceAt(CheckedPieces pieces, Lane lane, long address) {
        CheckedPieces.Record record = pieces.byAddress.get(address);
        if (record == null) {
            return null;
        }
        if (record.piece.address() == address) {
            return record.piece;
        }
        throw Refusals.noPieceAt(lane.name, address, "it is the guard zone before checked piece #" + record.id
                + " (at 0x" + Long.toHexString(record.piece.address()) + ")");
    }

    /**
     * A new checked piece with the old one's bytes (up to the smaller size), then the old one freed.
     * A damaged guard zone is reported before anything changes; the limit leaves the old piece's
     * bytes out, as an unchecked reallocation that moves does. If a downcall holds the old piece,
     * its scope cannot end: the new piece is freed and nothing else changed (but the history counters).
     */
    static MemorySegment reallocate(CheckedPieces pieces, Lane lane, MemorySegment piece, long newByteSize) {
        CheckedPieces.Record record;
        try {
            record = pieces.recordOf(piece);
        } catch (IllegalArgumentException refusal) {
            throw Refusals.reworded(refusal, "reallocate");
        }
        MemoryCorruptionException damage = pieces.damage(record);
        if (damage != null) {
            throw damage;
        }
        if (newByteSize == record.byteSize) {
            return record.piece;
        }
        MemorySegment moved;
        lane.limitCredit = record.byteSize;
        try {
            moved = pieces.allocate(newByteSize, 1);
        } finally {
            lane.limitCredit = 0;
        }
        MemorySegment.copy(record.piece, 0, moved, 0, Math.min(record.byteSize, newByteSize));
        try {
            pieces.free(record.piece);
        } catch (IllegalStateException inUse) {
            pieces.free(moved);
            throw inUse;
        }
        return moved;
    }
}
