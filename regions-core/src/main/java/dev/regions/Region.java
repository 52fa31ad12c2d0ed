package dev.regions;

import dev.regions.internal.Engine;
import dev.regions.internal.lane.Settings;
import dev.regions.internal.region.BaseRegion;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Objects;

/**
 * An {@link Arena} whose pieces can also be freed one by one ({@link #free}), all at once while
 * the region goes on ({@link #reset()}), or moved into another region ({@link #merge}); that can be
 * capped ({@link #setLimit}), measured ({@link #stats()}) and shared between threads. It is the
 * ScriptBasic allocator's <em>segment</em> (an ownership group, not a contiguous block) on the
 * Foreign Function and Memory API.
 *
 * {@snippet :
 * try (Region region = Region.ofConfined()) {
 *     MemorySegment name = region.allocateFrom("Ada");          // any SegmentAllocator method
 *     MemorySegment scratch = region.allocate(4096);
 *     region.free(scratch);                                     // one piece back, O(1)
 *     region.reset();                                           // every piece back; the region goes on
 * }                                                             // close: memory back to the source
 * }
 *
 * Confined, shared, bump-mode and checked regions are compared in the
 * <a href="package-summary.html#kinds">package documentation</a>; sharing, zeroing, bump mode
 * and checked mode are chosen on the {@link Builder}; a bump region is never checked.
 *
 * {@snippet :
 * Region server = Region.builder().name("server").shared(true).limit(64 << 20).build();
 * Region request = Region.builder(server).name("request-17").build(); // shared too, no limit
 * MemorySegment body = request.allocate(2048);
 * server.merge(request);                 // the request's pieces now live with the server's
 * }
 *
 * A region keeps every promise of {@code Arena} except four, which per-piece free, reset and merge
 * exist to change (<a href="package-summary.html#arena">package documentation</a>, which numbers
 * its <a href="package-summary.html#guarantees">guarantees</a>). {@code Region} is sealed: every
 * region is one this library built.
 *
 * <h2>Threads, and after close</h2>
 * A confined region belongs to the thread that built it: from another thread every method but
 * {@link #stats()}, {@link #limit()}, {@link #grossLimit()}, {@link #name()} and {@link #scope()}
 * throws {@link WrongThreadException}, until that thread has ended. A shared region may be used
 * by any number of threads at once (its lanes, a region nobody closed: see the
 * <a href="package-summary.html#threads">package documentation</a>). After {@link #close()}, the
 * five methods above still answer, and every other one throws {@link IllegalStateException}.
 */
public sealed interface Region extends Arena permits BaseRegion {

    /**
     * A region confined to the calling thread, on {@link MemorySource#malloc()}, zeroing, no limit.
     * @return a new confined region
     */
    static Region ofConfined() {
        return builder().build();
    }

    /**
     * A region any thread may use, on {@link MemorySource#malloc()}, zeroing, with no limit.
     * @return a new shared region
     */
    static Region ofShared() {
        return builder().shared(true).build();
    }

    /**
     * A builder for a region of your choice.
     * @return a builder with the defaults of {@link #ofConfined()}
     */
    static Builder builder() {
        return new Builder(Settings.builder());
    }

    /**
     * A builder preset with the template's source, sharing, zeroing, bump mode and checked mode (not
     * its name, limits or anything it holds).
     * @param template a region; it may be closed
     * @return a preset builder
     */
    static Builder builder(Region template) {
        Objects.requireNonNull(template, "template");
        Settings settings = Engine.settingsOf(template);
        Builder builder = new Builder(settings.inherited()); // its source was vetted when the template was built
        builder.checked = settings.checked();
        return builder;
    }

    /** {@return the name given to the builder, or a generated {@code region-N}} Answers after close too. */
    String name();

