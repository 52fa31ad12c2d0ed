package dev.regions.bench.peers;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;

/**
 * A Netty 4.2 allocator handing out direct buffers: {@code allocator.directBuffer(size)},
 * {@code buf.setByte(0, 1)}, {@code buf.release()}. Used for the pooled allocator
 * ({@code new PooledByteBufAllocator(true)}) and the adaptive one
 * ({@code new AdaptiveByteBufAllocator()}, Netty 4.2's default), with Netty's defaults for the
 * running JDK.
 *
 * <p>Both keep per-thread caches only for Netty's own {@code FastThreadLocalThread}s; the
 * benchmarks run every peer on such threads ({@code dev.regions.bench.FastThreadExecutor}), so
 * Netty gets its caches and nobody pays a hand-off. No bulk release: {@link #releaseAll} releases
 * one by one.
 */
final class NettyAllocator implements PieceAllocator {
    private final ByteBufAllocator allocator;

    NettyAllocator(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public Object allocate(long size) {
        ByteBuf buf = allocator.directBuffer(Math.toIntExact(size));
        buf.setByte(0, 1);
        return buf;
    }

    @Override
    public void free(Object piece) {
        ((ByteBuf) piece).release();
    }

    @Override
    public void releaseAll(Object[] pieces, int count) {
        for (int i = 0; i < count; i++) {
            ((ByteBuf) pieces[i]).release();
        }
    }

    /** The direct memory the allocator holds (chunks and magazines), as its metric reports it. */
    @Override
    public long ownBytes() {
        return allocator instanceof ByteBufAllocatorMetricProvider provider
                ? provider.metric().usedDirectMemory()
                : -1;
    }

    @Override
    public void close() {
    }
}
