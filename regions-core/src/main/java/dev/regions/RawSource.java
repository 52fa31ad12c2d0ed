package dev.regions;

import java.lang.foreign.MemorySegment;

/**
 * A built-in source that can hand a region raw blocks: blocks that never leave the region, so
 * they need none of the guard ({@link ArenaBlocks}) that the source's public methods put on
 * blocks for other callers. {@code malloc()} and its {@code serialized()} view are raw sources,
 * so a region on them pays a bare {@code malloc}/{@code free} per chunk, not a shared-arena close.
 */
interface RawSource {

    /** A block in the global scope, to be released with {@link #releaseRaw} only. */
    MemorySegment allocateRaw(long byteSize, long byteAlignment);

    void releaseRaw(MemorySegment block);
}
