package dev.regions.internal.lane;

import dev.regions.internal.util.Padded;
import dev.regions.internal.util.Refusals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One generation of a lane: a JDK arena whose scope every piece the generation hands out is
 * bound to, and the live bytes and count of those pieces. Ending the generation closes the arena, which
 * kills every piece at once (and runs the cleanup actions users bound to it) before any byte
 * goes back to a source: that is how a reset or close makes stale pieces throw
 * {@link IllegalStateException} instead of touching freed memory. Memory is bound to a
 * generation with {@code MemorySegment.reinterpret}, a restricted method: blocks outlive
 * generations (a reset keeps them), so each generation binds them anew ({@link #bind}).
 *
 * <p>The lanes of a shared region each have a generation on the same arena, so that all the
 * region's pieces share one scope. A merge moves whole generations to the destination lane
 * ({@link #owner} changes); they end when it resets or closes.
 *
 * <h2>The anchor</h2>
 * A piece references nothing but its scope, yet while a caller holds a piece, the region that
 * owns it must not be reclaimed as unreachable (see {@code Reclaimer}). So every arena carries an
 * {@link Anchor}: a cleanup action, held by the arena's own scope, that references the region
 * owning the arena's pieces. A held piece thus keeps its scope, its anchor and its region
 * reachable; a merge points the anchor at the destination.
 */
public final class Generation extends Padded {
    private static final AtomicLong IDS = new AtomicLong();

    /** Unique in the process: lets a block remember a generation without referencing it. */
    final long id = IDS.incrementAndGet();
    public final Arena arena;
    final MemorySegment.Scope scope;
    public final Anchor anchor;
    /**
     * The lane that may free this generation's pieces; null once the generation ended. Changed
     * by merge (under both regions' access) and by reset and close.
     */
    public Lane owner;
    public long liveBytes;
    public long liveCount;


    public Generation(Lane owner, Arena arena, Anchor anchor) {
        this.owner = owner;
        this.arena = arena;
        this.scope = arena.scope();
        this.anchor = anchor;
    }

    /** A new arena for {@code region}'s pieces, anchored to it. */
    @SuppressWarnings("restricted") // binds nothing: registers the anchor
    public static Anchor anchor(Arena arena, Object region) {
        Anchor anchor = new Anchor(region);
        try {
            MemorySegment.NULL.reinterpret(0, arena, anchor);
        } catch (IllegalCallerException e) {
            throw Refusals.noNativeAccess(e);
        }
        return anchor;
    }

    public boolean isAlive() {
        return scope.isAlive();
    }

    /** A segment over {@code byteSize} bytes at {@code address}, alive as long as this generation. */
    @SuppressWarnings("restricted") // the one place a region turns an address into a segment
    MemorySegment bind(long address, long byteSize) {
        try {
            return MemorySegment.ofAddress(address).reinterpret(byteSize, arena, null);
        } catch (IllegalCallerException e) {
            throw Refusals.noNativeAccess(e);
        }
    }

    /**
     * Makes {@code arena} (a checked piece's own) keep this generation's region reachable, as the
     * generation's arena does: a held checked piece must keep its region, and its memory, alive.
     */
    @SuppressWarnings("restricted") // binds nothing: registers a reference to the anchor
    public void anchor(Arena arena) {
        Anchor held = anchor;
        MemorySegment.NULL.reinterpret(0, arena, ignored -> java.lang.ref.Reference.reachabilityFence(held));
    }

    /** Held by an arena's scope; references the region that owns the arena's pieces. */
    public static final class Anchor implements Consumer<MemorySegment> {
        public volatile Object region;


        Anchor(Object region) {
            this.region = region;
        }

        @Override
        public void accept(MemorySegment ignored) {
            region = null; // the arena closed: nothing to keep alive
        }
    }
}
