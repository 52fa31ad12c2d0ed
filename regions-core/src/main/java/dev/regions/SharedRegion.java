package dev.regions;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A region any number of threads may use at once. Every operation runs under one lock, so each
 * is atomic and the figures are exact; its generations are
 * {@link java.lang.foreign.Arena#ofShared() shared arenas}, whose close waits until no thread is
 * touching a piece, so a reset racing with readers on other threads makes their accesses throw
 * {@link IllegalStateException}, never read freed memory.
 *
 * <p>The lock is re-entrant only so that a cleanup action running inside reset/close gets the
 * heap's clear "being reset" exception instead of a deadlock. One lock is the simple start;
 * per-thread caches are the known next step if measurements call for them.
 */
final class SharedRegion extends AbstractRegion {
    private final ReentrantLock lock = new ReentrantLock();

    SharedRegion(String name, MemorySource source, boolean zeroing, long limit) {
        super(name, source, true, zeroing, limit);
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
