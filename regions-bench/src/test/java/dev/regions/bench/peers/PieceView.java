package dev.regions.bench.peers;

import io.netty.buffer.ByteBuf;
import org.apache.arrow.memory.ArrowBuf;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Test helper: the bytes behind any peer's handle, as a segment; null for an arena-per-piece handle. */
final class PieceView {
    private PieceView() {
    }

    @SuppressWarnings("restricted")
    static MemorySegment of(Object piece) {
        return switch (piece) {
            case MemorySegment segment -> segment;
            case ByteBuf buf -> buf.hasMemoryAddress()
                    ? MemorySegment.ofAddress(buf.memoryAddress()).reinterpret(buf.capacity())
                    : MemorySegment.ofBuffer(buf.nioBuffer(0, buf.capacity()));
            case ArrowBuf buf -> MemorySegment.ofAddress(buf.memoryAddress()).reinterpret(buf.capacity());
            case Arena ignored -> null;
            default -> throw new AssertionError("unknown handle " + piece.getClass());
        };
    }
}
