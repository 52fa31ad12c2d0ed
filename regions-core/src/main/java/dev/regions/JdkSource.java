package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link MemorySource#jdk()}: each block is the one allocation of its own shared JDK
 * {@link Arena}, closed when the block is released. No downcalls; the JDK zeroes the memory.
 * Releasing is slower than {@code free} (closing a shared arena synchronizes with every thread),
 * which a region pays once per chunk, not per piece.
 */
final class JdkSource implements MemorySource {
    static final JdkSource INSTANCE = new JdkSource();

    private final ConcurrentHashMap<Long, Arena> arenas = new ConcurrentHashMap<>();

    private JdkSource() {
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment block = arena.allocate(byteSize, byteAlignment);
            arenas.put(block.address(), arena);
            return block;
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    @Override
    public void release(MemorySegment block) {
        Arena arena = arenas.remove(block.address());
        if (arena == null) {
            throw new IllegalArgumentException(block + " is not a block of MemorySource.jdk() (or was released)");
        }
        arena.close();
    }

    @Override
    public String toString() {
        return "MemorySource.jdk()";
    }
}
