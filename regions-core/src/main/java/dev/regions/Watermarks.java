package dev.regions;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Raising a peak and lowering a low that several threads may move at once: the thread whose
 * change produced a new extreme sets it, unless another thread set a further one first. Used by
 * {@link GlobalAccounting} (the process) and {@link SharedFigures} (a shared region).
 */
final class Watermarks {
    private Watermarks() {
    }

    static void raise(AtomicLong peak, long value) {
        long m;
        while (value > (m = peak.get()) && !peak.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }

    static void lower(AtomicLong low, long value) {
        long m;
        while (value < (m = low.get()) && !low.compareAndSet(m, value)) {
            Thread.onSpinWait();
        }
    }
}