    /**
     * Allocates a piece. A size of 0 gives a zero-length piece that counts as live until freed; it
     * adds no live bytes, so no limit refuses it, even one already passed.
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
     * until the region resets or closes. O(1). A live piece of this region must start at the
     * segment's address, of exactly its size, and the segment must be writable and of one of the
     * region's live generations (what this cannot see: <a href="package-summary.html#free">package documentation</a>).
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
     * The live piece that starts at {@code address}, as {@code allocate} returned it (its exact
     * size, its generation's scope), for an address native code gave back. O(1); reads no native
     * memory; finds zero-length pieces too (see <a href="package-summary.html#native">C libraries</a>).
     *
     * @param address where the piece starts
     * @return the piece
     * @throws IllegalArgumentException if no live piece of this region starts there (a foreign
     *         address, a piece freed or from before a reset, inside a piece, a bump region's)
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    MemorySegment pieceAt(long address);

    /**
     * C's {@code realloc}: a live piece of {@code newByteSize} bytes holding the piece's bytes up
     * to the smaller size, the rest zero-filled if the region zeroes; in place when its place has
     * room, else moved (copied, then the piece freed). Only the returned segment is the piece
     * afterwards. The limit counts the growth only. Details (alignment, {@code NULL}, size 0, the
     * checked mode): <a href="package-summary.html#native">C libraries</a>.
     *
     * @param piece a live piece of this region, exactly as allocated, as for {@link #free}
     * @param newByteSize the new size
     * @return the piece, resized (the same scope when in place)
     * @throws IllegalArgumentException if {@code newByteSize} is negative, or as {@link #free}
     * @throws LimitExceededException if the limit or the gross limit refuses it; nothing changed
     * @throws OutOfMemoryError if the source has no memory; nothing changed
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     * @throws UnsupportedOperationException if the region is in bump mode
     */
    MemorySegment reallocate(MemorySegment piece, long newByteSize);

    /** {@return this region as C's allocator: function pointers for native code, made on first use ({@link NativeHeap})} */
    default NativeHeap nativeHeap() { return NativeHeap.of(this); }

    /**
     * Frees every piece at once and starts a new generation; the region stays usable and keeps
     * the blocks this generation carved, to carve them again. Live bytes and count go to 0, the
     * low watermark to 0; the peak and the history counters stay. O(blocks and merged-in generations), never O(pieces).
     *
     * <p>Ends the current scope first (in every lane or in none), then takes the memory back; if a
     * downcall holds a piece, throws {@link IllegalStateException} with nothing released, as
     * {@link Arena#close()} does. Cleanup actions run inside this call; one that throws stops no
     * release (more: <a href="package-summary.html#ending">package documentation</a>).
     *
     * @throws IllegalStateException if the region is closed or a piece is in use
     * @throws WrongThreadException if the region is confined to another thread
     */
    void reset();

    /**
     * Closes the region: ends its scope, then returns every block to the source. Failure modes as for {@link #reset()}.
     *
     * @throws IllegalStateException if the region is already closed or a piece is in use
     * @throws WrongThreadException if the region is confined to another thread
     */
    @Override
    void close();

    /**
     * Moves every piece of {@code source} into this region: they are freed with this region from
     * then on and live as long as this region's current generation. {@code source} stays usable
     * and empty. Live bytes and count move; history counters stay where they happened. Does not depend on the number of pieces.
     *
     * <p>The blocks of {@code source} come along; {@code source} goes on carving above what it
     * handed over. Each merge adds one scope that this region's reset or close ends.
     *
     * @param source another open region of the same kind: both shared, or both confined to the
     *               calling thread
     * @throws IllegalArgumentException if {@code source} is this region, or of another kind or owner
     * @throws LimitExceededException if this region's limit would be passed
     * @throws IllegalStateException if either region is closed
     * @throws WrongThreadException if a confined region belongs to another thread
     */
    void merge(Region source);

    /**
     * {@link #merge} then {@link #close()} {@code source}, atomically.
     *
     * @param source as for {@link #merge}
     */
    void mergeAndClose(Region source);

