package dev.regions.internal.lane;

import java.lang.foreign.MemorySegment;

/**
 * The checked mode as a lane sees it: the records and guard zones of its checked pieces. The
 * checked layer above implements it ({@code CheckedPieces}); a lane only calls it, so that the
 * lane's plain paths need not know the mode and the mode can be read on its own.
 *
 * <p>Used only under the lane's access (its thread, or its lock).
 */
public interface CheckedMode {


    /** A checked piece of {@code byteSize} bytes, with guard zones around it in one raw piece of the lane. */
    MemorySegment allocate(long byteSize, long byteAlignment);

    /** Frees a live checked piece of this lane (checks its guard zones, ends its scope). */
    void free(MemorySegment piece);

    /** The live checked piece that starts at {@code address}, or null; throws if {@code address} starts a raw piece. */
    MemorySegment pieceAt(long address);

    /** Reallocates a live checked piece of this lane: always a new piece (a new scope), the old one freed. */
    MemorySegment reallocate(MemorySegment piece, long newByteSize);

    /** Whether the piece bound to {@code scope} is a live checked piece here. */
    boolean holds(MemorySegment.Scope scope);

    boolean isEmpty();

    /** Empty records like these, for {@code lane}, which a merge brings checked pieces into. */
    CheckedMode forLane(Lane lane);

    /** Takes every record of {@code from} (a merge). */
    void takeAll(CheckedMode from);
}
