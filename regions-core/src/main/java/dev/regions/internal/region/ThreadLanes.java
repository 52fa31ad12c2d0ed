package dev.regions.internal.region;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Which lane each thread uses in every shared region: numbers handed out in turn as threads first
 * use one, so that n threads get n different lanes (see {@link Lanes}). Process-wide state, kept
 * apart so that the tests can tell it from a region's own.
 */
public final class ThreadLanes {
    private ThreadLanes() {
    }

    private static final AtomicInteger NEXT = new AtomicInteger();
    private static final ThreadLocal<int[]> OF_THREAD = ThreadLocal.withInitial(() -> new int[] {NEXT.getAndIncrement()});

    /** The calling thread's number (a lane is this number modulo the lane count). */
    static int ofThisThread() {
        return OF_THREAD.get()[0];
    }
}