    /**
     * Caps the live bytes (requested bytes, not overhead) the region may hold; 0 means no cap. A
     * cap below the current live bytes is accepted: later allocations (but zero-length ones) fail
     * until frees make room.
     *
     * @param bytes the new limit, 0 for none
     * @return the previous limit
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    long setLimit(long bytes);

    /** {@return the region's cap on live bytes, 0 for none} Answers after close too. */
    long limit();

    /**
     * Caps the bytes the region holds from its source (its gross bytes, overhead included); 0: none.
     * The source is never asked for a block that would take the gross bytes over it: the allocation
     * that needs it is refused with {@link LimitExceededException}, nothing changed. Blocks kept by
     * a reset or brought by a merge count: see <a href="package-summary.html#native">C libraries</a>.
     *
     * @param bytes the new gross limit, 0 for none
     * @return the previous gross limit
     * @throws IllegalArgumentException if {@code bytes} is negative
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    long setGrossLimit(long bytes);

    /** {@return the region's cap on gross bytes, 0 for none} Answers after close too. */
    long grossLimit();

    /**
     * The region's stats now: exact, but the watermarks of a shared region without a limit that
     * several threads allocate in, which count in steps of 64 KiB per lane in use (never more lanes
     * than threads alive at once): they may miss a smaller swing, and never show a value the live
     * bytes did not take.
     *
     * @return a snapshot; after close, the final stats
     */
    RegionStats stats();

    /**
     * The region's stats, then both watermarks set to the current live bytes (a read that starts a new interval).
     *
     * @return the stats before the watermarks were reset
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    RegionStats statsAndResetPeaks();

    /**
     * Checks the guard zones around every live checked piece now: every piece of a
     * {@linkplain Builder#checked checked} region, and the checked pieces a merge brought in.
     *
     * @throws MemoryCorruptionException if a guard zone was written, naming the first damaged
     *         piece (the exception's suppressed list names the others)
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    void verify();

    /**
     * The live pieces of a {@linkplain Builder#checked checked} region, oldest first (not those a
     * merge brought from a region that is not checked, which have no record).
     *
     * @return a snapshot
     * @throws UnsupportedOperationException if the region is not checked (no record of its pieces)
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    List<PieceInfo> livePieces();

    /**
     * The live pieces of a {@linkplain Builder#checked checked} region grouped by where they were
     * allocated, largest group first, with their ids (talloc's {@code talloc_report_full}), and a
     * count of those without a record. Closing a checked region that holds pieces logs it.
     *
     * @return the report, several lines
     * @throws UnsupportedOperationException if the region is not checked
     * @throws IllegalStateException if the region is closed
     * @throws WrongThreadException if the region is confined to another thread
     */
    String leakReport();

    /**
     * Builds regions. Defaults: confined, {@link MemorySource#malloc()}, zeroing, pieces that can
     * be freed one by one (not bump mode), no limit, a generated name, not checked (unless the
     * system property {@code regions.checked} is {@code true}).
     */
    final class Builder {
        private final Settings.Builder settings;
        /** Null until {@link #checked} is called: then {@code regions.checked} decides at {@link #build()}. */
        private Boolean checked;
        /** Records the allocation site of one piece in this many, by default (see {@link #recordSites}). */
        static final int DEFAULT_SITE_SAMPLING = Settings.DEFAULT_SITE_EVERY;

        private Builder(Settings.Builder settings) {
            this.settings = settings;
        }

        /**
         * Names the region.
         * @param name shown in {@link Region#name()} and in exception messages
         * @return this builder
         */
        public Builder name(String name) {
            settings.name(Objects.requireNonNull(name, "name"));
            return this;
        }

        /**
         * Chooses a shared or a confined region.
         * @param shared true for a region any thread may use, false for one confined to the builder's thread
         * @return this builder
         */
        public Builder shared(boolean shared) {
            settings.shared(shared);
            return this;
        }

