package dev.regions;

import java.lang.foreign.MemorySegment;

/**
 * A block from a {@link MemorySource} that a heap carves {@link Page pages} out of, front to
 * back, with a bump pointer; a region in bump mode carves its pieces straight from it.
 *
 * <pre>
 *   base                         base + carved                         base + byteSize
 *   | page | page |   page   | ... |          room for more pages          |
 * </pre>
 *
 * A chunk never gives pages back one by one: a reset sets {@code carved} to 0 (every page of
 * the ended generations is dead) and a close returns the whole chunk to the source it came
 * from, which may differ from its current heap's source after a merge.
 */
final class Chunk {
    final MemorySource source;
    final MemorySegment block;
    final long base;
    final long byteSize;
    long carved;
    /** The heap's list of all its chunks. */
    Chunk next;
    /** The heap's stack of chunks with room left. */
    Chunk nextRoomy;

    Chunk(MemorySource source, MemorySegment block, long byteSize) {
        this.source = source;
        this.block = block;
        this.base = block.address();
        this.byteSize = byteSize;
    }

    /** Where the next page would start: {@code carved} rounded up to a page boundary (bump mode leaves it anywhere). */
    long pageStart() {
        return (carved + SizeClasses.MIN_PAGE - 1) & -SizeClasses.MIN_PAGE;
    }

    /** Room for pages (a bump region uses it as a lower bound of its own room). */
    long room() {
        return byteSize - pageStart();
    }
}
