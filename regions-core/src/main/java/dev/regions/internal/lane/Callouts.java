package dev.regions.internal.lane;

import dev.regions.MemorySource;
import dev.regions.internal.source.RawSource;

import java.lang.foreign.MemorySegment;

/**
 * The fence around code a lane runs but does not own: its memory source, and the cleanup actions
 * users bound to its scope (which run when a reset or close ends a generation). While such code
 * runs, the lane is half changed, and for a shared region the calling thread holds lane locks;
 * if that code calls back into the region from the same thread, it must get a clear
 * {@link IllegalStateException}, not a lane in an unknown state and not a deadlock on a lock
 * another thread holds while it waits for ours.
 *
 * <p>So the lane records what it is doing ({@link #busy}) and which thread does it
 * ({@link #thread}). The lane's own calls check the first; a region checks the second in every
 * lane before it takes any lock ({@link #isCalloutThread}). The fields are written by the thread
 * running the callout, under the lane's lock; another thread may read a stale value, but only
 * the thread that wrote its own name can find it there.
 */
public final class Callouts {
    public static final String ENDING = "is being reset or closed (called from a cleanup action?)";
    static final String CALLING_SOURCE = "is calling its memory source (a source must not use the region it serves)";

    /** What the lane is busy with, or null; read on every call, so a plain field the lane reads directly. */
    String busy;
    private Thread thread;

    public boolean isBusy() {
        return busy != null;
    }

    public String busy() {
        return busy;
    }

    /** Whether the calling thread is running code this lane called out to. */
    public boolean isCalloutThread() {
        return thread == Thread.currentThread();
    }

    /** Marks the lane busy with {@code what} on this thread; returns what it was busy with before. */
    public String enter(String what) {
        String was = busy;
        busy = what;
        thread = Thread.currentThread();
        return was;
    }

    public void exit(String was) {
        busy = was;
        if (was == null) {
            thread = null;
        }
    }

    /** Calls the source for a block. */
    MemorySegment allocate(MemorySource source, long byteSize, long byteAlignment) {
        String was = enter(CALLING_SOURCE);
        try {
            return RawSource.allocateFor(source, byteSize, byteAlignment);
        } finally {
            exit(was);
        }
    }

    /** Gives a block back to the source it came from; returns what the source threw, or null. */
    Throwable giveBack(MemorySource source, MemorySegment block) {
        String was = enter(CALLING_SOURCE);
        try {
            RawSource.releaseFor(source, block);
            return null;
        } catch (Throwable e) {
            return e;
        } finally {
            exit(was);
        }
    }
}
