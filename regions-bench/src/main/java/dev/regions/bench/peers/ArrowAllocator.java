package dev.regions.bench.peers;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.RootAllocator;

/**
 * Apache Arrow's {@link RootAllocator} ({@code new RootAllocator(Long.MAX_VALUE)}, the
 * {@code arrow-memory-unsafe} allocation manager): {@code allocator.buffer(size)},
 * {@code buf.setByte(0, 1)}, {@code buf.close()}. Arrow has no bulk free (a child allocator can
 * only be closed after its buffers), so {@link #releaseAll} closes the buffers one by one.
 */
final class ArrowAllocator implements PieceAllocator {
    private final RootAllocator allocator = new RootAllocator(Long.MAX_VALUE);

    @Override
    public Object allocate(long size) {
        ArrowBuf buf = allocator.buffer(size);
        buf.setByte(0, 1);
        return buf;
    }

    @Override
    public void free(Object piece) {
        ((ArrowBuf) piece).close();
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            ((ArrowBuf) pieces[i]).close();
        }
    }

    /** The bytes Arrow accounts for its live buffers (sizes rounded by its rounding policy). */
    @Override
    public long ownBytes() {
        return allocator.getAllocatedMemory();
    }

    @Override
    public void close() {
        allocator.close();
    }
}
