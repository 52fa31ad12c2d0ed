package dev.regions.cli.server;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * A fixed-capacity ASCII text being written into a {@link MemorySegment}: the server demo builds
 * its descriptions and responses off-heap with it, in the request's region. Writing past the
 * capacity throws {@link IndexOutOfBoundsException} (the segment's bounds check), never writes
 * beyond the piece.
 */
final class TextBuffer {
    private final MemorySegment bytes;
    private long length;

    TextBuffer(MemorySegment bytes) {
        this.bytes = bytes;
    }

    TextBuffer append(String ascii) {
        byte[] b = ascii.getBytes(StandardCharsets.ISO_8859_1);
        MemorySegment.copy(b, 0, bytes, JAVA_BYTE, length, b.length);
        length += b.length;
        return this;
    }

    TextBuffer append(long n) {
        return append(Long.toString(n));
    }

    /** Appends {@code cents} as units with two decimals: 1234 as "12.34". */
    TextBuffer appendMoney(long cents) {
        append(cents / 100).append(".");
        long rest = cents % 100;
        return append(rest < 10 ? "0" + rest : Long.toString(rest));
    }

    TextBuffer append(MemorySegment text) {
        MemorySegment.copy(text, 0, bytes, length, text.byteSize());
        length += text.byteSize();
        return this;
    }

    /** The text written so far: a slice of the buffer's segment. */
    MemorySegment written() {
        return bytes.asSlice(0, length);
    }
}
