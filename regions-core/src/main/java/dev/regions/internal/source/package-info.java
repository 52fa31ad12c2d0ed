/**
 * The built-in memory sources ({@code malloc()}, {@code jdk()}, {@code serialized()}), and the
 * raw door through which a region takes blocks from them without the bookkeeping their public
 * methods put on blocks for other callers.
 */
package dev.regions.internal.source;
