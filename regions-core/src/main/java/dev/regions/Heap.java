package dev.regions;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The allocator behind one region (or one lane of a shared region): size-class pages carved from
 * chunks, large blocks, the generations that bind them, and its figures. Not thread-safe: a
 * {@link ConfinedRegion} calls it from its owner thread only, a {@link SharedRegion} under the
 * lane's lock; operations on the whole region hold every lane's guard.
 *
 * <h2>How a piece is found and freed</h2>
 * Small pieces (up to {@value SizeClasses#MAX_SMALL} bytes) take a slot of their size class in
 * the first page of that class's partial list; a new page is carved from the top chunk with room,
 * and a new chunk (16 KiB, doubling up to 1 MiB) is taken from the source when none has room.
 * So a source call serves thousands of pieces. {@code free} finds the page through the global
 * {@link BlockDirectory}, checks owner, generation, slot and size on the Java heap, and pushes the
 * slot on the page's free stack: O(1), and never a read of native memory. The common cases of
 * {@link #allocate} and {@link #free} are kept small so that the JIT inlines them; every other
 * case and every mistake goes to a second method.
 *
 * <h2>Zeroing</h2>
 * A new page (and, in bump mode, a chunk as it starts to serve) is zeroed with one memset when it
 * is carved, so a slot handed out for the first time needs nothing; a reused slot is zeroed when
 * it is handed out again, where the caller is about to touch it anyway. Zeroing at free instead
 * would let a caller who writes through a freed piece break the promise of zeroed pieces.
 *
 * <h2>Bump mode</h2>
 * Pieces of up to {@value SizeClasses#MAX_SMALL} bytes are sliced back to back from the current
 * chunk; nothing is recorded per piece (the generation counts them), and {@code free} is refused.
 *
 * <h2>What it does not do</h2>
 * It does not give a class's free slots to another class, nor return pages or chunks to the
 * source before a reset or close (PostgreSQL's {@code aset.c} makes the same trade: simple and
 * fast, with waste bounded by the peak of each class). A reset keeps chunks for as many bytes as
 * the ending generation carved (so the same work runs again without a source call) and returns
 * the other chunks and the large blocks; a close returns everything.
 *
 * <h2>Reset and close</h2>
 * First every generation ends (its arena closes: every piece and user-bound segment dies, cleanup
 * actions run), then memory is taken back: O(generations + chunks + large blocks), plus a
 * directory clear per 4 KiB unit given back; never O(pieces). If a generation is in use by a
 * downcall it cannot end; the ones that ended before it stay ended, their figures are
 * subtracted, and the region keeps the rest (see {@link #end}). While it runs code it does not
 * own (cleanup actions, the source) the heap is {@link #busy}, and calls back into it are refused.
 *
 * <h2>Merge</h2>
 * Moves the source heap's generations (their owner changes), chunks and large blocks by splicing
 * lists: O(size classes + partly used pages + generations), independent of the number of pieces.
 * Pieces allocated later must be bound to this heap's current scope, so the moved pages and
 * large blocks serve no new allocation until this heap resets: the free slots of every partly
 * used page and every freed large block that came with the source stay idle (their chunks'
 * uncarved room does serve this heap), and each merge adds a generation to end. The source
 * starts again with a small chunk, so a scratch region merged after every statement hands over
 * about {@value #FIRST_CHUNK} bytes a time, not a chunk that doubled up to {@value #MAX_CHUNK}.
 * A shared region merges lane by lane, each lane of the source into the same lane here.
 *
 * <h2>Global figures</h2>
 * The live-byte change is handed to {@link GlobalAccounting} in steps ({@link #unpublished}), so
 * the hot path writes no counter that other threads write.
 */
final class Heap extends Padded {
    private static final long FIRST_CHUNK = 16 * 1024;
    private static final long MAX_CHUNK = 1024 * 1024;
    private static final long CHUNK_ALIGNMENT = 1L << BlockDirectory.UNIT_SHIFT;

    final MemorySource source;
    final boolean shared;
    final boolean zeroing;
    /** Bump mode: small pieces are sliced back to back from {@link #bumpChunk}; no free. */
    final boolean bump;
    final String name;

    Generation current;
    /** Generations other than current that this heap owns: merged in, or left by a partial reset. */
    private final ArrayList<Generation> adopted = new ArrayList<>();
    /**
     * What the heap is in the middle of while it runs code it does not own (cleanup actions, the
     * source), or null: a call back into the region from that code is refused, not let in to
     * find the heap half changed.
     */
    private String busy;
    private boolean closed;

    private final Page[] partialHead = new Page[SizeClasses.COUNT];
    private final Page[] partialTail = new Page[SizeClasses.COUNT];
    private Chunk chunks;
    private Chunk chunksTail;
    private Chunk roomy;
    private long nextChunkSize = FIRST_CHUNK;

    private LargeBlock largeHead;
    private LargeBlock largeTail;
    private LargeBlock[] largeFree;
    /** Bump mode: the chunk pieces are sliced from ({@code carved} is the pointer), and its view in the current generation. */
    private Chunk bumpChunk;
    private MemorySegment bumpView;
    private long lastLeafKey = -1;
    private Block[] lastLeaf;

    long limit;
    long liveBytes;
    long liveCount;
    long grossBytes;
    long peakLiveBytes;
    long lowLiveBytes;
    long allocations;
    long frees;
    /**
     * The change of {@link #liveBytes} not yet added to the global live bytes: published when it
     * reaches {@link GlobalAccounting#STEP} either way, and at every reset, close and merge, so
     * the hot path touches no shared counter.
     */
    long unpublished;
    /** A lane of a shared region: the change of live bytes not yet counted by the region ({@link SharedFigures}). */
    long regionUnpublished;
    /** A lane of a shared region: whether it ever allocated (the region counts such lanes). */
    boolean laneUsed;

    /** Which lane of its shared region this heap is (0 for a confined region's only heap). */
    final int lane;

    Heap(String name, MemorySource source, boolean shared, boolean zeroing, boolean bump, long limit,
         Arena first, int lane) {
        this.lane = lane;
        this.name = name;
        this.source = source;
        this.shared = shared;
        this.zeroing = zeroing;
        this.bump = bump;
        this.limit = limit;
        this.current = new Generation(this, first);
        current.bind(0, 0); // fails fast, before anything is taken, where native access is denied
        GlobalAccounting.opened(this);
    }

    /** Throws unless the heap is open and not running cleanup actions or source calls. */
    void checkUsable() {
        if (closed || busy != null) {
            throw unusable();
        }
    }

    private RuntimeException unusable() {
        return busy != null ? Checks.busy(name, busy) : Checks.closed(name);
    }

    boolean isBusy() {
        return busy != null;
    }

    boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- allocate

    MemorySegment allocate(long byteSize, long byteAlignment) {
        // The common case, kept small so the JIT inlines it: 1..256 bytes at the default alignment.
        if (byteSize > 0 && byteSize <= SMALL_FAST && byteAlignment <= 16 && !bump) {
            return allocateSmall((int) ((byteSize + 15) >>> 4) - 1, byteSize);
        }
        return allocateOther(byteSize, byteAlignment);
    }

    private static final long SMALL_FAST = 256;

    private MemorySegment allocateOther(long byteSize, long byteAlignment) {
        if (bump && byteSize <= SizeClasses.MAX_SMALL && byteAlignment <= SizeClasses.MAX_SMALL_ALIGN) {
            return allocateBump(byteSize, Math.max(16, byteAlignment));
        }
        if (byteSize == 0) {
            return allocateEmpty(byteAlignment);
        }
        if (byteSize <= SizeClasses.MAX_SMALL) {
            int sizeClass = byteAlignment <= 16
                    ? SizeClasses.classOf(byteSize)
                    : SizeClasses.classOf(byteSize, byteAlignment);
            if (sizeClass >= 0) {
                return allocateSmall(sizeClass, byteSize);
            }
        }
        return allocateLarge(byteSize, byteAlignment);
    }

    /**
     * A zero-length piece sits in the middle of a slot (or block) of twice its alignment, so its
     * address is never where another piece ends: otherwise an empty slice at the end of a piece
     * that fills its slot would be equal to it, and {@code free} could not tell the two apart.
     */
    private MemorySegment allocateEmpty(long byteAlignment) {
        long half = Math.max(16, byteAlignment);
        if (half <= SizeClasses.MAX_SMALL_ALIGN) {
            return allocateSmall(SizeClasses.classOf(2 * half), 0); // a power of two: slots of exactly 2 * half
        }
        return allocateLarge(0, byteAlignment);
    }

    private MemorySegment allocateSmall(int sizeClass, long byteSize) {
        if (limit != 0) {
            checkLimit(byteSize);
        }
        Page page = partialHead[sizeClass];
        if (page == null) {
            page = newPage(sizeClass);
        }
        boolean reused = page.hasFreedSlot();
        int slot = page.take(byteSize);
        if (page.isFull()) {
            unlinkPartial(page);
        }
        long offset = (long) slot * page.slotSize + (byteSize == 0 ? page.slotSize >>> 1 : 0);
        MemorySegment piece = page.view.asSlice(offset, byteSize);
        if (zeroing && reused) { // a slot never handed out is still zero from newPage
            piece.fill((byte) 0);
        }
        countAllocation(page.generation, byteSize);
        return piece;
    }

    /**
     * Bump mode: the piece starts at the chunk's pointer, aligned. A chunk without room for it
     * keeps its tail unused until the next reset (at most one piece's worth: pieces here are at
     * most {@value SizeClasses#MAX_SMALL} bytes and chunks at least {@value #FIRST_CHUNK}).
     */
    MemorySegment allocateBump(long byteSize, long byteAlignment) {
        if (limit != 0) {
            checkLimit(byteSize);
        }
        Chunk chunk = bumpChunk;
        long offset = chunk == null ? 0 : (chunk.carved + byteAlignment - 1) & -byteAlignment;
        if (chunk == null || offset + byteSize > chunk.byteSize) {
            chunk = nextBumpChunk(byteSize + byteAlignment);
            offset = (chunk.carved + byteAlignment - 1) & -byteAlignment;
        }
        chunk.carved = offset + byteSize;
        MemorySegment piece = bumpView.asSlice(offset, byteSize);
        current.bumpBytes += byteSize;
        current.bumpCount++;
        countAllocation(current, byteSize);
        return piece;
    }

    private Chunk nextBumpChunk(long bytes) {
        Chunk chunk = chunkWithRoom(bytes);
        MemorySegment view = current.bind(chunk.base, chunk.byteSize);
        if (zeroing) {
            view.asSlice(chunk.carved).fill((byte) 0); // one memset now, none per piece
        }
        bumpChunk = chunk;
        bumpView = view;
        return chunk;
    }

    private Page newPage(int sizeClass) {
        int pageBytes = SizeClasses.pageBytes(sizeClass);
        Chunk chunk = chunkWithRoom(pageBytes);
        long base = chunk.base + chunk.pageStart();
        Page page = new Page(chunk, base, sizeClass, current);
        BlockDirectory.register(page, base, pageBytes);
        chunk.carved = base - chunk.base + pageBytes;
        if (zeroing) {
            page.view.fill((byte) 0); // one memset now, so no slot needs zeroing until it is reused
        }
        linkPartial(page);
        return page;
    }

    private Chunk chunkWithRoom(long bytes) {
        while (roomy != null && roomy.room() < bytes) {
            roomy = roomy.nextRoomy; // the rest of that chunk waits for the next reset
        }
        if (roomy != null) {
            return roomy;
        }
        long size = Math.max(nextChunkSize, bytes);
        MemorySegment block = take(size, CHUNK_ALIGNMENT);
        Chunk chunk;
        try {
            chunk = new Chunk(source, block, size);
        } catch (Throwable e) {
            untake(block, size, e);
            throw e;
        }
        nextChunkSize = Math.min(MAX_CHUNK, size * 2);
        if (chunksTail == null) {
            chunks = chunk;
        } else {
            chunksTail.next = chunk;
        }
        chunksTail = chunk;
        roomy = chunk; // the stack was empty
        return chunk;
    }

    private MemorySegment allocateLarge(long byteSize, long byteAlignment) {
        checkLimit(byteSize);
        long blockBytes = byteSize == 0 ? 2 * byteAlignment : byteSize; // see allocateEmpty
        if (byteSize > SizeClasses.MAX_LARGE || blockBytes > SizeClasses.MAX_LARGE || blockBytes <= 0) {
            throw Checks.tooLarge(byteSize, byteAlignment);
        }
        int largeClass = SizeClasses.largeClassOf(blockBytes);
        LargeBlock block = takeFreeLarge(largeClass, byteAlignment);
        if (block == null) {
            block = newLargeBlock(largeClass, byteAlignment);
            block.prev = largeTail;
            if (largeTail == null) {
                largeHead = block;
            } else {
                largeTail.next = block;
            }
            largeTail = block;
        }
        block.liveSize = byteSize;
        block.pieceOffset = byteSize == 0 ? byteAlignment : 0;
        MemorySegment piece = block.view.asSlice(block.pieceOffset, byteSize);
        if (zeroing) {
            piece.fill((byte) 0);
        }
        countAllocation(block.generation, byteSize);
        return piece;
    }

    private LargeBlock newLargeBlock(int largeClass, long byteAlignment) {
        long bytes = SizeClasses.largeClassBytes(largeClass);
        MemorySegment raw = take(bytes, Math.max(byteAlignment, CHUNK_ALIGNMENT));
        try {
            LargeBlock block = new LargeBlock(source, raw, bytes, largeClass, current);
            BlockDirectory.register(block, block.base, bytes);
            return block;
        } catch (Throwable e) {
            untake(raw, bytes, e);
            throw e;
        }
    }

    private LargeBlock takeFreeLarge(int largeClass, long byteAlignment) {
        if (largeFree == null) {
            return null;
        }
        LargeBlock previous = null;
        for (LargeBlock b = largeFree[largeClass]; b != null; previous = b, b = b.nextFree) {
            if ((b.base & (byteAlignment - 1)) == 0) {
                if (previous == null) {
                    largeFree[largeClass] = b.nextFree;
                } else {
                    previous.nextFree = b.nextFree;
                }
                b.nextFree = null;
                return b;
            }
        }
        return null;
    }

    /**
     * Takes a block from the source, checks it, and counts it in the gross bytes. A block the
     * region could not safely bind (not native, too small, misaligned, read-only, or from a scope
     * that already ended) goes back to the source and the call fails.
     */
    private MemorySegment take(long byteSize, long byteAlignment) {
        MemorySegment block;
        busy = Checks.CALLING_SOURCE;
        try {
            block = RawSource.allocateFor(source, byteSize, byteAlignment);
        } finally {
            busy = null;
        }
        if (block == null || !block.isNative() || block.byteSize() < byteSize
                || (block.address() & (byteAlignment - 1)) != 0 || block.isReadOnly() || !block.scope().isAlive()) {
            IllegalStateException bad = Checks.badSource(source, block, byteSize, byteAlignment);
            if (block != null) {
                addFailure(bad, giveBack(source, block));
            }
            throw bad;
        }
        grossBytes += byteSize;
        return block;
    }

    /** Gives back a block just taken whose bookkeeping could not be built (the heap ran out of Java memory). */
    private void untake(MemorySegment block, long byteSize, Throwable failure) {
        grossBytes -= byteSize;
        addFailure(failure, giveBack(source, block));
    }

    private void checkLimit(long byteSize) {
        if (limit != 0 && byteSize > limit - liveBytes) {
            throw Checks.limitExceeded(name, "allocating a piece", byteSize, liveBytes, limit);
        }
    }

    private void countAllocation(Generation generation, long byteSize) {
        generation.liveBytes += byteSize;
        generation.liveCount++;
        liveCount++;
        allocations++;
        if ((liveBytes += byteSize) > peakLiveBytes) {
            peakLiveBytes = liveBytes;
        }
        if ((unpublished += byteSize) >= GlobalAccounting.STEP) {
            publish();
        }
    }

    /** Hands the live-byte change not yet counted globally to {@link GlobalAccounting}. */
    private void publish() {
        GlobalAccounting.changed(unpublished);
        unpublished = 0;
    }

    // ---------------------------------------------------------------- free

    void free(MemorySegment piece) {
        if (bump) {
            throw new UnsupportedOperationException("region '" + name + "' is in bump mode: its pieces cannot be"
                    + " freed one by one; reset() or close() releases them all");
        }
        // The common case, kept small so the JIT inlines it: a live non-empty piece of a page of
        // this heap. Everything else (large pieces, empty pieces, every mistake) goes to freeOther.
        long address = piece.address();
        long byteSize = piece.byteSize();
        if (piece.isNative() && byteSize != 0 && lookup(address) instanceof Page page
                && page.generation.owner == this && page.generation.scope.equals(piece.scope())) {
            int slot = page.liveSlotAt(address - page.base, byteSize);
            if (slot >= 0) {
                releaseSlot(page, slot);
                countFree(page.generation, byteSize);
                return;
            }
        }
        freeOther(piece);
    }

    /** The slot's piece is freed; a full page of the current generation can serve again. */
    private void releaseSlot(Page page, int slot) {
        boolean wasFull = page.isFull();
        page.release(slot);
        if (wasFull && page.generation == current) {
            linkPartial(page);
        }
    }

    private void freeOther(MemorySegment piece) {
        long address = piece.address();
        Block block = piece.isNative() ? lookup(address) : null;
        if (block == null || block.generation.owner != this || !block.generation.scope.equals(piece.scope())) {
            throw Checks.notAPiece(name, piece, !piece.isNative()
                    ? "it is a heap segment, not a piece of this region"
                    : !piece.scope().isAlive()
                    ? "it is from an ended generation (allocated before a reset or close)"
                    : "it is not a piece of this region that can be freed (foreign, moved to another region by a"
                    + " merge, or allocated in a bump region)");
        }
        long byteSize = piece.byteSize();
        if (block instanceof Page page) {
            long offset = address - page.base;
            int slot = page.slotAt(byteSize == 0 ? offset - (page.slotSize >>> 1) : offset); // see allocateEmpty
            if (slot < 0) {
                throw Checks.notAPiece(name, piece, "it is a slice inside a piece, not a piece");
            }
            long liveSize = page.liveSize(slot);
            if (liveSize != byteSize) {
                throw Checks.notAPiece(name, piece, liveSize < 0
                        ? "it was already freed"
                        : "it is a slice of a piece of " + liveSize + " bytes, not a piece");
            }
            releaseSlot(page, slot);
        } else {
            LargeBlock large = (LargeBlock) block;
            if (large.liveSize != byteSize || large.base + large.pieceOffset != address) {
                throw Checks.notAPiece(name, piece, large.liveSize < 0 ? "it was already freed"
                        : "it is a slice of a piece of " + large.liveSize + " bytes, not a piece");
            }
            large.liveSize = -1;
            if (large.generation == current) {
                if (largeFree == null) {
                    largeFree = new LargeBlock[SizeClasses.LARGE_COUNT];
                }
                large.nextFree = largeFree[large.largeClass];
                largeFree[large.largeClass] = large;
            } // else it stays on the large list, unused until the next reset or close
        }
        countFree(block.generation, byteSize);
    }

    /** Whether {@code address} lies in a page or large block of this heap (guard held). */
    boolean holds(long address) {
        Block block = lookup(address);
        return block != null && block.generation.owner == this;
    }

    /** The directory entry at {@code address}, through the last leaf this heap used. */
    private Block lookup(long address) {
        long key = BlockDirectory.leafKey(address);
        Block[] leaf = lastLeaf;
        if (key != lastLeafKey || leaf == null) {
            leaf = BlockDirectory.leaf(key);
            if (leaf == null) {
                return null;
            }
            lastLeaf = leaf;
            lastLeafKey = key;
        }
        return BlockDirectory.entry(leaf, address);
    }

    private void countFree(Generation generation, long byteSize) {
        generation.liveBytes -= byteSize;
        generation.liveCount--;
        liveCount--;
        frees++;
        if ((liveBytes -= byteSize) < lowLiveBytes) {
            lowLiveBytes = liveBytes;
        }
        if ((unpublished -= byteSize) <= -GlobalAccounting.STEP) {
            publish();
        }
    }

    // ---------------------------------------------------------------- partial page lists

    private void linkPartial(Page page) {
        int c = page.sizeClass;
        page.partial = true;
        page.prevPartial = null;
        page.nextPartial = partialHead[c];
        if (partialHead[c] == null) {
            partialTail[c] = page;
        } else {
            partialHead[c].prevPartial = page;
        }
        partialHead[c] = page;
    }

    private void unlinkPartial(Page page) {
        int c = page.sizeClass;
        if (page.prevPartial == null) {
            partialHead[c] = page.nextPartial;
        } else {
            page.prevPartial.nextPartial = page.nextPartial;
        }
        if (page.nextPartial == null) {
            partialTail[c] = page.prevPartial;
        } else {
            page.nextPartial.prevPartial = page.prevPartial;
        }
        page.prevPartial = page.nextPartial = null;
        page.partial = false;
    }

    // ---------------------------------------------------------------- limit and figures

    long setLimit(long bytes) {
        long previous = limit;
        limit = bytes;
        return previous;
    }

    RegionStats stats() {
        return new RegionStats(liveBytes, liveCount, grossBytes, peakLiveBytes, lowLiveBytes, allocations, frees);
    }

    void resetPeaks() {
        peakLiveBytes = lowLiveBytes = liveBytes;
    }

    // ---------------------------------------------------------------- reset and close

    /** Marks the heap busy ending, before its region ends any lane: see {@link #end}. */
    void markEnding() {
        busy = Checks.ENDING;
    }

    void clearBusy() {
        busy = null;
    }

    /**
     * Ends every generation (current first), then takes memory back. If the current generation is
     * in use (a downcall holds one of its pieces) nothing changes and its
     * {@link IllegalStateException} is thrown. If a merged-in generation is in use, the ones ended
     * before it stay ended and are taken back, the region stays open with the rest, and the
     * exception is thrown. A cleanup action or a source release that throws (even an
     * {@link Error}) stops no release: all memory is taken back, then the first failure is
     * rethrown. (Within one arena the JDK skips the cleanup actions after one that throws an Error.)
     *
     * <p>{@code next} is the arena of the generation that follows a reset (or a close that could
     * end only some generations); the region made it, so that every lane gets the same one, and
     * closes it if no heap took it up. A generation whose arena another lane already closed
     * counts as ended.
     */
    void end(boolean closing, Arena nextArena) {
        List<Generation> all = allGenerations();
        Generation next = closing ? null : new Generation(this, nextArena);
        Throwable inUse = null;
        Throwable failure = null;
        int ended = 0;
        busy = Checks.ENDING;
        try {
            for (Generation g : all) {
                try {
                    if (g.isAlive()) {
                        g.arena.close();
                    }
                } catch (Throwable e) {
                    if (g.isAlive()) {
                        inUse = e;
                        break;
                    }
                    failure = addFailure(failure, e); // a cleanup action threw; the arena did close
                }
                ended++;
            }
            if (ended > 0) {
                failure = addFailure(failure, ended == all.size() ? releaseAll(next)
                        : releaseEnded(next != null ? next : new Generation(this, nextArena)));
            }
        } finally {
            busy = null;
        }
        rethrow(addFailure(inUse, failure));
    }

    private static Throwable addFailure(Throwable first, Throwable next) {
        if (first == null) {
            return next;
        }
        if (next != null && next != first) {
            first.addSuppressed(next);
        }
        return first;
    }

    static void rethrow(Throwable failure) {
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
        if (failure != null) { // a checked exception thrown sneakily by a cleanup action or a source
            throw new IllegalStateException("a cleanup action or memory source threw " + failure, failure);
        }
    }

    /** Every generation ended, so every piece is dead: take everything back ({@code next} null: closing). */
    private Throwable releaseAll(Generation next) {
        boolean closing = next == null;
        Throwable failure = null;
        for (LargeBlock b = largeHead; b != null; b = b.next) {
            failure = addFailure(failure, giveBack(b));
        }
        largeHead = largeTail = null;
        largeFree = null;
        dropPartialPages();
        roomy = null;
        bumpChunk = null;
        bumpView = null;
        // A reset keeps chunks for as many bytes as this generation carved (at least one chunk),
        // enough to serve the same work again, and gives back the rest: chunks that merges brought
        // in would otherwise stay for good, and gross bytes would grow with every merge.
        long used = 0;
        for (Chunk c = chunks; c != null; c = c.next) {
            used += c.carved;
        }
        long kept = 0;
        Chunk keptTail = null;
        for (Chunk c = chunks; c != null; ) {
            Chunk following = c.next;
            if (closing || (keptTail != null && kept >= used)) {
                failure = addFailure(failure, giveBack(c));
            } else {
                kept += c.byteSize;
                c.carved = 0;
                c.next = null;
                if (keptTail == null) {
                    chunks = c;
                } else {
                    keptTail.next = c;
                }
                keptTail = c;
                c.nextRoomy = roomy;
                roomy = c;
            }
            c = following;
        }
        chunksTail = keptTail;
        if (keptTail == null) {
            chunks = null;
        }
        current.owner = null;
        for (Generation g : adopted) {
            g.owner = null;
        }
        adopted.clear();
        if (closing) {
            chunks = chunksTail = null;
            closed = true;
        } else {
            current = next;
        }
        unpublished -= liveBytes;
        publish();
        liveBytes = liveCount = lowLiveBytes = 0;
        if (closing) {
            GlobalAccounting.closed(this);
        }
        return failure;
    }

    /** Some generations ended and one could not: take back what the ended ones held. */
    private Throwable releaseEnded(Generation next) {
        Throwable failure = null;
        // The current generation ended (it is always the first to end), so a new one starts, and
        // no page or block of the surviving generations may serve allocations any more.
        dropPartialPages();
        largeFree = null;
        bumpChunk = null;
        bumpView = null;
        for (LargeBlock b = largeHead; b != null; ) {
            LargeBlock following = b.next;
            if (!b.generation.isAlive()) {
                unlinkLarge(b);
                failure = addFailure(failure, giveBack(b));
            }
            b = following;
        }
        List<Generation> survivors = new ArrayList<>();
        long deadBytes = 0;
        long deadCount = 0;
        for (Generation g : allGenerations()) {
            if (g.isAlive()) {
                survivors.add(g);
            } else {
                g.owner = null;
                deadBytes += g.liveBytes;
                deadCount += g.liveCount;
            }
        }
        adopted.clear();
        adopted.addAll(survivors);
        current = next; // when closing too: the region stays open on a new generation
        liveBytes -= deadBytes;
        liveCount -= deadCount;
        lowLiveBytes = Math.min(lowLiveBytes, liveBytes);
        unpublished -= deadBytes;
        publish();
        return failure;
    }

    private List<Generation> allGenerations() {
        List<Generation> all = new ArrayList<>(adopted.size() + 1);
        all.add(current);
        all.addAll(adopted);
        return all;
    }

    private void unlinkLarge(LargeBlock b) {
        if (b.prev == null) {
            largeHead = b.next;
        } else {
            b.prev.next = b.next;
        }
        if (b.next == null) {
            largeTail = b.prev;
        } else {
            b.next.prev = b.prev;
        }
        b.prev = b.next = null;
    }

    /** Empties every partial list: their pages will serve no more allocations. */
    private void dropPartialPages() {
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            for (Page p = partialHead[c]; p != null; ) {
                Page next = p.nextPartial;
                p.prevPartial = p.nextPartial = null;
                p.partial = false;
                p = next;
            }
            partialHead[c] = partialTail[c] = null;
        }
    }

    private Throwable giveBack(Chunk c) {
        BlockDirectory.unregisterChunk(c);
        grossBytes -= c.byteSize;
        return giveBack(c.source, c.block);
    }

    private Throwable giveBack(LargeBlock b) {
        BlockDirectory.unregister(b);
        grossBytes -= b.byteSize;
        return giveBack(b.source, b.block);
    }

    /** Returns a block to the source it came from; returns what the source threw, or null. */
    private Throwable giveBack(MemorySource from, MemorySegment block) {
        String was = busy;
        busy = Checks.CALLING_SOURCE;
        try {
            RawSource.releaseFor(from, block);
            return null;
        } catch (Throwable e) {
            return e;
        } finally {
            busy = was;
        }
    }

    // ---------------------------------------------------------------- merge

    /** Moves everything {@code from} holds into this heap. Both guards held; both open; checked compatible. */
    void merge(Heap from, Arena freshForFrom) {
        if (limit != 0 && from.liveBytes > 0 && from.liveBytes > limit - liveBytes) {
            throw Checks.limitExceeded(name, "merging region '" + from.name + "' with live pieces",
                    from.liveBytes, liveBytes, limit);
        }
        Generation fresh = new Generation(from, freshForFrom);
        List<Generation> moving = from.allGenerations();
        adopted.ensureCapacity(adopted.size() + moving.size());
        for (Generation g : moving) {
            g.owner = this;
            adopted.add(g);
        }
        from.adopted.clear();
        from.current = fresh;

        // New pieces must be bound to this heap's current scope (Arena.allocate promises it), so
        // the source's partly used pages and free large blocks serve no more allocations: their
        // free space waits for this heap's next reset or close.
        from.dropPartialPages();
        from.largeFree = null;

        if (from.chunks != null) {
            if (chunksTail == null) {
                chunks = from.chunks;
            } else {
                chunksTail.next = from.chunks;
            }
            chunksTail = from.chunksTail;
        }
        if (from.roomy != null) {
            // Keep our own top chunk on top; the source's roomy chunks come after it.
            Chunk last = from.roomy;
            while (last.nextRoomy != null) {
                last = last.nextRoomy;
            }
            if (roomy == null) {
                roomy = from.roomy;
            } else {
                last.nextRoomy = roomy.nextRoomy;
                roomy.nextRoomy = from.roomy;
            }
        }
        from.chunks = from.chunksTail = from.roomy = null;
        from.bumpChunk = null;
        from.bumpView = null;
        // The source starts again with a small chunk: a scratch region merged after every few
        // pieces hands over a small chunk each time, not one that doubled up to MAX_CHUNK.
        from.nextChunkSize = FIRST_CHUNK;
        if (from.largeHead != null) {
            if (largeTail == null) {
                largeHead = from.largeHead;
            } else {
                largeTail.next = from.largeHead;
                from.largeHead.prev = largeTail;
            }
            largeTail = from.largeTail;
        }
        from.largeHead = from.largeTail = null;

        unpublished += from.unpublished; // the global total does not change
        from.unpublished = 0;
        publish();
        liveBytes += from.liveBytes;
        liveCount += from.liveCount;
        grossBytes += from.grossBytes;
        peakLiveBytes = Math.max(peakLiveBytes, liveBytes);
        from.liveBytes = from.liveCount = from.grossBytes = 0;
        from.lowLiveBytes = 0;
    }

    // ---------------------------------------------------------------- validation

    /**
     * Walks the heap and returns the first broken invariant, or null: pages well formed, partial
     * lists hold exactly the non-full pages of live generations and are linked both ways, pages
     * and large blocks of this heap do not overlap, figures match the pieces. For tests; O(heap).
     */
    String validate() {
        if (closed) {
            return chunks == null && largeHead == null && grossBytes == 0 && liveBytes == 0 && liveCount == 0
                    ? null : "a closed heap still holds memory or live pieces";
        }
        List<Generation> gens = allGenerations();
        for (Generation g : gens) {
            if (g.owner != this) {
                return "generation owned by another heap";
            }
            if (!g.isAlive()) {
                return "an ended generation is still held";
            }
        }
        long bytes = 0;
        long count = 0;
        for (Generation g : gens) {
            bytes += g.liveBytes;
            count += g.liveCount;
        }
        if (bytes != liveBytes || count != liveCount) {
            return "generations hold " + bytes + " bytes in " + count + " pieces, heap says " + liveBytes
                    + " in " + liveCount;
        }
        long pageBytes = 0;
        long pageCount = 0;
        java.util.TreeMap<Long, Long> spans = new java.util.TreeMap<>();
        long gross = 0;
        for (Chunk c = chunks; c != null; c = c.next) {
            gross += c.byteSize;
            if (c.carved > c.byteSize) {
                return "chunk carved beyond its end";
            }
            for (long off = 0; off < c.carved; off += SizeClasses.MIN_PAGE) {
                Block b = BlockDirectory.lookup(c.base + off);
                if (b instanceof Page p && p.chunk == c && p.base == c.base + off && p.generation.owner == this
                        && p.generation.isAlive()) {
                    String broken = p.check();
                    if (broken != null) {
                        return "page at " + Long.toHexString(p.base) + ": " + broken;
                    }
                    boolean serves = !p.isFull() && p.generation == current;
                    if (p.partial != serves) {
                        return "page at " + Long.toHexString(p.base) + (p.partial ? " on" : " off")
                                + " its partial list, but it " + (serves ? "can" : "cannot") + " serve allocations";
                    }
                    if (spans.put(p.base, (long) SizeClasses.pageBytes(p.sizeClass)) != null) {
                        return "two pages at one address";
                    }
                    pageBytes += p.liveBytes();
                    pageCount += p.liveCount;
                }
            }
        }
        for (int c = 0; c < SizeClasses.COUNT; c++) {
            Page previous = null;
            for (Page p = partialHead[c]; p != null; previous = p, p = p.nextPartial) {
                if (p.prevPartial != previous || p.sizeClass != c || !p.partial) {
                    return "partial list of class " + c + " is broken";
                }
                if (!spans.containsKey(p.base)) {
                    return "partial page not reachable from the chunks";
                }
            }
            if (partialTail[c] != previous) {
                return "partial list tail of class " + c + " is wrong";
            }
        }
        LargeBlock previous = null;
        for (LargeBlock b = largeHead; b != null; previous = b, b = b.next) {
            if (b.prev != previous) {
                return "large list is broken";
            }
            gross += b.byteSize;
            if (b.liveSize >= 0) {
                pageBytes += b.liveSize;
                pageCount++;
            }
            if (spans.put(b.base, b.byteSize) != null) {
                return "two blocks at one address";
            }
        }
        if (largeTail != previous) {
            return "large list tail is wrong";
        }
        long end = Long.MIN_VALUE;
        for (var e : spans.entrySet()) {
            if (e.getKey() < end) {
                return "blocks overlap at " + Long.toHexString(e.getKey());
            }
            end = e.getKey() + e.getValue();
        }
        for (Generation g : gens) { // bump pieces have no record of their own
            pageBytes += g.bumpBytes;
            pageCount += g.bumpCount;
        }
        if (pageBytes != liveBytes || pageCount != liveCount) {
            return "pages hold " + pageBytes + " bytes in " + pageCount + " pieces, heap says " + liveBytes + " in "
                    + liveCount;
        }
        if (gross != grossBytes) {
            return "blocks add up to " + gross + " gross bytes, heap says " + grossBytes;
        }
        if (peakLiveBytes < liveBytes || lowLiveBytes > liveBytes) {
            return "watermarks " + lowLiveBytes + ".." + peakLiveBytes + " do not bracket " + liveBytes;
        }
        return null;
    }
}
