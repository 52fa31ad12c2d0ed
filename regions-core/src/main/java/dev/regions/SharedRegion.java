package dev.regions;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A region any number of threads may use at once. Every operation runs under one lock, so each
 * is atomic and the figures are exact; its generations are
 * {@link java.lang.foreign.Arena#ofShared() shared arenas}, whose close is a handshake with
 * every thread: an access racing with a reset either completes before the memory goes back or
 * throws {@link IllegalStateException}, and none reads freed memory.
 *
 * <p>The lock is re-entrant only so that a cleanup action or a source call running under it that
 * calls back into the region gets the heap's clear "busy" exception instead of a deadlock. One
 * lock is the simple start; per-thread caches are the known next step if measurements call for
 * them.
 */
final class SharedRegion extends AbstractRegion {
    private final ReentrantLock lock = new ReentrantLock();

    SharedRegion(String name, MemorySource source, boolean zeroing, boolean bump, long limit) {
        super(name, source, true, zeroing, bump, limit);
    }

    @Override
    void enter() {
        lock.lock();
    }

    @Override
    void exit() {
        lock.unlock();
    }

    @Override
    void enter0() {
        lock.lock();
    }

    @Override
    void exit0() {
        lock.unlock();
    }

    @Override
    boolean isShared() {
        return true;
    }

    @Override
    boolean compatible(AbstractRegion other) {
        return other instanceof SharedRegion;
    }
}
