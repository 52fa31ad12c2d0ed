package dev.regions;

/**
 * Thrown by a checked region ({@link Region.Builder#checked}) when it finds memory around or of a
 * piece written that no one may write: the guard zone before or after a piece (an underrun or an
 * overrun, by native code or a segment widened with {@code reinterpret}). It is the original's
 * debug layer ({@code testalloc.c}) finding a damaged guard byte.
 *
 * <p>The message names the region, the piece's id, size and address, the offset of the first
 * damaged byte from the piece's start (negative before it), and where the piece was allocated when
 * that was recorded. It is thrown after the call that found the damage has done its work: a
 * {@code free} has freed the piece, a {@code reset} or {@code close} has given everything back.
 */
public class MemoryCorruptionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message which piece, where, and what was found
     */
    public MemoryCorruptionException(String message) {
        super(message);
    }
}
