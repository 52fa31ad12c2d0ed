package dev.regions.internal.event;

import dev.regions.internal.stats.GlobalStats;
import dev.regions.internal.stats.RegionRecord;

import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Enabled;
import jdk.jfr.Event;
import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import jdk.jfr.Label;
import jdk.jfr.MemoryAddress;
import jdk.jfr.Name;
import jdk.jfr.Period;
import jdk.jfr.StackTrace;

/**
 * What Regions tells JDK Flight Recorder: one event type per thing a region does that someone
 * watching memory wants to see, all named {@code dev.regions.*} in the category "Regions". The
 * settings file {@code regions.jfc} (in this jar, next to this class's package, and in the
 * repository) turns them on: {@code -XX:StartFlightRecording:settings=default,settings=regions.jfc}.
 *
 * <p>Events are made only where a region already does more than the hot path: building, reset,
 * merge, close, a source call, a refused allocation, a large piece, a checked-mode finding. The
 * per-piece events ({@link PieceAllocated}, {@link PieceFreed}) come from checked regions only
 * and are off by default: an unchecked region's {@code allocate} and {@code free} stay free of
 * them. A disabled event costs a check of two flags, and none is made before Flight Recorder is
 * initialized ({@link #recorder()}). {@link RegionStatistics} is a periodic event,
 * one per open region at each period (once a second in {@code regions.jfc}), as the JDK's
 * {@code jdk.DirectBufferStatistics} is.
 */
public final class RegionEvents {
    private RegionEvents() {
    }

    /** A large piece at least this large makes a {@link LargePiece} event. */
    public static final long LARGE_PIECE_EVENT = 1 << 20;


    @Name("dev.regions.RegionBuilt")
    @Label("Region Built")
    @Description("A region was built")
    @Category("Regions")
    @StackTrace(false)
    public static final class RegionBuilt extends Event {
        @Label("Region") public String region;
        @Label("Kind") @Description("Confined to a thread, or shared") public String kind;
        @Label("Checked") public boolean checked;
        @Label("Limit") @DataAmount public long limit;
    }

    @Name("dev.regions.RegionReset")
    @Label("Region Reset")
    @Description("A region released every piece at once and started a new generation")
    @Category("Regions")
    @StackTrace(false)
    public static final class RegionReset extends Event {
        @Label("Region") public String region;
        @Label("Live Bytes Released") @DataAmount public long liveBytes;
        @Label("Pieces Released") public long pieces;
        @Label("Gross Bytes Kept") @DataAmount public long grossBytes;
    }

    @Name("dev.regions.RegionClosed")
    @Label("Region Closed")
    @Description("A region was closed: every piece released, every block given back")
    @Category("Regions")
    @StackTrace(false)
    public static final class RegionClosed extends Event {
        @Label("Region") public String region;
        @Label("Live Bytes Released") @DataAmount public long liveBytes;
        @Label("Pieces Released") public long pieces;
        @Label("Peak Live Bytes") @DataAmount long peakLiveBytes;
        @Label("Allocations") long allocations;
        @Label("Frees") long frees;
    }

    @Name("dev.regions.RegionMerged")
    @Label("Region Merged")
    @Description("Every piece of one region moved into another")
    @Category("Regions")
    @StackTrace(false)
    public static final class RegionMerged extends Event {
        @Label("Destination") public String destination;
        @Label("Source") public String source;
        @Label("Live Bytes Moved") @DataAmount public long liveBytes;
        @Label("Pieces Moved") public long pieces;
    }

    @Name("dev.regions.RegionReclaimed")
    @Label("Region Reclaimed")
    @Description("A region nobody closed became unreachable and its memory went back to its source")
    @Category("Regions")
    @StackTrace(false)
    public static final class RegionReclaimed extends Event {
        @Label("Region") public String region;
        @Label("Kind") @Description("Confined to a thread (which has ended, or dropped the region), or shared")
        public String kind;
        @Label("Live Bytes") @DataAmount public long liveBytes;
        @Label("Pieces") public long pieces;
        @Label("Gross Bytes") @DataAmount public long grossBytes;
    }

    @Name("dev.regions.LimitExceeded")
    @Label("Limit Exceeded")
    @Description("An allocation or merge was refused: it would have taken a region over its limit")
    @Category("Regions")
    public static final class LimitExceeded extends Event {
        @Label("Region") public String region;
        @Label("Requested") @DataAmount long requested;
        @Label("Live Bytes") @DataAmount public long liveBytes;
        @Label("Limit") @DataAmount public long limit;
    }

    @Name("dev.regions.SourceCall")
    @Label("Memory Source Call")
    @Description("A region took a block from its memory source, or gave one back")
    @Category("Regions")
    @StackTrace(false)
    public static final class SourceCall extends Event {
        @Label("Region") public String region;
        @Label("Action") @Description("take or give back") String action;
        @Label("Block Size") @DataAmount public long bytes;
        @Label("Source") public String source;
    }

    @Name("dev.regions.LargePiece")
    @Label("Large Piece")
    @Description("A piece of 1 MiB or more was allocated")
    @Category("Regions")
    public static final class LargePiece extends Event {
        @Label("Region") public String region;
        @Label("Size") @DataAmount public long bytes;
    }

    @Name("dev.regions.CheckedFinding")
    @Label("Checked Mode Finding")
    @Description("A checked region found a caller's mistake: a damaged guard zone, or pieces left live at close")
    @Category("Regions")
    public static final class CheckedFinding extends Event {
        @Label("Region") public String region;
        @Label("What") public String what;
        @Label("Message") public String message;
    }

