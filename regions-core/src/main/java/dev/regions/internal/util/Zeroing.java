package dev.regions.internal.util;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Zeroes a reused piece before it is handed out again. For the small pieces that churn most, the
 * C library's {@code memset} through a <em>critical</em> downcall (no thread-state transition,
 * which {@code memset} allows: it never blocks and never calls back) costs about a third of
 * {@link MemorySegment#fill}, whose setup dominates at these sizes; from {@value #MEMSET_MAX}
 * bytes on the two converge and {@code fill} needs no native call.
 *
 * <p>The address is passed as a plain integer, so the downcall makes no liveness check: callers
 * zero only memory their region owns (a piece they are about to hand out), never a caller's
 * segment. Without native access (the handle cannot be made) every piece is zeroed with
 * {@code fill}.
 */
public final class Zeroing {
    private Zeroing() {
    }

    /** The largest piece zeroed with {@code memset}; larger ones use {@code fill}. */
    static final long MEMSET_MAX = 4096;

    /** {@code memset(void*, int, size_t)}, critical; null if it cannot be made. Made on first use. */
    private static final class Memset {
        static final MethodHandle HANDLE = make();

        @SuppressWarnings("restricted") // memset on memory a region owns, by address (see the class comment)
        private static MethodHandle make() {
            try {
                Linker linker = Linker.nativeLinker();
                return linker.downcallHandle(linker.defaultLookup().find("memset").orElseThrow(),
                        FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_LONG),
                        Linker.Option.critical(false));
            } catch (RuntimeException e) { // IllegalCallerException: no native access
                return null;
            }
        }
    }

    /** Fills {@code piece}, memory of the caller's own region, with zeros. */
    public static void zero(MemorySegment piece) {
        long byteSize = piece.byteSize();
        MethodHandle memset = byteSize <= MEMSET_MAX ? Memset.HANDLE : null;
        if (memset == null) {
            piece.fill((byte) 0);
            return;
        }
        try {
            long ignored = (long) memset.invokeExact(piece.address(), 0, byteSize);
        } catch (Throwable e) {
            throw new AssertionError("memset cannot fail", e);
        }
    }
}
