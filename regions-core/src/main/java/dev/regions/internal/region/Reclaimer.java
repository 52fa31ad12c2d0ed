package dev.regions.internal.region;

import dev.regions.internal.checked.CheckedPieces;
import dev.regions.internal.event.RegionEvents;
import dev.regions.internal.lane.Generation;
import dev.regions.internal.source.RawSource;
import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.Lease;
import dev.regions.internal.stats.Ledger;
import dev.regions.internal.stats.RegionRecord;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Gives back the memory of a region that became unreachable without being closed: a thread that
 * ended with its region open, a region a caller forgot. The original allocator was written for
 * exactly this ("in multi thread operation a thread may exit, but the memory still belongs to the
 * process that goes on"); the JDK's {@code Arena.ofAuto()} does the same for its arenas.
 *
 * <p>Every region registers with one process-wide {@link Cleaner}. The action holds the region's
 * {@link RegionRecord} (which references no arena, lane or generation) and never the region: when
 * the region and every piece of it are unreachable (a piece keeps its region reachable through
 * its arena's anchor, see {@link Generation}), the cleaner's thread gives every lease back to its
 * source (or lets go of it, if another region still holds it), takes the region out of the
 * process's stats, counts the reclaim ({@link #reclaimed()}) and reports it through
 * {@code System.Logger} (a warning), with the leak report of the checked pieces it held, which
 * their lanes' ledgers keep for it ({@link dev.regions.internal.stats.PieceNote}). It runs at most once; a close marks the region done first, so
 * the two never both release.
 *
 * <p>What it cannot do: end the region's scope. The scope's arena may be confined to a thread that
 * has died, and an unreachable region's pieces are unreachable anyway; so cleanup actions users
 * bound to the scope with {@code reinterpret} do not run. Nor can it reclaim a region a caller
 * still holds a piece of: that piece keeps the region, and its memory, alive.
 */
public final class Reclaimer {
    private Reclaimer() {
    }

    private static final AtomicLong RECLAIMED = new AtomicLong();
    /** Not a constant: the first {@code System.getLogger} of a process costs milliseconds, and is rarely needed here. */
    private static System.Logger log() {
        return System.getLogger("dev.regions");
    }

    /**
     * The cleaner and its thread, made when the first region registers. Its thread factory and
     * actions are classes, not lambdas: the first region of a process would pay for bootstrapping
     * the first lambda.
     */
    private static final class Holder {
        static final Cleaner CLEANER = Cleaner.create(new ReclaimerThreads());
    }

    private static final class ReclaimerThreads implements ThreadFactory {
        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "regions-reclaimer");
            t.setDaemon(true);
            return t;
        }
    }

    /** Holds the record, never the region. */
    private static final class Reclaim implements Runnable {
        private final RegionRecord record;

        Reclaim(RegionRecord record) {
            this.record = record;
        }

        @Override
        public void run() {
            reclaim(record);
        }
    }

    /** Regions reclaimed so far in this process. */
    public static long reclaimed() {
        return RECLAIMED.get();
    }

    /**
     * Registers {@code region}, whose record collects the ledgers of its lanes; returns the hold
     * a close gives up ({@link Cleaner.Cleanable#clean}, once the record is finished).
     */
    static Cleaner.Cleanable register(Object region, RegionRecord record) {
        return Holder.CLEANER.register(region, new Reclaim(record));
    }

    private static void reclaim(RegionRecord record) {
        if (!record.finish()) {
            return; // closed
        }
        long[] held = new long[3]; // live bytes, live pieces, gross bytes
        for (Ledger ledger : record.ledgers()) {
            held[0] += ledger.liveBytes;
            held[1] += ledger.liveCount;
            held[2] += ledger.grossBytes();
            for (Lease lease : new ArrayList<>(ledger.leases)) {
                Lease.Occupant block = lease.occupant;
                if (block != null) {
                    block.leftBy(ledger);
                }
                if (lease.letGo(ledger)) {
                    if (block != null) {
                        block.vacate();
                    }
                    RegionEvents.sourceCall(record.name, "give back", lease.byteSize, lease.source);
                    try {
                        RawSource.releaseFor(lease.source, lease.segment);
                    } catch (Throwable e) {
                        log().log(System.Logger.Level.ERROR, "reclaiming " + record.describe() + ": " + lease.source
                                + " threw when given back a block", e);
                    }
                }
            }
            ledger.leases.clear();
            GlobalStats.closed(ledger);
        }
        String leaks = CheckedPieces.reportOfNotes(record.name, record.ledgers()); // a checked region's leak report
        GlobalStats.regionDone(record);
        RECLAIMED.incrementAndGet();
        if (RegionEvents.recorder()) {
            RegionEvents.RegionReclaimed e = new RegionEvents.RegionReclaimed();
            if (e.isEnabled()) {
                e.region = record.name;
                e.kind = record.kind;
                e.liveBytes = held[0];
                e.pieces = held[1];
                e.grossBytes = held[2];
                e.commit();
            }
        }
        log().log(System.Logger.Level.WARNING, () -> record.describe() + " was reclaimed without being closed: it held "
                + held[1] + " live pieces (" + held[0] + " bytes), and " + held[2] + " bytes from its source went back"
                + (leaks == null ? "" : "; leak report: " + leaks));
    }
}
