package dev.regions.internal.block;

import dev.regions.internal.stats.Lease;

/**
 * The block of one large piece (over {@value SizeClasses#MEDIUM_MAX} bytes, or aligned beyond
 * {@value SizeClasses#MAX_CARVED_ALIGNMENT}), taken from the source on its own, rounded up to
 * whole 4 KiB units.
 *
 * <p>A freed large block is not given back to the source: the freed piece's segment is still
 * bound to a live generation, and a source may unmap the memory under it, so a caller touching
 * it would crash the process. It stays with its lane ({@code LargeBlocks}) and serves the next
 * large piece it fits; a reset or close ends the generation first, then gives it back. It is
 * zeroed for reuse only as far as earlier pieces reached ({@link #dirtyBytes}).
 */
public final class LargeBlock extends Block {
    /** The live piece's size, or -1 while the block is free. */
    public long liveSize = -1;
    /** Where the live piece starts: 0, or the middle of the block for a zero-length piece. */
    public long pieceOffset;
    /** Bytes from the start that may be non-zero: how far the pieces handed out reached. */
    public long dirtyBytes;
    /** False for a bump region's piece: it can only be released with everything else. */
    public boolean freeable;
    /** The id of the generation the live piece belongs to (for {@code pieceAt}). */
    public long generation;

    public LargeBlock(Lease lease, int laneIndex, boolean zeroed) {
        super(lease, laneIndex);
        this.dirtyBytes = zeroed ? 0 : byteSize;
    }
}
