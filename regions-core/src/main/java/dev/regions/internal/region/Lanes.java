package dev.regions.internal.region;

import dev.regions.internal.lane.Callouts;
import dev.regions.internal.lane.Lane;

/**
 * The lanes of a shared region: one {@link Lane} and one {@link RegionLock} per lane, and which
 * lane each thread uses. A thread allocates and frees in its own lane under its own lock, and
 * frees other lanes' pieces without their locks ({@link dev.regions.internal.lane.RemoteFrees}),
 * so threads that keep to their own pieces share no lock and no cache line
 * (BENCHMARKS.md, W3, has what that measured). Operations on the whole region take every lane's
 * lock, in lane order.
 *
 * <p>A thread takes its lane as it first uses any shared region, the same lane in every one
 * ({@link ThreadLanes}): a lane whose threads have all ended, else one no thread took, else the
 * one with the fewest threads alive. So n threads alive at once use n different lanes up to
 * {@link #COUNT}, and a thread that comes after one that ended takes over that thread's lane,
 * blocks and free space included: the lanes a region uses follow the threads alive at once, not
 * the threads that ever ran. (Thread ids, which the creation of other threads spaces apart, could
 * put two busy threads on one lane.) A lane is made
 * the first time a thread allocates in it, so a shared region used by one thread holds one lane and
 * one block; the locks exist from the start, so that taking every lock always takes the same set.
 */
public final class Lanes {
    /** Lanes per shared region: a power of two, four times the processors (so threads rarely share one), at most 64. */
    static final int COUNT = Math.min(64,
            Integer.highestOneBit(Math.max(1, 4 * Runtime.getRuntime().availableProcessors() - 1)) << 1);

    public final RegionLock[] locks = new RegionLock[COUNT];
    final Lane[] all = new Lane[COUNT];

    Lanes() {
        for (int i = 0; i < COUNT; i++) {
            locks[i] = new RegionLock();
        }
    }

    /** The calling thread's lane. */
    static int ofThisThread() {
        return ThreadLanes.ofThisThread();
    }

    /** Takes every lock, in lane order; then every lane takes back the pieces other threads freed, so its figures are exact. */
    void lockAll() {
        for (RegionLock lock : locks) {
            lock.lock();
        }
        for (Lane lane : all) {
            if (lane != null) {
                lane.remote.drainInto(lane);
            }
        }
        for (Lane lane : all) { // every free across lanes taken back: each lane answers for its live bytes again
            if (lane != null) {
                lane.remote.drained = lane.remote.freedForOthers = 0;
            }
        }
    }

    void unlockAll() {
        for (int i = COUNT - 1; i >= 0; i--) {
            locks[i].unlock();
        }
    }

    /** The lane whose callout the calling thread runs (see {@link Callouts}), or null. */
    Lane calloutLane() {
        for (Lane h : all) {
            if (h != null && h.callouts.isCalloutThread()) {
                return h;
            }
        }
        return null;
    }

}
