package dev.regions.internal.region;

import java.lang.ref.WeakReference;
import java.util.ArrayDeque;

/**
 * Which lane each thread uses in every shared region: a lane number per thread, taken as the
 * thread first uses any shared region and held while it lives (see {@link Lanes}). Process-wide
 * state, kept apart so that the tests can tell it from a region's own.
 *
 * <h2>Lanes of ended threads serve again</h2>
 * A thread takes, in this order: the lowest lane whose threads have all ended (in every shared
 * region it takes over that lane with the free space and the partly used blocks they left); else
 * the lowest lane no thread ever took; else, every lane having a thread alive, the lane with the
 * fewest threads. So threads that come and go one after another keep taking the same lane: a
 * region holds memory for the threads alive at once, never for every thread that ever ran; n
 * threads alive at once use n different lanes up to the lane count, and past it share lanes
 * about evenly.
 *
 * <p>There is no hook for a thread's end, so ends are found when a new thread asks: each lane
 * keeps weak references to the threads that took it, the latest first, and a new thread drops
 * the ended ones from the front of each lane's list until it meets a thread alive. A lane whose
 * list empties has no thread alive. That costs a look at one thread alive per lane, and one at
 * each ended thread once: O(1) per thread for any number of threads. Ended threads behind a live
 * one stay counted until the live one ends; when every lane has a thread alive and the lists are
 * short (at most {@value #EXACT_UP_TO} entries in all), every ended thread is dropped, so that
 * the counts are exact.
 *
 * <p><b>Virtual threads</b> take lanes the same way as platform threads: a virtual thread holds
 * its lane itself (never its carrier's, which it may leave in the middle of an allocation that
 * calls the source). Short virtual threads that run a few at a time use a few lanes; thousands
 * alive at once share every lane.
 *
 * <h2>Handovers</h2>
 * When a thread takes a lane whose threads have all ended, the lane changes hands in every shared
 * region: {@link #handovers} counts that per lane, and a region settles the lane's share of its
 * stats the next time a thread allocates in it ({@link SharedStats#handedOver}), so that the
 * ended threads leave no step behind in the region's watermarks.
 */
public final class ThreadLanes {
    private ThreadLanes() {
    }

    /** Below this many entries in all the lists, a thread that finds every lane taken drops every ended thread first. */
    static final int EXACT_UP_TO = 4 * Lanes.COUNT;

    /** Held while changing everything below but {@link #HANDOVERS}' reads. */
    private static final Object LOCK = new Object();
    /** Per lane: the threads that took it, the latest first; the ended ones not yet dropped among them. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static final ArrayDeque<WeakReference<Thread>>[] HOLDERS = new ArrayDeque[Lanes.COUNT];
    /** Per lane: whether some thread ever took it. */
    private static final boolean[] EVER_TAKEN = new boolean[Lanes.COUNT];
    /** Per lane: how many times it changed hands (written under {@link #LOCK}). */
    private static final int[] HANDOVERS = new int[Lanes.COUNT];

    static {
        for (int lane = 0; lane < Lanes.COUNT; lane++) {
            HOLDERS[lane] = new ArrayDeque<>();
        }
    }

    private static final ThreadLocal<Ticket> OF_THREAD = new ThreadLocal<>();
    /**
     * The tickets of threads that used a lane lately, by thread id: a hit costs a few loads where
     * the thread-local costs a hash probe. Written with plain stores (a ticket is immutable; a
     * stale or overwritten entry only sends its thread to the thread-local). A ticket names its
     * thread by id (unique for the JVM's life), never by reference: a thread that ended must not
     * stay reachable through it, with whatever its task reached (a region, say).
     */
    private static final int RECENT_SIZE = 256;
    private static final Ticket[] RECENT = new Ticket[RECENT_SIZE];

    /** A thread's id and its lane (a plain class: Lincheck cannot restore records' fields). */
    private static final class Ticket {
        final long thread;
        final int lane;

        Ticket(long thread, int lane) {
            this.thread = thread;
            this.lane = lane;
        }
    }

    /** The calling thread's lane. */
    static int ofThisThread() {
        long me = Thread.currentThread().threadId();
        Ticket ticket = RECENT[(int) me & (RECENT_SIZE - 1)];
        return ticket != null && ticket.thread == me ? ticket.lane : ofThisThreadSlow(me);
    }

    private static int ofThisThreadSlow(long me) {
        Ticket ticket = OF_THREAD.get();
        if (ticket == null) {
            ticket = new Ticket(me, take());
            OF_THREAD.set(ticket);
        }
        RECENT[(int) me & (RECENT_SIZE - 1)] = ticket;
        return ticket.lane;
    }

    /**
     * How many times lane {@code lane} changed hands from ended threads to a new one; read without
     * a lock (a racing reader sees the change on a later call).
     */
    static int handovers(int lane) {
        return HANDOVERS[lane];
    }

    /** A lane for the calling thread, which has none (see the class comment for the order). */
    private static int take() {
        WeakReference<Thread> me = new WeakReference<>(Thread.currentThread());
        synchronized (LOCK) {
            int unused = -1;
            int entries = 0;
            for (int lane = 0; lane < Lanes.COUNT; lane++) {
                ArrayDeque<WeakReference<Thread>> holders = HOLDERS[lane];
                while (!holders.isEmpty() && ended(holders.peekFirst())) {
                    holders.removeFirst();
                }
                if (holders.isEmpty() && EVER_TAKEN[lane]) {
                    HANDOVERS[lane]++; // its threads have all ended: the calling one takes it over
                    holders.addFirst(me);
                    return lane;
                }
                if (holders.isEmpty() && unused < 0) {
                    unused = lane;
                }
                entries += holders.size();
            }
            int lane = unused;
            if (lane < 0) {
                lane = 0;
                for (int other = 0; other < Lanes.COUNT; other++) {
                    if (entries <= EXACT_UP_TO) {
                        HOLDERS[other].removeIf(ThreadLanes::ended);
                    }
                    if (HOLDERS[other].size() < HOLDERS[lane].size()) {
                        lane = other;
                    }
                }
            }
            EVER_TAKEN[lane] = true;
            HOLDERS[lane].addFirst(me);
            return lane;
        }
    }

    private static boolean ended(WeakReference<Thread> holder) {
        Thread thread = holder.get();
        return thread == null || !thread.isAlive();
    }
}
