/**
 * Off-heap regions: {@link dev.regions.Region}, a {@link java.lang.foreign.Arena} whose pieces can
 * also be freed one by one, reset all at once, merged into another region, capped, measured and
 * shared between threads (the ScriptBasic allocator's segments, on the FFM API).
 *
 * <h2 id="kinds">Kinds of region</h2>
 * <table class="striped">
 * <caption style="display:none">Kinds of region</caption>
 * <thead>
 * <tr><th scope="col">built with</th><th scope="col">threads</th><th scope="col">{@code free}</th>
 *     <th scope="col">finds the caller's mistakes</th></tr>
 * </thead>
 * <tbody>
 * <tr><th scope="row">{@link dev.regions.Region#ofConfined()}</th><td>the building thread only</td><td>O(1)</td>
 *     <td>misuse of the API (guarantee 2)</td></tr>
 * <tr><th scope="row">{@link dev.regions.Region#ofShared()}</th><td>any number at once; every operation atomic</td>
 *     <td>O(1)</td><td>misuse of the API</td></tr>
 * <tr><th scope="row">{@code builder().bump(true)}</th><td>confined or shared</td>
 *     <td>throws {@link java.lang.UnsupportedOperationException}: pieces go back together only</td>
 *     <td>misuse of the API</td></tr>
 * <tr><th scope="row">{@code builder().checked(true)}</th><td>confined or shared</td><td>O(1)</td>
 *     <td>also use after free, any double free, overruns, leaks (about 4&times; the time)</td></tr>
 * </tbody>
 * </table>
 * Sharing, zeroing, bump mode and checked mode are chosen on the {@link dev.regions.Region.Builder}; a bump region is
 * never checked.
 *
 * <h2 id="guarantees">Guarantees</h2>
 * Tests cite these by number ("guarantee 3").
 * <ol>
 * <li id="g1"><b>No crash, whatever the caller does wrong.</b> No sequence of calls on this API
 *     makes the JVM crash or lets one live piece overlap another. After {@code reset()} or
 *     {@code close()} every piece handed out before is dead: touching it throws
 *     {@link java.lang.IllegalStateException} (its scope is closed). After {@code free(piece)} the
 *     bytes stay the region's until a reset or close, so a stale piece cannot fault the process.
 * <li id="g2"><b>Misuse is a clear exception and changes nothing.</b> A negative size, an
 *     alignment that is not a power of two, {@code free} of a segment that is not a live piece of
 *     this region (foreign, already freed, from before a reset, a slice, a read-only view, rebuilt
 *     from an address, a piece of a bump region) or {@code reallocate} of one, {@code pieceAt} of
 *     an address where no live piece of this region starts, {@code merge} of a region into itself, of a
 *     closed region or across incompatible owners, any call after {@code close}, a confined region
 *     used from another thread ({@link java.lang.WrongThreadException}). The exception names the
 *     region and what was wrong; the region's state and stats are exactly as before the call
 *     (the one mistake a region that is not checked cannot see is <a href="#free">below</a>).
 * <li id="g3"><b>Exact stats.</b> Live bytes are the sum of the sizes of live pieces; a failed
 *     allocation or reallocation (limit, gross limit, source out of memory) leaves every figure
 *     unchanged; once every region
 *     is closed, the process's live and gross bytes are 0: no native memory is leaked.
 * <li id="g4"><b>Pieces never overlap</b> and are zero-filled unless built with
 *     {@code zeroing(false)}. Every piece is aligned to at least 16 bytes and to any requested
 *     power-of-two alignment.
 * <li id="g5"><b>Threads.</b> A confined region belongs to its building thread. A shared region may
 *     be used by any number of threads at once; every operation is atomic; a reset or close ends
 *     the generation in every lane or in none.
 * <li id="g6"><b>Costs that do not grow with the wrong thing.</b> {@code free} and {@code pieceAt} are O(1), and so
 *     are {@code allocate} of a piece up to 8 KiB and {@code reallocate} in place (one that moves
 *     costs an allocate, a copy and a free); {@code reset} and {@code close} cost O(blocks and
 *     merged-in generations held), never O(pieces); {@code merge} costs O(blocks and size
 *     classes), never O(pieces).
 * </ol>
 *
 * <h3 id="semantics">Precise semantics</h3>
 * <ul>
 * <li>{@link dev.regions.Regions#globalStats()}: live bytes, live count and gross bytes sum every
 *     open region (pieces moved by a merge count once; closing a region removes its share);
 *     allocations and frees count every one in the process so far. A snapshot is a state the
 *     process could have been in: no figure is negative, no piece counts twice. The process's
 *     watermarks move in steps of 64 KiB per region, so that no counter is written by every
 *     thread on the hot path: they may miss a swing smaller than that, and never show a value
 *     the live bytes did not take.
 * <li>Limit: a piece that brings live bytes to exactly the limit is allowed; only going over
 *     throws {@link dev.regions.LimitExceededException}. A limit below the current live bytes is
 *     accepted: later allocations fail until frees make room.
 * <li>{@code reset()}: live bytes and count go to 0, the low watermark to 0, the peak is kept.
 *     Allocations and frees are history: reset, merge and close do not change them.
 * <li>{@code merge}: live bytes and count move to the destination. Both regions must be shared, or
 *     both confined to the same thread; otherwise {@link java.lang.IllegalArgumentException}.
 * <li>Only {@code allocate} and {@code reallocate} (and building a region) take memory from the
 *     source; {@code free},
 *     {@code reset}, {@code merge} and {@code close} only give it back or keep it.
 * <li>{@code free(null)} throws {@link java.lang.NullPointerException};
 *     {@code free(MemorySegment.NULL)} does nothing. Zero-length pieces count in the live count.
 * <li>Regions compose: a {@link dev.regions.MemorySource} may take its blocks from another region.
 * </ul>
 *
 * <h2 id="arena">Where a region differs from a plain {@code Arena}</h2>
 * A region keeps every promise of {@code Arena} except four, which per-piece free, reset and
 * merge exist to change:
 * <ol>
 * <li><b>Reuse.</b> No two <em>live</em> pieces overlap, but the bytes of a freed piece may be
 *     handed out again. A freed piece's segment stays usable until the region resets or closes
 *     (the memory still belongs to the region, so touching it cannot fault the process); in a
 *     checked region, touching it throws.
 * <li><b>Generations.</b> {@code scope()} is the scope of the current generation; {@code reset()}
 *     ends it (every piece and every segment bound to it dies, its cleanup actions run) and
 *     starts a new one.
 * <li><b>Merge.</b> Pieces moved by {@code dst.merge(src)} live as long as {@code dst}'s current
 *     generation: closing {@code src} afterwards does not end them.
 * <li><b>Per-piece free</b> exists at all.
 * </ol>
 *
 * <h2 id="free">What {@code free} can tell</h2>
 * A region checks a {@code free} against the Java-heap record of the piece that starts at the
 * segment's address: a live piece must start there, of exactly the segment's size, and the
 * segment must be writable and of one of the region's live generations. So a slice, a read-only
 * view, a segment rebuilt from an address, a piece of another region and a piece freed already are
 * refused, with one exception: a segment rebuilt in the region's own scope
 * ({@code reinterpret(size, region, null)}) over exactly a live piece of the region has the
 * piece's address, size and scope, all a segment carries, so it is that piece, and freeing it
 * frees the piece (the checked mode, whose pieces each have a scope of their own, refuses it);
 * and the same over a live piece of another region that shares a block with this one through a
 * merge (which of them owns a piece in that block is recorded nowhere). What it cannot see: it keeps no record of pieces that are gone, so if a freed piece's
 * place was handed out again to a new piece with the same address and size, the stale segment (or
 * a slice of any stale piece that starts where the new piece starts and is exactly as long) is
 * that new piece as far as {@code free} can tell, and freeing it frees the new piece, as a second
 * {@code free} of a pointer does in C. A freed piece's place goes to pieces of its own size class
 * only (for the 17..32-byte class, also to a zero-length piece, which sits 16 bytes in), within
 * the same region, before its next reset. Drop a piece's segment when you free it; the checked
 * mode always tells a stale piece from a live one.
 *
 * <h2 id="threads">Threads: lanes; when a thread dies, or nobody closes a region</h2>
 * A shared region's threads each allocate in one of a fixed number of lanes with a lock each (four
 * per processor, at most 64). A thread takes its lane as it first uses a shared region, and keeps
 * it while it lives: the lane of threads that have all ended if there is one, with the free space
 * and the partly used blocks they left there, else a lane no thread has taken, else the lane with
 * the fewest threads alive. So the memory a shared region holds follows its live bytes and the
 * number of threads alive at once, never the number of threads that ever ran; virtual threads
 * take lanes the same way (never their carrier's: a virtual thread may change carrier in the middle
 * of an allocation), so thousands of short ones that run a few at a time use a few lanes, and
 * thousands alive at once share the lanes there are: no virtual thread keeps a lane of its own.
 * A thread frees its own lane's pieces under its lane's lock, and another lane's pieces without
 * that lane's lock: they wait on a stack of the lane's (one compare-and-set each) until the lane
 * next runs out of free pieces of their size, or until an operation on the whole region; a
 * consumer thread never waits for a producer. Every figure counts such a piece as freed the moment
 * {@code free} returns. What cannot be told apart: two threads freeing the same piece at the same
 * instant (a race in the caller's code) may both succeed, and the piece is then handed out twice;
 * freed one after the other, the second is refused as always, and the checked mode refuses both.
 * <p>
 * Once the thread that owns a confined region has ended, any thread may reset or close it, and its
 * memory goes back to the source as with a close by the owner. The JDK lets only the owner end a
 * confined arena, so the region's scope stays alive: cleanup actions bound to it with
 * {@code reinterpret} do not run, and {@code scope().isAlive()} stays true after such a close; its
 * pieces still cannot be touched from any other thread ({@link java.lang.WrongThreadException}).
 * A region that becomes unreachable before anyone closed it, with every piece of it unreachable
 * too (a held piece keeps its region alive), is reclaimed: a cleaner gives its memory back to the
 * source, takes it out of the global stats, counts it
 * ({@link dev.regions.Regions#reclaimedRegions()}) and logs a warning naming it. Its cleanup
 * actions do not run either. Closing a region is still the way to release memory at a known moment.
 *
 * <h2 id="ending">Reset and close: merged scopes, cleanup actions</h2>
 * Pieces moved in by a merge keep scopes of their own, ended after the current one: if one of
 * those is in use by a downcall, the ones before it have ended (their pieces are dead and no
 * longer counted), the rest stay live, the region keeps every block until a later reset or close
 * can end everything, and the call throws {@link java.lang.IllegalStateException}. Cleanup actions
 * bound to the region's scope run inside reset and close (for a shared region, under its locks).
 * One that throws does not stop the call: all memory is released, and the first failure is
 * rethrown (an {@link java.lang.Error} skips the cleanup actions the JDK had not run yet, as a
 * JDK arena's close does). A cleanup action or a memory source that calls back into the region it
 * serves, from the same thread, gets {@link java.lang.IllegalStateException}; one that waits for
 * another thread using the region, or calls another shared region (which may be merging with this
 * one), can deadlock. Keep cleanup actions to releasing resources.
 *
 * <h2 id="native">C libraries in a region</h2>
 * Native code that allocates through a region hands back addresses, not segments. The foundation:
 * <ul>
 * <li>{@link dev.regions.Region#pieceAt(long)} turns the address where a live piece starts back into
 *     that piece: its exact size, bound to its generation (the scope {@code allocate} gave it, even
 *     for a piece a merge brought in), so {@code region.free(region.pieceAt(address))} frees it.
 *     O(1), from the address directory and the block's codes; no map per piece (a carved block
 *     records which generation its pieces belong to, and needs an entry per piece only for a piece
 *     handed out again in another generation than its neighbours', after a merge). A zero-length
 *     piece is found too: it starts on a unit no other piece starts on. In a checked region it is
 *     the checked piece itself, with its own scope (found in the checked records); an address in a
 *     guard zone is refused.
 * <li>{@link dev.regions.Region#reallocate(MemorySegment, long)} is C's {@code realloc}. It keeps
 *     the piece where it is when its place has room: a new size of the same size class, or, for a
 *     piece in a block of its own, a size that block holds and fills at least half of. Otherwise it
 *     moves: a new piece aligned as {@code allocate(newByteSize)} aligns it (16 bytes, as
 *     {@code realloc} keeps only {@code malloc}'s alignment), the bytes copied, the old piece freed
 *     (one allocation and one free in the counters; in place counts neither). The limit counts
 *     only the growth: a reallocation is refused only if the new size would take the live bytes
 *     over the limit once the old piece is gone, although one that moves holds both copies for a
 *     moment (the gross limit, which caps what is taken from the source, counts both).
 *     {@link java.lang.foreign.MemorySegment#NULL} allocates, as {@code realloc(NULL, n)} does; a new
 *     size of 0 gives a zero-length piece (freed by {@code free}, as any). A refusal leaves the piece
 *     live and every figure as it was. In a checked region it always moves: guard zones around the
 *     new piece, the old piece's scope ended (a damaged guard is reported first, nothing changed).
 * <li>{@link dev.regions.Region#setGrossLimit(long)} caps what the region holds from its source,
 *     overhead included: the source is never asked for a block that would take the gross bytes over
 *     it. The blocks a reset keeps to carve again stay in the gross bytes, so they count against
 *     it, and a reset never asks the source for anything; blocks a merge brings in count too, and
 *     may take the region over the cap, as may a cap set below the gross bytes: allocations that
 *     need a new block then fail until a reset or close gives blocks back.
 * </ul>
 * {@link dev.regions.Region#nativeHeap()} gives these to native code as function pointers with
 * libc's signatures and the context-passing shapes of zlib, zstd, Lua and SQLite; no exception ever
 * reaches native code: see {@link dev.regions.NativeHeap}.
 *
 * <h2 id="checked">The checked mode</h2>
 * {@link dev.regions.Region.Builder#checked(boolean)}, or {@code -Dregions.checked=true} for every
 * region built without an explicit {@code checked(false)}, finds the caller's memory mistakes (the
 * original's debug layer). A checked region
 * <ul>
 * <li>gives every piece a scope of its own, which {@code free} ends: touching a freed piece throws
 *     {@link java.lang.IllegalStateException}, and freeing a piece twice, a stale piece whose place
 *     was reused (by a piece of any size), or a slice of one is always refused with
 *     {@link java.lang.IllegalArgumentException}. So a piece's scope is not the region's
 *     {@code scope()}, which still ends every piece at a reset or close;
 * <li>puts guard zones before and after every piece and checks them at {@code free},
 *     {@code verify()}, {@code reset} and {@code close}: a damaged guard is a
 *     {@link dev.regions.MemoryCorruptionException}, thrown after the call has done its work;
 * <li>numbers its pieces, records where some of them were allocated (one in 64 by default:
 *     {@link dev.regions.Region.Builder#recordSites(int)}), lists them
 *     ({@code livePieces()}, {@code leakReport()}), and logs the leak report when it is closed with
 *     pieces still live (or throws: {@link dev.regions.Region.Builder#strictClose(boolean)}).
 * </ul>
 * Everything else behaves as in a region that is not checked: limits, stats (guard zones are not
 * live bytes, though they count in the gross bytes), merge (with a region checked or not: checked
 * pieces stay checked in the region they move to), reset, alignment, zeroing; with one exception:
 * a reset or close that finds a piece in use by a downcall throws as always, but the pieces whose
 * scopes it ended before that one stay ended: they are dead, no longer counted in the stats or
 * against the limit, and their memory stays with the region until a later reset or close can end
 * everything. A region in bump mode is never checked (its pieces
 * are only released all together). What it costs: a few times the time of an allocate and free
 * (BENCHMARKS.md, W1) and 32 or more bytes per piece; in a shared region, a free also costs a JDK
 * shared-arena close (a handshake with every thread); reset, close and merge cost O(pieces).
 *
 * <h2 id="monitoring">Monitoring</h2>
 * Flight Recorder events named {@code dev.regions.*} (settings in {@code dev/regions/regions.jfc}
 * in this module), JMX beans in the domain {@code dev.regions}
 * ({@link dev.regions.management.RegionsMXBean}, and {@link dev.regions.management.RegionMXBean}
 * for regions built {@code monitored(true)}), and {@link dev.regions.Regions#report()}.
 */
package dev.regions;
