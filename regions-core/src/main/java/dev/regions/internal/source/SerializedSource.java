package dev.regions.internal.source;

import dev.regions.MemorySource;

import java.lang.foreign.MemorySegment;
import java.util.concurrent.locks.ReentrantLock;

/**
 * {@link MemorySource#serialized()}: another source behind one lock, for a source whose
 * functions are not thread-safe (the original's {@code alloc_GlobalUseGlobalMutex()}). Over a
 * {@link RawSource} it is one too, so a region on {@code malloc().serialized()} still takes raw
 * blocks.
 */
public final class SerializedSource implements MemorySource, RawSource {
    final MemorySource inner;
    private final ReentrantLock lock = new ReentrantLock();

    public SerializedSource(MemorySource inner) {
        this.inner = inner;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        lock.lock();
        try {
            return inner.allocate(byteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void release(MemorySegment block) {
        lock.lock();
        try {
            inner.release(block);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MemorySegment allocateRaw(long byteSize, long byteAlignment) {
        lock.lock();
        try {
            return RawSource.allocateFor(inner, byteSize, byteAlignment);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void releaseRaw(MemorySegment block) {
        lock.lock();
        try {
            RawSource.releaseFor(inner, block);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public MemorySource serialized() {
        return this;
    }

    @Override
    public String toString() {
        return inner + ".serialized()";
    }
}
