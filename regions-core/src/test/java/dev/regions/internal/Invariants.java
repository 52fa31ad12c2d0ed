package dev.regions.internal;

import dev.regions.Region;

/**
 * The tests' door to the engine's checks: the {@link Validator}, lane locks, and the constants a
 * test needs to aim at a boundary. Test code only (it lives with the tests, in the engine's
 * package).
 */
public final class Invariants {
    private Invariants() {
    }

    /** Whether this run builds checked regions by default ({@code -Dregions.checked=true}): a few tests check the checked mode's own behaviour then. */
    public static final boolean CHECKED = Boolean.getBoolean("regions.checked");
    /** Larger than any piece: refused before the source is asked. */
    public static final long MAX_LARGE = SizeClasses.MAX_LARGE;
    /** How far a heap's live bytes move before the process's counter hears of it. */
    public static final long GLOBAL_STEP = SteppedCounter.STEP;
    /** The largest piece carved from a shared block (larger ones get a block of their own). */
    public static final long MEDIUM_MAX = SizeClasses.MEDIUM_MAX;
    /** Process-wide state, which Lincheck must leave out of its analysis. */
    public static final String[] PROCESS_WIDE = {GlobalFigures.class.getName(), AddressDirectory.class.getName(),
            SteppedCounter.class.getName(), ThreadLanes.class.getName()};

    /**
     * The engine's classes that run only under a lane's lock (or every lane's): Lincheck may treat
     * their methods as atomic, so that it explores how threads interleave around the locks rather
     * than every step inside a heap (which made an invocation too slow to finish).
     */
    public static final String[] UNDER_LANE_LOCK = {Heap.class.getName(), FreeLists.class.getName(),
            CarvedBlock.class.getName(), LargeBlock.class.getName(), LargeBlocks.class.getName(),
            BlockSupply.class.getName(), Generations.class.getName(), Generation.class.getName(),
            PieceCheck.class.getName(), UnitSizes.class.getName(), Validator.class.getName(),
            SizeClasses.class.getName(), Callouts.class.getName(), Block.class.getName(), Ledger.class.getName(),
            Lease.class.getName()};

    /** The first broken internal invariant of {@code region}, or null. */
    public static String check(Region region) {
        return Validator.validate((BaseRegion) region);
    }

    /** Whether some thread holds a lane lock of {@code region}, a shared region. */
    public static boolean anyLaneLocked(Region region) {
        return Validator.anyLaneLocked((SharedRegion) region);
    }
}
