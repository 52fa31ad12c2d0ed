package dev.regions;

/**
 * Thrown by a region's checked mode (the original's debug layer {@code testalloc.c}) when it
 * finds the guard zone after a piece overwritten, or a freed piece written to.
 *
 * <p>The checked mode itself arrives in a later release; no region of this release throws it.
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
