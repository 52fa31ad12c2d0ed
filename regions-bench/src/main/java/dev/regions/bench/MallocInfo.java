package dev.regions.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The bytes glibc's malloc has handed out and not yet got back, process-wide:
 * {@code uordblks + hblkhd} of {@code mallinfo2()} (glibc 2.33+), chunk headers included. The
 * space benchmark reports its growth next to RSS growth. Where there is no {@code mallinfo2} (not
 * glibc), {@link #inUse()} answers -1.
 */
final class MallocInfo {
    /** struct mallinfo2: ten size_t fields. */
    private static final StructLayout MALLINFO2 = MemoryLayout.structLayout(
            JAVA_LONG.withName("arena"), JAVA_LONG.withName("ordblks"), JAVA_LONG.withName("smblks"),
            JAVA_LONG.withName("hblks"), JAVA_LONG.withName("hblkhd"), JAVA_LONG.withName("usmblks"),
            JAVA_LONG.withName("fsmblks"), JAVA_LONG.withName("uordblks"), JAVA_LONG.withName("fordblks"),
            JAVA_LONG.withName("keepcost"));
    private static final long HBLKHD = MALLINFO2.byteOffset(MemoryLayout.PathElement.groupElement("hblkhd"));
    private static final long UORDBLKS = MALLINFO2.byteOffset(MemoryLayout.PathElement.groupElement("uordblks"));
    private static final MethodHandle MALLINFO2_CALL = find();

    private MallocInfo() {
    }

    @SuppressWarnings("restricted")
    private static MethodHandle find() {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> symbol = linker.defaultLookup().find("mallinfo2");
        return symbol.map(s -> linker.downcallHandle(s, FunctionDescriptor.of(MALLINFO2))).orElse(null);
    }

    /** Bytes in use in malloc now, or -1 where mallinfo2 is missing. */
    static long inUse() {
        if (MALLINFO2_CALL == null) {
            return -1;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment info = (MemorySegment) MALLINFO2_CALL.invokeExact((SegmentAllocator) arena);
            return info.get(JAVA_LONG, UORDBLKS) + info.get(JAVA_LONG, HBLKHD);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
