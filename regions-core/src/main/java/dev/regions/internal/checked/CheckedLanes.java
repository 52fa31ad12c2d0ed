package dev.regions.internal.checked;

import dev.regions.MemoryCorruptionException;
import dev.regions.PieceInfo;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.util.Refusals;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The checked mode across all the lanes of a region (see {@link CheckedPieces} for one lane):
 * whether the region keeps checked pieces, its live pieces in allocation order, checking every
 * guard, and the checked part of a reset or close. A region keeps checked pieces if it is
 * checked, or if a merge brought it some. Called with the region's access taken.
 */
public final class CheckedLanes {
    private CheckedLanes() {
    }

    public static boolean any(List<Lane> lanes) {
        for (Lane h : lanes) {
            if (h.checked != null) {
                return true;
            }
        }
        return false;
    }

    /** Every live checked piece, oldest first. */
    public static List<PieceInfo> pieces(List<Lane> lanes) {
        List<PieceInfo> all = new ArrayList<>();
        for (Lane h : lanes) {
            if (h.checked != null) {
                all.addAll(CheckedPieces.of(h).pieces());
            }
        }
        all.sort(Comparator.comparingLong(PieceInfo::id));
        return all;
    }

    /** Every guard of every live checked piece; the first damage found (the others suppressed), or null. */
    public static MemoryCorruptionException verify(List<Lane> lanes) {
        MemoryCorruptionException damage = null;
        for (Lane h : lanes) {
            if (h.checked != null) {
                damage = (MemoryCorruptionException) Refusals.addFailure(damage, CheckedPieces.of(h).verify());
            }
        }
        return damage;
    }

    /**
     * The leak report of a region: its checked pieces, and if {@code checkedRegion}, the pieces it
     * holds without a record (a merge brought them from a region that is not checked); null if
     * there are none.
     */
    public static String leaks(String region, List<Lane> lanes, boolean checkedRegion) {
        List<PieceInfo> recorded = pieces(lanes);
        long count = 0;
        long bytes = 0;
        if (checkedRegion) {
            for (Lane h : lanes) {
                count += h.ledger.liveCount;
                bytes += h.ledger.liveBytes;
            }
            count -= recorded.size();
            for (PieceInfo p : recorded) {
                bytes -= p.byteSize();
            }
        }
        return recorded.isEmpty() && count <= 0 ? null : CheckedPieces.report(region, recorded, count, bytes);
    }

    /**
     * A reset or close, before the generation ends: the leak report (closing with pieces live:
     * see {@link #leaks}), every guard checked, every piece's scope ended (or forgotten, if the
     * region's thread is gone). Returns the damage found and the leak, as exceptions to throw or
     * log once everything has been given back; either may be null.
     */
    public static Throwable[] end(String region, List<Lane> lanes, boolean closing, boolean abandoned,
            boolean checkedRegion) {
        String left = closing ? leaks(region, lanes, checkedRegion) : null;
        Throwable leak = left == null ? null : new IllegalStateException(left);
        MemoryCorruptionException damage = null;
        for (Lane h : lanes) {
            if (h.checked == null) {
                continue;
            }
            if (abandoned) {
                CheckedPieces.of(h).abandonAll();
            } else {
                damage = (MemoryCorruptionException) Refusals.addFailure(damage, CheckedPieces.of(h).endAll());
            }
        }
        return new Throwable[] {damage, leak};
    }

    /**
     * After the memory went back: what {@link #end} found joins {@code failure} (the damage first);
     * a leak is logged as a warning, or thrown too if the region closes strictly.
     */
    public static Throwable report(String region, Throwable[] findings, boolean strict, Throwable failure) {
        Throwable result = Refusals.addFailure(findings[0], failure);
        Throwable leak = findings[1];
        if (leak != null) {
            CheckedPieces.finding(region, "leak", leak.getMessage());
            if (strict) {
                result = Refusals.addFailure(result, leak);
            } else {
                System.getLogger("dev.regions").log(System.Logger.Level.WARNING,
                        "closed with pieces still live: " + leak.getMessage());
            }
        }
        return result;
    }
}
