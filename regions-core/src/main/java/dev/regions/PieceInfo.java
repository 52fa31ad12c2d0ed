package dev.regions;

import java.time.Duration;

/**
 * A live piece of a checked region, as {@link Region#livePieces()} lists it: what a leak report
 * is made of.
 *
 * @param id        the piece's number in its region's process, in allocation order (1, 2, ...):
 *                  the same run allocates the same ids, so a test can stop at one
 * @param byteSize  the size asked for
 * @param address   where the piece starts
 * @param age       how long ago it was allocated
 * @param site      where it was allocated (the first caller outside Regions and the JDK's FFM
 *                  API), or null if its allocation was not among those sampled (see
 *                  {@link Region.Builder#recordSites})
 */
public record PieceInfo(long id, long byteSize, long address, Duration age, StackTraceElement site) {
}
