package dev.regions.cli.nativelibs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * zlib's deflate through downcalls (Debian's {@code zlib1g}), with a {@code z_stream} whose
 * {@code zalloc}, {@code zfree} and {@code opaque} the caller gives: one whole buffer compressed
 * in one call. The {@code z_stream} layout is that of 64-bit Linux (LP64).
 */
final class Zlib {
    private static final long STREAM_SIZE = 112;
    private static final long NEXT_IN = 0, AVAIL_IN = 8, NEXT_OUT = 24, AVAIL_OUT = 32, TOTAL_OUT = 40;
    private static final long ZALLOC = 64, ZFREE = 72, OPAQUE = 80;
    private static final int FINISH = 4, STREAM_END = 1;
    static final int OK = 0;

    private final MemorySegment version;
    private final MethodHandle deflateInit, deflate, deflateEnd;

    Zlib() throws Throwable {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup("libz.so.1", Arena.global());
        version = (MemorySegment) linker.downcallHandle(lib.find("zlibVersion").orElseThrow(),
                FunctionDescriptor.of(ADDRESS)).invokeExact();
        deflateInit = linker.downcallHandle(lib.find("deflateInit_").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        deflate = linker.downcallHandle(lib.find("deflate").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        deflateEnd = linker.downcallHandle(lib.find("deflateEnd").orElseThrow(), FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Compresses {@code in} into {@code out} at {@code level}, allocating through the given
     * functions; returns the compressed size, or zlib's error (negative) from {@code deflateInit}.
     */
    long compress(MemorySegment in, MemorySegment out, int level, MemorySegment zalloc, MemorySegment zfree,
            MemorySegment opaque) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment z = arena.allocate(STREAM_SIZE);
            z.set(ADDRESS, ZALLOC, zalloc);
            z.set(ADDRESS, ZFREE, zfree);
            z.set(ADDRESS, OPAQUE, opaque);
            int status = (int) deflateInit.invokeExact(z, level, version, (int) STREAM_SIZE);
            if (status != OK) {
                return status;
            }
            z.set(ADDRESS, NEXT_IN, in);
            z.set(JAVA_INT, AVAIL_IN, (int) in.byteSize());
            z.set(ADDRESS, NEXT_OUT, out);
            z.set(JAVA_INT, AVAIL_OUT, (int) out.byteSize());
            status = (int) deflate.invokeExact(z, FINISH);
            long size = z.get(JAVA_LONG, TOTAL_OUT);
            int ended = (int) deflateEnd.invokeExact(z);
            if (status != STREAM_END || ended != OK) {
                throw new IllegalStateException("deflate said " + status + ", deflateEnd " + ended);
            }
            return size;
        }
    }
}
