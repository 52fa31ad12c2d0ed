package dev.regions.internal.source;

import dev.regions.MemorySource;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * {@link MemorySource#jdk()}: each block is the one allocation of its own shared JDK
 * {@link Arena}, closed when the block is released ({@link OutstandingBlocks}). No downcalls; the JDK
 * zeroes the memory. Releasing is slower than {@code free} (closing a shared arena synchronizes
 * with every thread), which a region pays once per block, not per piece.
 */
public final class JdkSource implements MemorySource {
    public static final JdkSource INSTANCE = new JdkSource();


    private final OutstandingBlocks blocks = new OutstandingBlocks(toString());

    private JdkSource() {
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        Refusals.sizeAndAlignment(byteSize, byteAlignment);
        return blocks.allocate(byteSize, arena -> arena.allocate(byteSize, byteAlignment));
    }

    @Override
    public void release(MemorySegment block) {
        blocks.release(Objects.requireNonNull(block, "block"));
    }

    @Override
    public String toString() {
        return "MemorySource.jdk()";
    }
}
