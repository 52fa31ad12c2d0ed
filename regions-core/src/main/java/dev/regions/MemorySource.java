package dev.regions;

import dev.regions.internal.Engine;

import java.lang.foreign.MemorySegment;

/**
 * Where a region gets its memory: blocks that the region carves pieces out of,
 * and the blocks of large pieces. The original passed a malloc-like and a free-like function to
 * {@code alloc_InitSegment}; this is the same pair as an interface.
 *
 * <p>A region calls {@link #allocate} only while allocating, and {@link #release} when it resets,
 * closes or has no more use for a block; it never asks for one block per small piece. A region
 * releases every block to the source it came from, even after a merge moved the block to a
 * region built on another source.
 *
 * <p>Implementations must be thread-safe, or be wrapped in {@link #serialized()}: even a source
 * used only by confined regions of one thread may be called to release a block from another
 * thread, when a region whose thread died is closed there, or when the library reclaims a region
 * nobody closed (see <a href="package-summary.html#threads">the package documentation</a>).
 *
 * <p>A source of your own is trusted with raw memory: a block must stay valid, and be used by
 * no one else, from {@code allocate} until the region releases it. So its module needs native
 * access (see {@link Region.Builder#source}). A region refuses a block that is not native, too
 * small, misaligned, read-only or already dead. A source runs inside the region's call (for a
 * shared region, under its lock): calling back into that region from the same thread gets
 * {@link IllegalStateException}; waiting for another thread that uses it, or calling another
 * shared region, can deadlock. The built-in sources check the calls to their public methods: {@code release}
 * accepts only a block they handed out and not yet released, and a released block can no
 * longer be touched.
 */
public interface MemorySource {

    /**
     * Allocates a native block.
     *
     * @param byteSize      the block's size in bytes, greater than zero
     * @param byteAlignment the block's alignment, a power of two
     * @return a native segment of at least {@code byteSize} bytes at an address aligned to
     *         {@code byteAlignment}; its contents may be anything
     * @throws OutOfMemoryError when the source has no memory to give
     */
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Releases a block.
     *
     * @param block exactly a segment that {@link #allocate} returned and that was not released
     *              since
     * @throws IllegalArgumentException (built-in sources) if {@code block} is not such a segment
     * @throws IllegalStateException (built-in sources) if a downcall holds the block; it stays
     *         outstanding
     */
    void release(MemorySegment block);

    /**
     * Returns this source behind one lock: every call to {@link #allocate} and {@link #release}
     * of the returned source is serialized. Replaces the original's
     * {@code alloc_GlobalUseGlobalMutex()}, for a source whose functions are not thread-safe.
     * Share the returned source between the regions that must be serialized together.
     *
     * @return a serialized view of this source
     */
    default MemorySource serialized() {
        return Engine.serialized(this);
    }

    /**
     * The C library's {@code malloc}/{@code aligned_alloc}/{@code free}, called through
     * {@link java.lang.foreign.Linker} downcalls. The default source of every region. Needs native
     * access ({@code --enable-native-access}).
     *
     * @return the process-wide malloc source
     */
    static MemorySource malloc() {
        return Engine.malloc();
    }

    /**
     * Blocks from the JDK's own arenas (one shared {@link java.lang.foreign.Arena} per block): no
     * downcalls, and the memory comes zeroed. Slower to release than {@link #malloc()}.
     *
     * @return the process-wide JDK source
     */
    static MemorySource jdk() {
        return Engine.jdk();
    }
}