        /**
         * Sets the initial limit.
         * @param bytes the live-byte cap, 0 for none (see {@link Region#setLimit})
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder limit(long bytes) {
            settings.limit(Engine.checkLimit(bytes));
            return this;
        }

        /**
         * Sets the initial gross limit.
         * @param bytes the cap on bytes held from the source, 0 for none (see {@link Region#setGrossLimit})
         * @return this builder
         * @throws IllegalArgumentException if {@code bytes} is negative
         */
        public Builder grossLimit(long bytes) {
            settings.grossLimit(Engine.checkLimit(bytes));
            return this;
        }

        /**
         * Sets the memory source. A source of your own is trusted with raw memory, so the module
         * that implements it must have native access ({@code --enable-native-access}), checked even
         * where the JDK would only warn about a restricted call; the built-in ones need none.
         * @param source where the region's blocks come from and go back to
         * @return this builder
         * @throws IllegalCallerException if {@code source} is not built in and the module that
         *         implements it has no native access
         */
        public Builder source(MemorySource source) {
            Objects.requireNonNull(source, "source");
            Engine.checkSource(source);
            settings.source(source);
            return this;
        }

        /**
         * Chooses whether pieces are zero-filled.
         * @param zeroing true (the default) to zero-fill every piece, false to hand them out as they are
         * @return this builder
         */
        public Builder zeroing(boolean zeroing) {
            settings.zeroing(zeroing);
            return this;
        }

        /**
         * Chooses bump mode, for pieces only ever released together (PostgreSQL's {@code BumpContext}):
         * pieces are sliced back to back with no record of each; {@link Region#free} throws
         * {@link UnsupportedOperationException} (any region a merge moves them to refuses them).
         * @param bump true for bump mode, false (the default) for pieces freed one by one
         * @return this builder
         */
        public Builder bump(boolean bump) {
            settings.bump(bump);
            return this;
        }

        /**
         * Chooses the checked mode, which finds use after free, double and stale frees, overruns
         * ({@link MemoryCorruptionException}) and leaks; {@code -Dregions.checked=true} turns it on for
         * every region built without {@code checked(false)} (<a href="package-summary.html#checked">more</a>).
         * @param checked true for a checked region
         * @return this builder
         */
        public Builder checked(boolean checked) {
            this.checked = checked;
            return this;
        }

        /**
         * Whether closing a checked region that still holds pieces (recorded or not) throws
         * {@link IllegalStateException} after giving everything back (as Arrow's allocators do)
         * instead of logging the leak report. Off by default; ignored by an unchecked region.
         * @param strict true to throw on a leak
         * @return this builder
         */
        public Builder strictClose(boolean strict) {
            settings.strictClose(strict);
            return this;
        }

        /**
         * How often a checked region records an allocation's site (a stack walk, about thirty
         * allocations' time): one in {@code everyNth}, by default {@value #DEFAULT_SITE_SAMPLING}.
         * @param everyNth at least 1
         * @return this builder
         * @throws IllegalArgumentException if {@code everyNth} is less than 1
         */
        public Builder recordSites(int everyNth) {
            settings.siteEvery(Engine.checkSiteSampling(everyNth));
            return this;
        }

        /**
         * Whether the region has a JMX bean of its own while open ({@link dev.regions.management.RegionMXBean}),
         * unless {@code regions.jmx} is {@code false}. Off by default (a region per request, a bean each).
         * @param monitored true to register the region's bean
         * @return this builder
         */
        public Builder monitored(boolean monitored) {
            settings.monitored(monitored);
            return this;
        }

        /**
         * Builds the region. Takes no memory from the source yet.
         * @return a new open region
         */
        public Region build() {
            // A bump region's pieces are never freed alone, so they need no records: it is never checked.
            return Engine.build(settings.checked(checked != null ? checked : Boolean.getBoolean("regions.checked"))
                    .build());
        }
    }
}
