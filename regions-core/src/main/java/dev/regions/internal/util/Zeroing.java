package dev.regions.internal.util;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicBoolean;

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
 * segment. Making a downcall handle takes tens of milliseconds in a fresh JVM, so the first call
 * starts a daemon thread that makes it, and pieces are zeroed with {@code fill} until it is there
 * (and always, without native access).
 */
public final class Zeroing {
    private Zeroing() {
    }

    /** The largest piece zeroed with {@code memset}; larger ones use {@code fill}. */
    static final long MEMSET_MAX = 4096;

    /**
     * Whether {@link Memset#HANDLE} is made. The handle is a {@code static final} of a holder class,
     * so that the JIT treats it as a constant and inlines the downcall; the holder is first touched
     * by the maker thread, so that no caller pays for making it.
     */
    private static volatile boolean ready;
    private static final AtomicBoolean MAKING = new AtomicBoolean();

    /** Fills {@code piece}, memory of the caller's own region, with zeros. */
    public static void zero(MemorySegment piece) {
        long byteSize = piece.byteSize();
        if (byteSize <= MEMSET_MAX && ready) {
            try {
                long ignored = (long) Memset.HANDLE.invokeExact(piece.address(), 0, byteSize);
            } catch (Throwable e) {
                throw new AssertionError("memset cannot fail", e);
            }
            return;
        }
        if (!ready && !MAKING.get()) {
            startMaking();
        }
        piece.fill((byte) 0);
    }

    private static void startMaking() {
        if (MAKING.compareAndSet(false, true)) {
            Thread maker = new Thread(new MakeMemset(), "regions-memset-linker"); // not a lambda: no bootstrap here
            maker.setDaemon(true);
            maker.start();
        }
    }

    /** {@code memset(void*, int, size_t)}, critical; null without native access. */
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

    /** Makes the handle off the callers' path; every piece is zeroed with fill until it is there. */
    private static final class MakeMemset implements Runnable {
        @Override
        public void run() {
            ready = Memset.HANDLE != null;
        }
    }

    /** Waits until the handle is made or found impossible (for tests: both paths are then known). */
    static boolean awaitMemset() throws InterruptedException {
        startMaking();
        for (int i = 0; i < 500 && !ready; i++) {
            Thread.sleep(10);
        }
        return ready;
    }
}
