package dev.regions.internal.source;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The blocks a built-in source hands to callers that use it directly: each block is bound to a
 * shared arena of its own, and {@link #release} accepts only a block that was handed out and not
 * released since, then closes its arena. So a program that calls {@code MemorySource.malloc()} or
 * {@code jdk()} itself can neither free memory it was not given (a region's piece, a forged
 * address, a block twice) nor touch a block after releasing it: both throw, where a bare
 * {@code free} would corrupt the C heap. Costs a map entry and a shared-arena close per block,
 * which regions do not pay for {@code malloc()} (they take {@link RawSource raw} blocks).
 */
final class OutstandingBlocks {
    private record Held(Arena arena, long byteSize) {
    }

    private final String source;
    private final ConcurrentHashMap<Long, Held> outstanding = new ConcurrentHashMap<>();

    OutstandingBlocks(String source) {
        this.source = source;
    }

    /** A new block from {@code allocator}, bound to a new shared arena; the arena is closed on failure. */
    MemorySegment allocate(long byteSize, Function<Arena, MemorySegment> allocator) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment block = allocator.apply(arena);
            outstanding.put(block.address(), new Held(arena, byteSize));
            return block;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Closes the arena of a block handed out by {@link #allocate}, or throws and changes nothing:
     * {@link IllegalArgumentException} for anything else, {@link IllegalStateException} (from the
     * arena) while a downcall holds the block, which can then be released once it returns.
     */
    void release(MemorySegment block) {
        Held held = outstanding.get(block.address());
        if (held == null || !held.arena.scope().equals(block.scope()) || held.byteSize != block.byteSize()
                || !outstanding.remove(block.address(), held)) {
            throw new IllegalArgumentException("cannot release " + block + " to " + source
                    + ": it is not a block this source handed out, or it was released already");
        }
        try {
            held.arena.close();
        } catch (RuntimeException | Error e) {
            if (held.arena.scope().isAlive()) {
                outstanding.put(block.address(), held); // in use: nothing was freed, try again later
            }
            throw e;
        }
    }
}
