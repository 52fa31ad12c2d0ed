package dev.regions.internal.region;

import dev.regions.internal.lane.Generation;
import dev.regions.internal.lane.Lane;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a reset or close ends a region's arenas: the JDK's {@code Arena.close()} either ends a scope
 * or, if a downcall holds one of its segments, throws with nothing ended; a cleanup action that
 * throws still lets the arena close. These two tell the cases apart, so that {@link BaseRegion}
 * can end the current generation all or nothing and the adopted ones each once.
 */
final class ArenaEnds {
    private ArenaEnds() {
    }

    /**
     * Closes {@code a}; returns what a cleanup action threw (the arena did close), or null. If the
     * arena stays alive (a downcall holds a piece), rethrows when {@code rethrowInUse}, else
     * returns the exception too.
     */
    static Throwable close(Arena a, boolean rethrowInUse) {
        try {
            a.close();
            return null;
        } catch (RuntimeException | Error e) {
            if (rethrowInUse && a.scope().isAlive()) {
                throw e; // in use: nothing ended
            }
            return e;
        }
    }

    /**
     * Closes every adopted arena once; returns the in-use failure that stopped it (or null) and
     * what cleanup actions threw (or null).
     */
    static Throwable[] closeAdopted(List<Lane> lanes) {
        Map<Arena, Boolean> adopted = null;
        for (Lane h : lanes) {
            for (Generation g : h.generations.adopted()) {
                if (adopted == null) {
                    adopted = new IdentityHashMap<>();
                }
                adopted.put(g.arena, Boolean.TRUE);
            }
        }
        Throwable failure = null;
        if (adopted != null) {
            for (Arena a : adopted.keySet()) {
                Throwable thrown = close(a, false);
                if (thrown != null && a.scope().isAlive()) {
                    return new Throwable[] {thrown, failure};
                }
                failure = Refusals.addFailure(failure, thrown);
            }
        }
        return new Throwable[] {null, failure};
    }
}
