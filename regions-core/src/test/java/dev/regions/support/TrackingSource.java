package dev.regions.support;

import dev.regions.MemorySource;

import java.lang.foreign.MemorySegment;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A test source over {@link MemorySource#malloc()} that counts every block it hands out and gets
 * back, checks that {@code release} gets exactly a block it handed out, and can be told to fail
 * (throw {@link OutOfMemoryError}) at its k-th {@code allocate} call or its k-th {@code release}
 * call. A failing release throws after taking the block back (and freeing it): the region cannot
 * retry a release, so what a test checks is that it calls release exactly once per block and goes
 * on with the others.
 */
public final class TrackingSource implements MemorySource {
    private final MemorySource inner;
    private final Set<MemorySegment> outstanding = ConcurrentHashMap.newKeySet();
    private final AtomicLong allocateCalls = new AtomicLong();
    private final AtomicLong releaseCalls = new AtomicLong();
    private volatile long failAtCall = -1;
    private volatile long failReleaseAtCall = -1;

    public TrackingSource() {
        this(MemorySource.malloc());
    }

    public TrackingSource(MemorySource inner) {
        this.inner = inner;
    }

    /** Makes the {@code k}-th call to allocate (1-based, counting from the start) throw; -1: never. */
    public TrackingSource failAt(long k) {
        this.failAtCall = k;
        return this;
    }

    /** Makes the {@code k}-th call to release (1-based) throw after taking the block back; -1: never. */
    public TrackingSource failReleaseAt(long k) {
        this.failReleaseAtCall = k;
        return this;
    }

    @Override
    public MemorySegment allocate(long byteSize, long byteAlignment) {
        long call = allocateCalls.incrementAndGet();
        if (call == failAtCall) {
            throw new OutOfMemoryError("TrackingSource: failing call " + call + " as told");
        }
        MemorySegment block = inner.allocate(byteSize, byteAlignment);
        outstanding.add(block);
        return block;
    }

    @Override
    public void release(MemorySegment block) {
        long call = releaseCalls.incrementAndGet();
        if (!outstanding.remove(block)) {
            throw new AssertionError("release of a block this source did not hand out (or twice): " + block);
        }
        inner.release(block);
        if (call == failReleaseAtCall) {
            throw new OutOfMemoryError("TrackingSource: failing release call " + call + " as told");
        }
    }

    public long allocateCalls() {
        return allocateCalls.get();
    }

    public long releaseCalls() {
        return releaseCalls.get();
    }

    /** Blocks handed out and not yet released. */
    public int outstanding() {
        return outstanding.size();
    }

    public long outstandingBytes() {
        return outstanding.stream().mapToLong(MemorySegment::byteSize).sum();
    }
}
