package dev.regions.bench.peers;

/**
 * What every workload sees of an allocator: allocate a piece, free one, release all, close.
 *
 * <p>Design: a piece is handed back as the allocator's own natural handle ({@code MemorySegment}
 * for Regions, the JDK and malloc, {@code ByteBuf} for Netty, {@code ArrowBuf} for Arrow, the
 * {@code Arena} for arena-per-piece), typed {@code Object} so that no peer pays for boxing or a
 * wrapper. Each allocation writes one byte at offset 0, the peer's usual way, so that the memory is
 * really touched. A benchmark fork uses one peer only, so the interface calls are monomorphic and
 * inlined.
 *
 * <p>{@link #releaseAll} takes the pieces the caller holds: an allocator with a bulk release
 * (reset, arena close, a new bump pointer) ignores them; one without (malloc, Netty, Arrow) frees
 * them one by one, as its user must.
 */
public interface PieceAllocator extends AutoCloseable {

    /**
     * Allocates a piece of at least {@code size} bytes and writes one byte at its offset 0.
     *
     * @param size the bytes wanted, at least 1
     * @return the piece's handle
     */
    Object allocate(long size);

    /**
     * Frees one piece.
     *
     * @param piece a handle from {@link #allocate}, not yet freed
     * @throws UnsupportedOperationException if this allocator releases only all at once
     */
    void free(Object piece);

    /**
     * Releases every piece allocated since this allocator was made or last released; the
     * allocator stays usable.
     *
     * @param pieces the handles of those pieces, in {@code pieces[0..count)}
     * @param count how many there are
     */
    void releaseAll(Object[] pieces, int count);

    /**
     * The allocator's own figure for the bytes it holds, where it has one (for the space
     * benchmark), else -1.
     *
     * @return bytes, or -1
     */
    default long ownBytes() {
        return -1;
    }

    /** Gives everything back; pieces still held may be released with it. */
    @Override
    void close();
}
