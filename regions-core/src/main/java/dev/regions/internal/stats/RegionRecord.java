package dev.regions.internal.stats;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the process knows of one region apart from the region object itself: its name and kind,
 * the {@link Ledger ledgers} of its lanes, its limit, and whether it is still open. The
 * process-wide report and the monitoring read open regions through their records, and the
 * {@code Reclaimer} gives back the memory of a region that became unreachable through its record.
 * So a record references no region, lane, arena or generation (see {@link Ledger}).
 */
public final class RegionRecord {
    private static final int OPEN = 0;
    private static final int DONE = 1;

    public final long id;
    public final String name;
    /** "confined to thread 'main'", "shared". */
    public final String kind;
    private final List<Ledger> ledgers = new ArrayList<>();
    private final AtomicInteger state = new AtomicInteger(OPEN);
    /** The region's limit as last set (0 for none); for reports. */
    public volatile long limit;
    /** The name of the region's JMX bean, if it is {@code monitored}. */
    public volatile String beanName;
    /** A shared region's counter of live bytes across lanes (its watermarks), or null. */
    public volatile SteppedCounter sharedLive;


    public RegionRecord(long id, String name, String kind, long limit) {
        this.id = id;
        this.name = name;
        this.kind = kind;
        this.limit = limit;
    }

    /** A lane of the region: its ledger is part of the region's stats and of what a reclaim gives back. */
    public synchronized void add(Ledger ledger) {
        ledgers.add(ledger);
    }

    public synchronized List<Ledger> ledgers() {
        return List.copyOf(ledgers);
    }

    /** Live bytes, live pieces and gross bytes of the region now, summed over its lanes (read from any thread). */
    public long[] sums() {
        long[] f = new long[3];
        for (Ledger l : ledgers()) {
            f[0] += l.liveBytesNow();
            f[1] += l.liveCountNow();
            f[2] += l.grossBytes();
        }
        return f;
    }

    /** Marks the region done (closed or reclaimed); returns false if it already was. */
    public boolean finish() {
        return state.compareAndSet(OPEN, DONE);
    }

    /**
     * The region's peak live bytes, read from any thread: its lane's watermark, or for a shared
     * region the higher of its lanes' and its counter's (kept in steps once several lanes
     * allocate), and at least {@code liveNow}, the live bytes just read, which the steps may lag.
     */
    public long peak(long liveNow) {
        long peak = liveNow;
        for (Ledger l : ledgers()) {
            peak = Math.max(peak, l.peakLiveBytes);
        }
        SteppedCounter counter = sharedLive;
        return counter == null ? peak : Math.max(peak, counter.peak());
    }

    /** "region 'x' (shared)". */
    public String describe() {
        return "region '" + name + "' (" + kind + ")";
    }
}
