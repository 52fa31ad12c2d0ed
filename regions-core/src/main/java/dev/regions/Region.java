package dev.regions;

import dev.regions.internal.Engine;
import dev.regions.internal.Settings;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * An {@link Arena} whose pieces can also be freed one by one, all at once while the region goes
 * on ({@link #reset()}), or moved into another region ({@link #merge}); that can be capped
 * ({@link #setLimit}), measured ({@link #stats()}) and shared between threads. It is the
 * ScriptBasic allocator's <em>segment</em> (an ownership group, not a contiguous block) on the
 * Foreign Function and Memory API.
 *
 * <pre>{@code
 * try (Region region = Region.ofConfined()) {
 *     MemorySegment name = region.allocateFrom("Ada");          // any SegmentAllocator method
 *     MemorySegment scratch = region.allocate(4096);
 *     region.free(scratch);                                     // one piece back
 *     region.reset();                                           // every piece back; region goes on
 * }                                                             // close: memory back to the source
 * }</pre>
 *
 * <h2>Where a region differs from a plain {@code Arena}</h2>
 * A region keeps every promise of {@code Arena} except four, which per-piece free, reset and
 * merge exist to change:
 * <ol>
 * <li><b>Reuse.</b> No two <em>live</em> pieces overlap, but the bytes of a freed piece may be
 *     handed out again. A freed piece's segment stays usable until the region resets or closes
 *     (the memory still belongs to the region, so touching it cannot fault the process).
 * <li><b>Generations.</b> {@link #scope()} is the scope of the current generation. {@link #reset()}
 *     ends it (every piece and every segment bound to it dies, its cleanup actions run) and starts
 *     a new one.
 * <li><b>Merge.</b> Pieces moved by {@code dst.merge(src)} live as long as {@code dst}'s current
 *     generation: closing {@code src} afterwards does not end them.
 * <li><b>Per-piece free</b> ({@link #free}) exists at all.
 * </ol>
 *
 * <h2>Guarantees</h2>
 * Pieces are zero-filled (unless built with {@code zeroing(false)}), aligned to at least 16 bytes
 * and to any requested power-of-two alignment. After {@link #reset()} or {@link #close()} every
 * piece handed out before throws {@link IllegalStateException} when touched. Misuse throws a clear
 * exception and changes nothing. {@link #free} is O(1); {@link #reset()} and {@link #close()} cost
 * O(blocks and merged-in generations held), never O(pieces); {@link #merge} does not
 * depend on the number of pieces. The numbered list, with the precise semantics, is in the
 * project's DESIGN.md.
 *
 * <h2>Threads</h2>
 * A confined region ({@link #ofConfined()}) belongs to the thread that built it; any other thread
 * that calls a method other than {@link #stats()}, {@link #limit()}, {@link #name()} or
 * {@link #scope()} gets {@link WrongThreadException}, and its pieces are confined like those of
 * {@link Arena#ofConfined()}. A shared region ({@link #ofShared()}) may be used by any number of
 * threads at once; every operation is atomic. Its threads allocate in lanes of their own (picked
 * in turn, each with its own lock), so threads that allocate and free their own pieces do
 * not wait for each other; a piece may still be freed by any thread. Each lane takes its own
 * blocks, so a shared region used by many threads holds more memory than one used by one thread,
 * and its watermarks are kept in steps (see {@link #stats()}).
 *
 * <h2>After close</h2>
 * {@link #stats()}, {@link #limit()}, {@link #name()} and {@link #scope()} still answer (the
 * scope reports {@code isAlive() == false}); every other method throws
 * {@link IllegalStateException}.
 */
public interface Region extends Arena {

    /**
     * A region confined to the calling thread, on {@link MemorySource#malloc()}, zeroing, with no
     * limit. Replaces {@code alloc_InitSegment(malloc, free)}.
     *
     * @return a new confined region
     */
    static Region ofConfined() {
        return builder().build();
    }

    /**
     * A region any thread may use, on {@link MemorySource#malloc()}, zeroing, with no limit.
     *
     * @return a new shared region
     */
    static Region ofShared() {
        return builder().shared(true).build();
    }

    /**
     * A builder for a region of your choice.
     *
     * @return a builder with the defaults of {@link #ofConfined()}
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * A builder preset with the template's source, sharing, zeroing and bump mode (not its name, limit or
     * anything it holds). Replaces {@code alloc_InitSegment(seg, NULL)}, which inherited a
     * segment's functions.
     *
     * @param template a region built by this library; it may be closed
     * @return a preset builder
     * @throws IllegalArgumentException if the template is not a region built by this library
     */
    static Builder builder(Region template) {
        Objects.requireNonNull(template, "template");
        Settings settings = Engine.settingsOf(template);
        if (settings == null) {
            throw new IllegalArgumentException(
                    "template " + template.getClass().getName() + " is not a region built by Regions");
        }
        Builder builder = new Builder().shared(settings.shared()).zeroing(settings.zeroing()).bump(settings.bump());
        builder.source = settings.source(); // vetted when the template was built
        return builder;
    }

    /**
     * The region's name, for messages and diagnostics. Answers after close too.
     *
     * @return the name given to the builder, or a generated {@code region-N}
     */
    String name();

    /**
     * Allocates a piece. Replaces {@code alloc_Alloc(n, seg)}. A size of 0 gives a zero-length
     * piece that counts as live until freed.
     *
     * @throws IllegalArgumentException if {@code byteSize} is negative or {@code byteAlignment} is
     *         not a power of two
     * @throws LimitExceededException if the piece would take live bytes over the limit
     * @throws OutOfMemoryError if the source has no memory
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    @Override
    MemorySegment allocate(long byteSize, long byteAlignment);

    /**
     * Frees one live piece: its bytes may be handed out again; the segment stays safe to touch
     * until the region resets or closes. Replaces {@code alloc_Free(p, seg)}. O(1).
     *
     * <p>What is checked: a live piece of this region must start at the segment's address, of
     * exactly the segment's size, and the segment must be writable and of one of the region's
     * live generations. So a slice, a read-only view, a segment rebuilt from an address, a piece
     * of another region and a piece freed already are refused. The one mistake this cannot see: a
     * stale segment (or a slice of one) that starts where a <em>new</em> piece now starts, and is
     * exactly as long, is that piece as far as {@code free} can tell, and freeing it frees the new
     * piece, as a second {@code free} of a pointer does in C. A freed piece's place is handed out
     * again only to pieces of its size class, within this region, before its next reset. Drop a
     * piece's segment when you free it; the checked mode catches this.
     *
     * @param piece a live piece of this region, exactly as allocated (not a slice, not a read-only
     *              view); {@link MemorySegment#NULL} is accepted and does nothing
     * @throws NullPointerException if {@code piece} is null
     * @throws IllegalArgumentException if {@code piece} is not live in this region: foreign,
     *         already freed, from before a reset, moved to another region, a slice of a piece, a
     *         read-only view, or a piece of a bump region merged into this one
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     * @throws UnsupportedOperationException if the region is in {@link Builder#bump bump mode}
     */
    void free(MemorySegment piece);

    /**
     * Frees every piece at once and starts a new generation; the region stays usable and keeps
     * the blocks this generation carved, to carve them again. Live bytes and count go to 0, the
     * low watermark to 0; the peak and the history counters stay. Replaces
     * {@code alloc_FreeSegment(seg)}. O(blocks and merged-in generations), never O(pieces).
     *
     * <p>Ends the current scope first, then takes the memory back. If a piece is in use (a downcall
     * holds it) the scope cannot end and this throws {@link IllegalStateException} with nothing
     * released, as {@link Arena#close()} does; a shared region's scope ends in every lane or in
     * none. Pieces moved in by {@link #merge} keep scopes of their own, ended after the current
     * one: if one of those is in use, the ones before it have ended (their pieces are dead and no
     * longer counted), the rest stay live, the region keeps every block until a later reset or
     * close can end everything, and the exception is thrown.
     *
     * <p>Cleanup actions bound to the region's scope run inside this call (for a shared region,
     * under its locks). One that throws does not stop the reset: all memory is released, and the
     * first failure is rethrown (an {@link Error} skips the cleanup actions the JDK had not run
     * yet, as a JDK arena's close does). A cleanup action that calls this region from the same
     * thread gets {@link IllegalStateException}; one that waits for another thread using this
     * region, or calls another shared region (which may be merging with this one), can deadlock.
     * Keep cleanup actions to releasing resources.
     *
     * @throws IllegalStateException if the region is closed or a piece is in use
     * @throws WrongThreadException if the region is confined to another thread
     */
    void reset();

    /**
     * Closes the region: ends its scope, then returns every block to the source. Replaces
     * {@code alloc_FinishSegment(seg)}. Failure modes as for {@link #reset()}.
     *
     * @throws IllegalStateException if the region is already closed or a piece is in use
     * @throws WrongThreadException if the region is confined to another thread
     */
    @Override
    void close();

    /**
     * Moves every piece of {@code source} into this region: they are freed with this region from
     * then on and live as long as this region's current generation. {@code source} stays usable
     * and empty. Live bytes and count move; history counters stay where they happened. Replaces
     * {@code alloc_Merge(dst, src)}. Does not depend on the number of pieces.
     *
     * <p>The blocks of {@code source} come along, and their freed places serve this region's
     * later pieces. {@code source} goes on carving the block it was carving, above what it handed
     * over, so a scratch region merged after every few pieces wastes no memory; the block goes back
     * to the memory source when neither region holds it any more. Each merge adds one scope that
     * this region's reset or close ends (see {@link #reset()}).
     *
     * <p>If the moved live bytes would take this region over its limit, the merge throws
     * {@link LimitExceededException} and moves nothing.
     *
     * @param source another open region of the same kind: both shared, or both confined to the
     *               calling thread
     * @throws IllegalArgumentException if {@code source} is this region, not built by Regions, or
     *         of another kind or owner
     * @throws LimitExceededException if this region's limit would be passed
     * @throws IllegalStateException if either region is closed
     * @throws WrongThreadException if a confined region belongs to another thread
     */
    void merge(Region source);

    /**
     * {@link #merge} then {@link #close()} {@code source}, atomically. Replaces
     * {@code alloc_MergeAndFinish(dst, src)}.
     *
     * @param source as for {@link #merge}
     */
    void mergeAndClose(Region source);

    /**
     * Caps the live bytes (requested bytes, not overhead) the region may hold; 0 means no cap. A
     * cap below the current live bytes is accepted: later allocations fail until frees make room.
     * Replaces {@code alloc_SegmentLimit(seg, n)}.
     *
     * @param bytes the new limit, 0 for none
     * @return the previous limit
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    long setLimit(long bytes);

    /**
     * The region's cap on live bytes. Answers after close too.
     *
     * @return the current limit in bytes, 0 for none
     */
    long limit();

    /**
     * The region's figures now. Replaces {@code alloc_GetStat} (without its watermark reset).
     * Live bytes and counts are exact. So are the watermarks of a confined region, and of a
     * shared region that has a limit or has only ever been used by one thread; a shared region
     * without a limit that several threads allocate in counts their changes in steps of 64 KiB
     * per thread, so its watermarks may miss a swing smaller than that (keeping them exact would
     * make the threads write one counter on every operation).
     *
     * @return a snapshot; after close, the final figures
     */
    RegionStats stats();

    /**
     * The region's figures, then both watermarks set to the current live bytes, as the original's
     * {@code alloc_GetStat} did on every read.
     *
     * @return the figures before the watermarks were reset
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    RegionStats statsAndResetPeaks();

    /**
     * Builds regions. Defaults: confined, {@link MemorySource#malloc()}, zeroing, pieces that can
     * be freed one by one (not bump mode), no limit, a generated name.
     */
    final class Builder {
        private String name;
        private boolean shared;
        private long limit;
        private MemorySource source = MemorySource.malloc();
        private boolean zeroing = true;
        private boolean bump;

        Builder() {
        }

        /**
         * Names the region.
         *
         * @param name shown in {@link Region#name()} and in exception messages
         * @return this builder
         */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * Chooses a shared or a confined region.
         *
         * @param shared true for a region any thread may use, false for one confined to the thread
         *               that calls {@link #build()}
         * @return this builder
         */
        public Builder shared(boolean shared) {
            this.shared = shared;
            return this;
        }

        /**
         * Sets the initial limit.
         *
         * @param bytes the live-byte cap, 0 for none (see {@link Region#setLimit})
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder limit(long bytes) {
            this.limit = Engine.checkLimit(bytes);
            return this;
        }

        /**
         * Sets the memory source. The built-in sources ({@link MemorySource#malloc()},
         * {@link MemorySource#jdk()} and their {@code serialized()} views) can be chosen by any
         * code. A source of your own is trusted the way the caller of a restricted method is: the
         * region binds the blocks it hands over to the region's scope, so a block that is freed,
         * unmapped or handed out twice while the region holds it would let pieces touch memory
         * that is not theirs. So the module that implements the source must have native access
         * ({@code --enable-native-access}); this is checked even where the JDK would only warn
         * about a restricted call.
         *
         * @param source where the region's blocks come from and go back to
         * @return this builder
         * @throws IllegalCallerException if {@code source} is not built in and the module that
         *         implements it has no native access
         */
        public Builder source(MemorySource source) {
            Objects.requireNonNull(source, "source");
            Engine.checkSource(source);
            this.source = source;
            return this;
        }

        /**
         * Chooses whether pieces are zero-filled.
         *
         * @param zeroing true (the default) to zero-fill every piece, false to hand pieces out
         *                with whatever bytes they hold
         * @return this builder
         */
        public Builder zeroing(boolean zeroing) {
            this.zeroing = zeroing;
            return this;
        }

        /**
         * Chooses bump mode, for pieces that are only ever released together (PostgreSQL's
         * {@code BumpContext}). A bump region hands pieces out back to back from its blocks with
         * a pointer and keeps no record of each piece, so allocation is as cheap as slicing a
         * segment and pieces cost no metadata; {@link Region#free} throws
         * {@link UnsupportedOperationException}, and {@link Region#reset()} and
         * {@link Region#close()} release everything at once. Everything else works as in a
         * region with {@code free}: limits, statistics, merge (pieces merged from a bump region
         * cannot be freed one by one in their new region either), sharing and zeroing.
         *
         * @param bump true for bump mode, false (the default) for a region whose pieces can be
         *             freed one by one
         * @return this builder
         */
        public Builder bump(boolean bump) {
            this.bump = bump;
            return this;
        }

        /**
         * Builds the region. Takes no memory from the source yet.
         *
         * @return a new open region
         */
        public Region build() {
            return Engine.build(new Settings(name, shared, limit, source, zeroing, bump));
        }
    }
}
