package dev.regions.internal.block;

import java.util.HashMap;
import java.util.Map;

/**
 * Which generation each live piece of a {@link CarvedBlock} belongs to (by the generation's id:
 * a block references no generation), so that {@code Region.pieceAt} can bind a piece found by its
 * address to the scope {@code allocate} gave it, in O(1) and without a record per piece in the
 * common case.
 *
 * <pre>
 *   base generation     every live piece, while the block has only ever held one generation's
 *   runs                [start unit, generation): the units carved from start on, in that
 *                       generation (a lane carving on a block a merge brought, the source of a
 *                       merge carving on above its mark, a reset that could not end every scope)
 *   others              a piece handed out again, from a free list, in another generation than
 *                       its run's (after a merge mixed the free lists): one entry per such piece
 * </pre>
 *
 * A region that never takes a merge keeps one generation per block: a lookup is one comparison
 * and a free list reuse writes nothing. Rewinding the block drops what lies above the pointer.
 * Two lanes may use a block a merge shared (one below the mark, one above), so every change and
 * every mixed lookup is under this object's monitor.
 */
public final class PieceGenerations {
    private long base;
    /** Whether runs or others say more than {@link #base}. */
    private volatile boolean mixed;
    private int[] starts = new int[0];
    private long[] ids = new long[0];
    private int runs;
    private Map<Integer, Long> others;

    /** The lane starts carving at {@code top} in the generation {@code id}. */
    public synchronized void carvingFrom(int top, long id) {
        if (top == 0) {
            base = id;
            runs = 0;
            others = null;
            mixed = false;
        } else if (runGeneration(top) != id) {
            if (runs == starts.length) {
                starts = java.util.Arrays.copyOf(starts, Math.max(4, runs * 2));
                ids = java.util.Arrays.copyOf(ids, starts.length);
            }
            starts[runs] = top;
            ids[runs++] = id;
            mixed = true;
        }
    }

    /** A freed piece's place at {@code unit} is handed out again in the generation {@code id}. */
    public void reused(int unit, long id) {
        if (!mixed && base == id) {
            return;
        }
        reusedMixed(unit, id);
    }

    private synchronized void reusedMixed(int unit, long id) {
        if (runGeneration(unit) == id) {
            if (others != null) {
                others.remove(unit);
            }
        } else {
            if (others == null) {
                others = new HashMap<>();
            }
            others.put(unit, id);
            mixed = true;
        }
    }

    /** The generation of the live piece at {@code unit}. */
    public long at(int unit) {
        return mixed ? atMixed(unit) : base;
    }

    private synchronized long atMixed(int unit) {
        Long other = others == null ? null : others.get(unit);
        return other != null ? other : runGeneration(unit);
    }

    private long runGeneration(int unit) {
        for (int i = runs - 1; i >= 0; i--) {
            if (starts[i] <= unit) {
                return ids[i];
            }
        }
        return base;
    }

    /** The pointer went back to {@code to}: nothing above it is live. */
    synchronized void rewind(int to) {
        while (runs > 0 && starts[runs - 1] >= to) {
            runs--;
        }
        if (others != null) {
            others.keySet().removeIf(u -> u >= to);
        }
        mixed = runs > 0 || (others != null && !others.isEmpty());
    }
}
