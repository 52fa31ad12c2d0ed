package dev.regions.bench.peers;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * libc's {@code malloc} and {@code free} through FFM downcalls, twice: plain, and with
 * {@link Linker.Option#critical(boolean) Linker.Option.critical(false)} (no thread-state
 * transition; fine for calls that neither block nor call back). The handles are
 * {@code static final} so that the JIT treats them as constants, as a careful user would write
 * them.
 */
final class Libc {
    private static final FunctionDescriptor MALLOC_TYPE = FunctionDescriptor.of(ADDRESS, JAVA_LONG);
    private static final FunctionDescriptor FREE_TYPE = FunctionDescriptor.ofVoid(ADDRESS);

    private static final MethodHandle MALLOC = downcall("malloc", MALLOC_TYPE);
    private static final MethodHandle FREE = downcall("free", FREE_TYPE);
    private static final MethodHandle MALLOC_CRITICAL =
            downcall("malloc", MALLOC_TYPE, Linker.Option.critical(false));
    private static final MethodHandle FREE_CRITICAL =
            downcall("free", FREE_TYPE, Linker.Option.critical(false));

    private Libc() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle downcall(String name, FunctionDescriptor type, Linker.Option... options) {
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("no " + name + " in the C library"));
        return linker.downcallHandle(symbol, type, options);
    }

    /** {@code malloc(size)}; a zero-length segment at the address, NULL on failure. */
    static MemorySegment malloc(long size) {
        try {
            return (MemorySegment) MALLOC.invokeExact(size);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code free(pointer)}. */
    static void free(MemorySegment pointer) {
        try {
            FREE.invokeExact(pointer);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code malloc(size)} through a critical downcall. */
    static MemorySegment mallocCritical(long size) {
        try {
            return (MemorySegment) MALLOC_CRITICAL.invokeExact(size);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** {@code free(pointer)} through a critical downcall. */
    static void freeCritical(MemorySegment pointer) {
        try {
            FREE_CRITICAL.invokeExact(pointer);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
