package dev.regions.internal.lane;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The generations a lane owns: the current one, which every new piece is bound to, and the
 * adopted ones, which merges brought in (or a reset that could not end them left behind). A
 * piece belongs to this lane if its scope is one of these ({@link #find}); which one it is keeps
 * the per-generation stats exact, so that a reset that can end only some generations knows
 * what died.
 *
 * <p>Looking up the current generation is one comparison; adopted ones are found through a map
 * once there are more than a few (a program region that received a merge per statement holds
 * thousands). Used only under the lane's access.
 */
public final class Generations {
    private static final int MAP_ABOVE = 4;

    public Generation current;
    private final ArrayList<Generation> adopted = new ArrayList<>();
    private Map<MemorySegment.Scope, Generation> byScope;
    private Map<Long, Generation> byId;

    Generations(Generation current) {
        this.current = current;
    }

    /** The generation of this lane whose scope is {@code scope}, or null. */
    public Generation find(MemorySegment.Scope scope) {
        if (current.scope.equals(scope)) {
            return current;
        }
        if (byScope != null) {
            return byScope.get(scope);
        }
        for (Generation g : adopted) {
            if (g.scope.equals(scope)) {
                return g;
            }
        }
        return null;
    }

    /** The generation of this lane whose id is {@code id}, or null (for {@code pieceAt}). */
    Generation findById(long id) {
        if (current.id == id) {
            return current;
        }
        if (byId != null) {
            return byId.get(id);
        }
        for (Generation g : adopted) {
            if (g.id == id) {
                return g;
            }
        }
        return null;
    }

    /** Every generation, current first. */
    public List<Generation> all() {
        List<Generation> all = new ArrayList<>(adopted.size() + 1);
        all.add(current);
        all.addAll(adopted);
        return all;
    }

    public List<Generation> adopted() {
        return adopted;
    }

    /** Takes every generation of {@code from} (a merge), owned by {@code owner} from now on; {@code from} starts on {@code fresh}. */
    void adoptAll(Generations from, Lane owner, Generation fresh) {
        adopt(from.current, owner);
        for (Generation g : from.adopted) {
            adopt(g, owner);
        }
        from.adopted.clear();
        from.byScope = null;
        from.byId = null;
        from.current = fresh;
    }

    private void adopt(Generation g, Lane owner) {
        g.owner = owner;
        adopted.add(g);
        if (byScope != null) {
            byScope.put(g.scope, g);
            byId.put(g.id, g);
        } else if (adopted.size() > MAP_ABOVE) {
            byScope = new HashMap<>();
            byId = new HashMap<>();
            for (Generation a : adopted) {
                byScope.put(a.scope, a);
                byId.put(a.id, a);
            }
        }
    }

    /**
     * After a reset or close: keeps only the generations still alive (their arenas could not be
     * closed; none if {@code abandoned}: their thread is gone), moves {@code next} in as current,
     * and returns the live bytes and count of those that ended.
     * Ended generations lose their owner, so a stale lookup can never pass for this lane.
     */
    long[] replace(Generation next, boolean abandoned) {
        if (adopted.isEmpty()) { // the common case: no merge, no generation left alive: no lists to build
            Generation ended = current;
            current = next;
            if (ended.isAlive() && !abandoned) {
                adopt(ended, ended.owner);
                return new long[] {0, 0};
            }
            ended.owner = null;
            return new long[] {ended.liveBytes, ended.liveCount};
        }
        long bytes = 0;
        long count = 0;
        List<Generation> survivors = new ArrayList<>();
        for (Generation g : all()) {
            if (g.isAlive() && !abandoned) {
                survivors.add(g);
            } else {
                g.owner = null;
                bytes += g.liveBytes;
                count += g.liveCount;
            }
        }
        adopted.clear();
        byScope = null;
        byId = null;
        current = next;
        for (Generation g : survivors) {
            adopt(g, g.owner);
        }
        return new long[] {bytes, count};
    }

    /** Whether any generation is still alive. */
    boolean anyAlive() {
        if (current.isAlive()) {
            return true;
        }
        for (Generation g : adopted) {
            if (g.isAlive()) {
                return true;
            }
        }
        return false;
    }
}
