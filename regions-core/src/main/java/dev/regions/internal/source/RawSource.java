package dev.regions.internal.source;

import dev.regions.MemorySource;

import java.lang.foreign.MemorySegment;

/**
 * A built-in source that can hand a region raw blocks: blocks that never leave the region, so
 * they need none of the bookkeeping ({@link OutstandingBlocks}) that the source's public methods put on
 * blocks for other callers. {@code malloc()} and its {@code serialized()} view are raw sources,
 * so a region on them pays a bare {@code malloc}/{@code free} per block, not a shared-arena close.
 */
public interface RawSource {


    /** A block in the global scope, to be released with {@link #releaseRaw} only. */
    MemorySegment allocateRaw(long byteSize, long byteAlignment);

    void releaseRaw(MemorySegment block);

    /** A block for a region from {@code source}: raw where it can give one, else through its public door. */
    static MemorySegment allocateFor(MemorySource source, long byteSize, long byteAlignment) {
        return source instanceof RawSource raw
                ? raw.allocateRaw(byteSize, byteAlignment)
                : source.allocate(byteSize, byteAlignment);
    }

    /** Whether every block {@code source} hands out comes zeroed (the JDK's arenas zero what they allocate). */
    static boolean zeroes(MemorySource source) {
        MemorySource origin = source;
        while (origin instanceof SerializedSource serialized) {
            origin = serialized.inner;
        }
        return origin instanceof JdkSource;
    }

    /** Gives back a block from {@link #allocateFor} through the same door. */
    static void releaseFor(MemorySource source, MemorySegment block) {
        if (source instanceof RawSource raw) {
            raw.releaseRaw(block);
        } else {
            source.release(block);
        }
    }

    /**
     * A source not built in needs native access for the module that implements it (see
     * {@code Region.Builder.source}): the code that hands over raw memory is what is trusted,
     * whoever passes it along; a {@code serialized()} view is as trusted as what it wraps.
     */
    static void checkAllowed(MemorySource source) {
        MemorySource origin = source;
        while (origin instanceof SerializedSource serialized) {
            origin = serialized.inner;
        }
        Module module = origin.getClass().getModule();
        if (!(origin instanceof MallocSource || origin instanceof JdkSource) && !module.isNativeAccessEnabled()) {
            throw new IllegalCallerException("a region on memory source " + source + " trusts it with raw memory,"
                    + " which needs native access for " + module + ", which implements it: run with"
                    + " --enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED")
                    + ", or use a built-in source");
        }
    }
}
