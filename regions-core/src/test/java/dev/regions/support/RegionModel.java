package dev.regions.support;

import dev.regions.LimitExceededException;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.Regions;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The reference model of one region, shared by the tests that compare a region with what it
 * should be ({@code RegionModelTest}, {@code RegionFuzzTest}, {@code StatsTest} and the sequential
 * specification of {@code SharedRegionLincheckTest}): plain lists and counters, no memory. It
 * follows the javadoc of {@link Region} and {@link RegionStats}:
 *
 * <ul>
 * <li><b>Pieces.</b> Every piece is {@link State#LIVE} from its allocation until it is freed
 *     ({@link State#FREED}: its bytes may be reused, its segment stays usable) or its generation
 *     ends ({@link State#DEAD}: reset or close of the region that holds it). A zero-length piece
 *     is a piece like any other and counts in the live count.
 * <li><b>Figures.</b> Live bytes and count are those of the live pieces (requested sizes);
 *     {@code allocations} and {@code frees} are history and never go down; a reset or close is not
 *     a free. The peak is the highest live bytes and the low the lowest since creation or the
 *     last {@link #resetPeaks()}: every change of the live bytes raises the one and lowers the
 *     other (so a reset or close takes the low to 0 and keeps the peak).
 * <li><b>statsAndResetPeaks</b> sets both watermarks to the live bytes.
 * <li><b>Limit.</b> 0 means none. An allocation that would take the live bytes over the limit is
 *     refused and changes nothing; reaching the limit exactly is allowed. A limit below the live
 *     bytes is accepted: every allocation is then refused until frees make room, but a zero-length
 *     one, which adds no bytes (as a merge that moves none). A merge is refused if the bytes it moves would take the destination over its limit; a
 *     merge that moves no bytes passes any limit.
 * <li><b>Merge</b> moves every piece the source holds (live or freed: they die with the
 *     destination's next reset or close) to the destination, and with them the live bytes and
 *     count; the source's live bytes go to 0 (its low too), the destination's peak rises if they
 *     pass it; the history counters stay where they happened. {@link #mergeAndClose} then closes the
 *     source.
 * <li><b>Close</b> is a reset that ends the region: afterwards its figures are the final ones
 *     (live 0, low 0, peak and history kept).
 * </ul>
 *
 * <p>What it does not model: gross bytes (the allocator's layout; {@link #expected(long)} takes them
 * from the caller), the process-wide figures of {@link Regions#globalStats()}, the stepped
 * watermarks of a shared region that several threads allocate in without a limit, the order in
 * which a call that is misused in two ways reports them, and resets or closes that fail because a
 * piece is in use.
 *
 * <p>The model only follows calls that succeed: the test asks it first whether a call is allowed
 * ({@link #isClosed()}, {@link #overLimit}, {@link #mergeOverLimit}, {@link #liveTwinOf}), expects
 * the documented exception if not, and applies the call to the model only if it went through. A
 * transition the model would not allow throws {@link IllegalStateException}: a bug in the test.
 *
 * <p>Plain classes only (no records in its state): the Lincheck specification holds one.
 *
 * @param <P> the test's kind of piece (a test may extend {@link Piece} with what it writes in it)
 */
public final class RegionModel<P extends RegionModel.Piece> {

    /** Where a piece is in its life. */
    public enum State { LIVE, FREED, DEAD }

    /** One piece handed out by the region: its size and, where the test keeps it, its segment. */
    public static class Piece {
        private final long size;
        private final MemorySegment segment;
        private RegionModel<?> owner;
        private State state = State.LIVE;

        /** A piece the test knows only by its size (no segment). */
        public Piece(long size) {
            if (size < 0) {
                throw new IllegalArgumentException("negative size " + size);
            }
            this.size = size;
            this.segment = null;
        }

        /** The piece the region returned; its size is the segment's. */
        public Piece(MemorySegment segment) {
            this.segment = segment;
            this.size = segment.byteSize();
        }

        public long size() {
            return size;
        }

        /** The segment the region returned, or null for a piece made with {@link #Piece(long)}. */
        public MemorySegment segment() {
            return segment;
        }

        /** The region that holds the piece now: the one that allocated it, or the one it was merged into. */
        public RegionModel<?> owner() {
            return owner;
        }

        public State state() {
            return state;
        }

        public boolean isLive() {
            return state == State.LIVE;
        }

        @Override
        public String toString() {
            return size + "B" + (segment == null ? "" : "@" + Long.toHexString(segment.address())) + "/" + state
                    + (owner == null ? "" : " in " + owner);
        }
    }

    private final Region region;
    private final boolean shared;
    /** Live pieces, in allocation (then merge) order. */
    private final List<P> live = new ArrayList<>();
    /** Freed pieces whose generation this region still holds: they die with its next reset or close. */
    private final List<P> freed = new ArrayList<>();
    private long liveBytes;
    private long limit;
    private long peak;
    private long low;
    private long allocations;
    private long frees;
    private boolean closed;

    /**
     * The model of a new region.
     *
     * @param region the region it stands for (for names in messages and for the test's use), or null
     * @param shared the region's kind: only regions of the same kind merge
     * @param limit  the limit the region was built with, 0 for none
     */
    public RegionModel(Region region, boolean shared, long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative limit " + limit);
        }
        this.region = region;
        this.shared = shared;
        this.limit = limit;
    }

    // ------------------------------------------------------------------ what the model says

    /** The region this model stands for, or null. */
    public Region region() {
        return region;
    }

    public boolean isShared() {
        return shared;
    }

    public boolean isClosed() {
        return closed;
    }

    public long limit() {
        return limit;
    }

    public long liveBytes() {
        return liveBytes;
    }

    public long liveCount() {
        return live.size();
    }

    public long peak() {
        return peak;
    }

    public long low() {
        return low;
    }

    public long allocations() {
        return allocations;
    }

    public long frees() {
        return frees;
    }

    /** The live pieces, in allocation order (merged-in ones after the region's own at the time). */
    public List<P> live() {
        return Collections.unmodifiableList(live);
    }

    /** Every piece the region's generations hold, live or freed: what its next reset or close kills. */
    public List<P> held() {
        List<P> all = new ArrayList<>(live);
        all.addAll(freed);
        return all;
    }

    /**
     * Whether an allocation of {@code size} bytes is refused for the limit (
     * {@link LimitExceededException}): the region has a limit and the piece would take its live
     * bytes over it. Exactly reaching it is allowed; 0 bytes never take it over, even when it is over already.
     * Safe for any {@code size >= 0}, however large.
     */
    public boolean overLimit(long size) {
        return limit != 0 && size > 0 && size > limit - liveBytes;
    }

    /**
     * Whether {@code this.merge(source)} is refused for this region's limit: the bytes it would move
     * (none passes any limit) would take the live bytes over it.
     */
    public boolean mergeOverLimit(RegionModel<?> source) {
        return limit != 0 && source.liveBytes > 0 && source.liveBytes > limit - liveBytes;
    }

    /**
     * The live piece of this region that {@code free(segment)} frees, null if none: one of the same
     * address and size, if {@code segment}'s scope is alive and is one of this region's generations
     * (the scope of one of its pieces, live or freed). That is all a {@code free} checks (package
     * documentation, "What free can tell"), so a stale segment frees the piece that took its place,
     * even one allocated in another of the region's generations (after a merge brought the stale
     * one's generation in).
     */
    public P liveTwinOf(MemorySegment segment) {
        if (!segment.scope().isAlive() || !holdsGeneration(segment.scope())) {
            return null;
        }
        for (P p : live) {
            if (p.segment() != null && p.segment().address() == segment.address() && p.size() == segment.byteSize()) {
                return p;
            }
        }
        return null;
    }

    private boolean holdsGeneration(MemorySegment.Scope scope) {
        for (List<P> pieces : List.of(live, freed)) {
            for (P p : pieces) {
                if (p.segment() != null && p.segment().scope().equals(scope)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * The figures {@code stats()} must report now (and {@code statsAndResetPeaks()} must return),
     * with the gross bytes, which the model does not know, taken from the caller.
     */
    public RegionStats expected(long grossBytes) {
        return new RegionStats(liveBytes, live.size(), grossBytes, peak, low, allocations, frees);
    }

    // ------------------------------------------------------------------ what the region did

    /** A successful allocation of {@code piece}. */
    public P allocated(P piece) {
        requireOpen("allocate");
        Piece p = piece;
        if (p.owner != null || p.state != State.LIVE) {
            throw new IllegalStateException("model: " + p + " was allocated before");
        }
        if (overLimit(p.size)) {
            throw new IllegalStateException("model: " + p + " passes the limit " + limit + " of " + this);
        }
        p.owner = this;
        live.add(piece);
        allocations++;
        changeLiveBytes(p.size);
        return piece;
    }

    /**
     * A successful {@code free} of the live piece {@code piece} of this region (any piece type: a
     * test may reach the region through {@link Piece#owner()}).
     */
    public void freed(Piece piece) {
        requireOpen("free");
        int index = live.indexOf(piece);
        if (piece.owner != this || piece.state != State.LIVE || index < 0) {
            throw new IllegalStateException("model: " + piece + " is not live in " + this);
        }
        freed.add(live.remove(index));
        piece.state = State.FREED;
        frees++;
        changeLiveBytes(-piece.size);
    }

    /**
     * A successful {@code reset()}: every piece dies; live bytes, count and the low go to 0, the
     * peak and the history stay.
     *
     * @return the pieces that died (live and freed)
     */
    public List<P> reset() {
        requireOpen("reset");
        return endGeneration();
    }

    /**
     * A successful {@code close()}: as {@link #reset()}, and the region is closed.
     *
     * @return the pieces that died (live and freed)
     */
    public List<P> close() {
        requireOpen("close");
        List<P> dying = endGeneration();
        closed = true;
        return dying;
    }

    /** A successful {@code statsAndResetPeaks()}: both watermarks go to the live bytes. */
    public void resetPeaks() {
        requireOpen("statsAndResetPeaks");
        peak = liveBytes;
        low = liveBytes;
    }

    /**
     * A successful {@code setLimit(bytes)}.
     *
     * @return the previous limit, which the call must return
     */
    public long setLimit(long bytes) {
        requireOpen("setLimit");
        if (bytes < 0) {
            throw new IllegalStateException("model: negative limit " + bytes);
        }
        long previous = limit;
        limit = bytes;
        return previous;
    }

    /** A successful {@code this.merge(source)}: every piece {@code source} holds moves here. */
    public void merge(RegionModel<P> source) {
        requireOpen("merge into");
        source.requireOpen("merge from");
        if (source == this || source.shared != shared) {
            throw new IllegalStateException("model: " + source + " cannot merge into " + this);
        }
        if (mergeOverLimit(source)) {
            throw new IllegalStateException("model: merging " + source + " passes the limit " + limit + " of "
                    + this);
        }
        for (Piece p : source.live) {
            p.owner = this;
        }
        for (Piece p : source.freed) {
            p.owner = this;
        }
        long moved = source.liveBytes;
        live.addAll(source.live);
        freed.addAll(source.freed);
        source.live.clear();
        source.freed.clear();
        source.changeLiveBytes(-moved);
        changeLiveBytes(moved);
    }

    /** A successful {@code this.mergeAndClose(source)}: {@link #merge}, then {@code source} closes, empty. */
    public void mergeAndClose(RegionModel<P> source) {
        merge(source);
        source.close();
    }

    @Override
    public String toString() {
        return (region == null ? "model" : region.name()) + (closed ? "(closed)" : "");
    }

    // ------------------------------------------------------------------ inside

    private List<P> endGeneration() {
        List<P> dying = held();
        for (Piece p : dying) {
            p.state = State.DEAD;
        }
        live.clear();
        freed.clear();
        changeLiveBytes(-liveBytes);
        return dying;
    }

    /** Every change of the live bytes moves the watermarks: the peak is their highest, the low their lowest. */
    private void changeLiveBytes(long delta) {
        liveBytes += delta;
        peak = Math.max(peak, liveBytes);
        low = Math.min(low, liveBytes);
    }

    private void requireOpen(String what) {
        if (closed) {
            throw new IllegalStateException("model: " + what + " " + this + ", which is closed");
        }
    }
}
