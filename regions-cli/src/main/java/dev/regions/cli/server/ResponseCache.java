package dev.regions.cli.server;

import dev.regions.Region;
import dev.regions.RegionStats;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The server demo's long-lived cache: a fixed number of slots, direct-mapped by key, holding
 * byte strings in one shared region ({@link Region#ofShared()}) that every worker thread uses at
 * once. Keys live in an off-heap {@code long} table in the same region; each value is a piece of
 * exactly its size. A new key in an occupied slot evicts the old value with
 * {@link Region#free} and allocates the new one, so the region's live bytes stay bounded while
 * its pieces churn: the original's per-piece free, from many threads.
 *
 * <p>Threads: the shared region makes each allocate and free atomic; a lock per slot makes the
 * slot's key and value change together, and keeps a value from being freed (and its bytes
 * handed out again) while a reader copies it. Readers get a copy in their own region, never the
 * shared piece.
 */
final class ResponseCache implements AutoCloseable {
    private static final long EMPTY = -1;

    private final Region region;
    /** Slot i's key, or EMPTY. Guarded by locks[i]. */
    private final MemorySegment keys;
    /** Slot i's value, a piece of region, or null. Guarded by locks[i]. */
    private final MemorySegment[] values;
    private final Object[] locks;
    private final LongAdder evictions = new LongAdder();

    ResponseCache(int slots) {
        if (slots < 1) {
            throw new IllegalArgumentException("a cache needs at least one slot, not " + slots);
        }
        this.region = Region.builder().name("cache").shared(true).build();
        this.keys = region.allocate(JAVA_LONG, slots);
        for (int i = 0; i < slots; i++) {
            keys.setAtIndex(JAVA_LONG, i, EMPTY);
        }
        this.values = new MemorySegment[slots];
        this.locks = new Object[slots];
        for (int i = 0; i < slots; i++) {
            locks[i] = new Object();
        }
    }

    /**
     * @param key  a key, not negative
     * @param into where the copy is allocated (the caller's request region)
     * @return a copy of the cached value, or null if the slot holds another key
     */
    MemorySegment get(long key, SegmentAllocator into) {
        int slot = slot(key);
        synchronized (locks[slot]) {
            if (keys.getAtIndex(JAVA_LONG, slot) != key) {
                return null;
            }
            MemorySegment value = values[slot];
            return into.allocate(value.byteSize()).copyFrom(value);
        }
    }

    /** Stores a copy of {@code value} under {@code key}, evicting the slot's previous value. */
    void put(long key, MemorySegment value) {
        int slot = slot(key);
        synchronized (locks[slot]) {
            if (keys.getAtIndex(JAVA_LONG, slot) == key) {
                return; // another thread filled it first
            }
            MemorySegment old = values[slot];
            if (old != null) {
                values[slot] = null;
                keys.setAtIndex(JAVA_LONG, slot, EMPTY);
                region.free(old);
                evictions.increment();
            }
            values[slot] = region.allocate(value.byteSize()).copyFrom(value);
            keys.setAtIndex(JAVA_LONG, slot, key);
        }
    }

    int slots() {
        return values.length;
    }

    long evictions() {
        return evictions.sum();
    }

    RegionStats stats() {
        return region.stats();
    }

    /** Closes the cache's region: every value and the key table go back at once. */
    @Override
    public void close() {
        region.close();
    }

    private int slot(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return (int) Long.remainderUnsigned(h ^ (h >>> 29), values.length);
    }
}
