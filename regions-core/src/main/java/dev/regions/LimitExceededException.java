package dev.regions;

/**
 * Thrown when an allocation (or a merge) would take a region's live bytes over its limit.
 * Nothing was allocated or moved: the region is exactly as before the call.
 *
 * <p>Replaces the original's NULL return from {@code alloc_Alloc} when the cap set by
 * {@code alloc_SegmentLimit} would be exceeded.
 */
public class LimitExceededException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was asked, the limit, and what the region holds
     */
    public LimitExceededException(String message) {
        super(message);
    }
}
