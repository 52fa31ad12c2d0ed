package dev.regions.internal.util;

/**
 * Padding in front of the fields of an object that one thread writes on every operation while
 * other threads write objects made next to it: a shared region's lane locks, its lanes and their
 * generations, and the region-wide counters. The JVM lays out a superclass's fields first, so
 * these 64 bytes keep the subclass's fields off the cache line of the object before it. Without
 * them two threads working in their own lanes wrote the same cache lines on every operation
 * (BENCHMARKS.md, W3: threads in lanes of their own must not slow each other down).
 */
public abstract class Padded {
    // The int fills the 4 bytes after a compressed object header, which the JVM would otherwise
    // give to a subclass field (UseEmptySlotsInSupers), in front of the padding.
    @SuppressWarnings("unused")
    private int p;
    @SuppressWarnings("unused")
    private long p0, p1, p2, p3, p4, p5, p6, p7;
}