    @Name("dev.regions.NativeBadFree")
    @Label("Bad Free From Native Code")
    @Description("Native code freed, through a region's NativeHeap, an address where no live piece starts; ignored")
    @Category("Regions")
    public static final class NativeBadFree extends Event {
        @Label("Region") public String region;
        @Label("Address") @MemoryAddress public long address;
        @Label("Reason") public String reason;
    }

    @Name("dev.regions.PieceAllocated")
    @Label("Piece Allocated")
    @Description("A checked region allocated a piece")
    @Category("Regions")
    @Enabled(false)
    public static final class PieceAllocated extends Event {
        @Label("Region") public String region;
        @Label("Piece Id") public long id;
        @Label("Size") @DataAmount public long bytes;
    }

    @Name("dev.regions.PieceFreed")
    @Label("Piece Freed")
    @Description("A checked region freed a piece")
    @Category("Regions")
    @Enabled(false)
    @StackTrace(false)
    public static final class PieceFreed extends Event {
        @Label("Region") public String region;
        @Label("Piece Id") public long id;
        @Label("Size") @DataAmount public long bytes;
    }

    @Name("dev.regions.RegionStatistics")
    @Label("Region Statistics")
    @Description("The stats of an open region, once a period")
    @Category("Regions")
    @StackTrace(false)
    @Period("1 s")
    public static final class RegionStatistics extends Event {
        @Label("Region") public String region;
        @Label("Kind") public String kind;
        @Label("Live Bytes") @DataAmount public long liveBytes;
        @Label("Pieces") public long pieces;
        @Label("Gross Bytes") @DataAmount public long grossBytes;
        @Label("Limit") @DataAmount public long limit;
    }

    /** A source call: a block taken ("take") or given back ("give back"). */
    public static void limitExceeded(String region, long requested, long live, long limit) {
        if (!recorder) {
            return;
        }
        LimitExceeded e = new LimitExceeded();
        if (e.isEnabled()) {
            e.region = region;
            e.requested = requested;
            e.liveBytes = live;
            e.limit = limit;
            e.commit();
        }
    }

    public static void nativeBadFree(String region, long address, String reason) {
        if (!recorder) {
            return;
        }
        NativeBadFree e = new NativeBadFree();
        if (e.isEnabled()) {
            e.region = region;
            e.address = address;
            e.reason = reason;
            e.commit();
        }
    }

    public static void sourceCall(String region, String action, long bytes, Object source) {
        if (!recorder) {
            return;
        }
        SourceCall e = new SourceCall();
        if (e.isEnabled()) {
            e.region = region;
            e.action = action;
            e.bytes = bytes;
            e.source = source.toString();
            e.commit();
        }
    }

    /** Commits a {@link RegionReset} or {@link RegionClosed} begun before the end, with the stats before and after. */
    public static void ended(Event event, String region, long[] before, dev.regions.RegionStats after, long grossAfter) {
        if (event instanceof RegionClosed e) {
            e.region = region;
            e.liveBytes = before[0];
            e.pieces = before[1];
            e.peakLiveBytes = after.peakLiveBytes();
            e.allocations = after.allocations();
            e.frees = after.frees();
        } else if (event instanceof RegionReset e) {
            e.region = region;
            e.liveBytes = before[0];
            e.pieces = before[1];
            e.grossBytes = grossAfter;
        }
        event.commit();
    }

    /** Whether Flight Recorder is initialized in this process (set by {@link WhenRecorderStarts}). */
    private static volatile boolean recorder;

    /**
     * Whether Flight Recorder is initialized, so that an event can be enabled. Every event is made
     * behind this test: the first event object a process makes (the initialization of its class)
     * starts Flight Recorder's Java side, tens of milliseconds, even though nothing records it.
     * Nothing can record before the recorder is initialized, and the listener sets this first,
     * before any recording can start, so no event is lost.
     */
    public static boolean recorder() {
        return recorder;
    }

    /**
     * Makes sure {@link RegionStatistics} will be emitted in every recording, and that
     * {@link #recorder()} turns true when Flight Recorder starts (the first region built calls it;
     * it costs nothing after).
     *
     * <p>Registering a periodic event ({@code FlightRecorder.addPeriodicEvent}) starts Flight
     * Recorder's metadata repository, tens of milliseconds in a process that records nothing. So
     * it waits for Flight Recorder itself: a listener registers the event when the recorder is
     * initialized, which happens before any recording can start (a recording made in the process,
     * {@code jcmd JFR.start}, or the JMX bean); if it already is ({@code -XX:StartFlightRecording}),
     * the listener registers it at once, as before. Either way no recording misses a period.
     */
    public static void init() {
        Periodic.ensure();
    }

    /** Its initializer adds the listener, once. */
    private static final class Periodic {
        static {
            FlightRecorder.addListener(new WhenRecorderStarts());
        }

        static void ensure() {
            // the static initializer did it
        }
    }

    private static final class WhenRecorderStarts implements FlightRecorderListener {
        private boolean added; // recorderInitialized runs once per process; a second call is ignored anyway

        @Override
        public synchronized void recorderInitialized(FlightRecorder flightRecorder) {
            if (!added) {
                added = true;
                RegionEvents.recorder = true;
                FlightRecorder.addPeriodicEvent(RegionStatistics.class, new Emitter());
            }
        }
    }

    /** Not a lambda: nothing on the first region's path bootstraps one. */
    private static final class Emitter implements Runnable {
        @Override
        public void run() {
            emitStatistics();
        }
    }

    private static void emitStatistics() {
        for (RegionRecord r : GlobalStats.openRegions()) {
            RegionStatistics e = new RegionStatistics();
            long[] f = r.sums();
            e.region = r.name;
            e.kind = r.kind;
            e.liveBytes = f[0];
            e.pieces = f[1];
            e.grossBytes = f[2];
            e.limit = r.limit;
            e.commit();
        }
    }
}
