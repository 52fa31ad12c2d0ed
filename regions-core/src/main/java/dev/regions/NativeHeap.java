package dev.regions;

import dev.regions.internal.Engine;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * A region as C's allocator: function pointers (upcall stubs) that native code calls to allocate
 * in the region, free and reallocate, so that a C library's memory is capped by the region's
 * limits, counted in its figures and released by its reset or close. {@link Region#nativeHeap()}
 * gives a region's heap.
 *
 * {@snippet :
 * Region region = Region.builder().shared(true).limit(4 << 20).build();
 * NativeHeap heap = region.nativeHeap();
 * zStream.set(ADDRESS, ZALLOC_OFFSET, heap.zlibAlloc());  // voidpf (*)(voidpf opaque, uInt items, uInt size)
 * zStream.set(ADDRESS, ZFREE_OFFSET, heap.zlibFree());    // void (*)(voidpf opaque, voidpf address)
 * zStream.set(ADDRESS, OPAQUE_OFFSET, heap.context());
 * }
 *
 * <h2>Two kinds of function pointers</h2>
 * <ul>
 * <li><b>libc's signatures</b>, for libraries that take process-wide hooks or plain function
 *     pointers: {@link #malloc()}, {@link #calloc()}, {@link #realloc()}, {@link #free()},
 *     {@link #alignedAlloc()} (C11 {@code aligned_alloc(alignment, size)}), and a filled
 *     {@link #sqliteMemMethods(SegmentAllocator) sqlite3_mem_methods}. They have no context
 *     argument, so each heap has its own, made on first use; they live as long as the process
 *     (a library may keep a function pointer for ever), a few hundred bytes each.
 * <li><b>Shapes with a context pointer</b>, for libraries that take an allocator per instance:
 *     zlib and bzip2 ({@link #zlibAlloc()}, {@link #zlibFree()}), zstd's {@code ZSTD_customMem}
 *     ({@link #contextAlloc()}, {@link #contextFree()}) and Lua's {@code lua_Alloc}
 *     ({@link #luaAlloc()}). One set serves every heap of the process; {@link #context()} is the
 *     value to pass as the library's {@code opaque} or {@code ud}: it names this heap.
 * </ul>
 * Pieces are aligned to 16 bytes, as {@code malloc}'s on 64-bit platforms ({@code size_t} is taken
 * to be 64 bits).
 *
 * <h2>Never fatal</h2>
 * An exception that reached native code would end the JVM, so none does. A refusal (the limit,
 * the gross limit, the source out of memory, a closed region, a thread that may not use a
 * confined region, a region no longer reachable) returns {@code NULL}, the library's own
 * out-of-memory case, and counts in {@link #refusals()}. A free (or a reallocation) of an
 * address where no live piece of the region starts is ignored, counted in {@link #badFrees()},
 * recorded as a {@code dev.regions.NativeBadFree} Flight Recorder event, and logged once per heap
 * ({@link System.Logger}, {@code WARNING}). A stub called after its region
 * closed refuses; one called with the context of a heap whose region is gone finds no heap and
 * refuses.
 *
 * <h2>Which region for which library</h2>
 * A library that calls its allocator from the thread that made it (zlib, zstd and Lua, used from
 * one thread) suits a confined region; one that may call from several threads (SQLite in
 * serialized mode, a library with worker threads) needs a shared region: from another thread a
 * confined region refuses, and the library sees out-of-memory. Keep the region reachable while the
 * library uses it: a heap holds its region weakly, so that a forgotten region can still be
 * reclaimed, and refuses once it is gone.
 */
public final class NativeHeap {
    private static final long ALIGNMENT = 16;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final System.Logger LOG = System.getLogger(NativeHeap.class.getName());
    private static final Map<Region, NativeHeap> HEAPS = new WeakHashMap<>();

    private final WeakReference<Region> region;
    private final String name;
    private final boolean zeroes;
    private final long context;
    private final LongAdder refusals = new LongAdder();
    private final LongAdder badFrees = new LongAdder();
    private final AtomicBoolean badFreeLogged = new AtomicBoolean();
    private MemorySegment malloc, calloc, realloc, free, alignedAlloc;
    private MemorySegment[] sqlite;

    private NativeHeap(Region region) {
        this.region = new WeakReference<>(region);
        this.name = region.name();
        this.zeroes = Engine.settingsOf(region).zeroing();
        this.context = HeapContexts.register(this);
    }

    /** The heap of {@code region}, made on first use (see {@link Region#nativeHeap()}). */
    static NativeHeap of(Region region) {
        synchronized (HEAPS) {
            return HEAPS.computeIfAbsent(region, NativeHeap::new);
        }
    }

    // ------------------------------------------------------------------ libc's signatures

    /** {@return {@code void *malloc(size_t size)}} */
    public synchronized MemorySegment malloc() {
        return malloc != null ? malloc : (malloc = bound("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG)));
    }

    /** {@return {@code void *calloc(size_t count, size_t size)}: zeroed, {@code NULL} if the product overflows} */
    public synchronized MemorySegment calloc() {
        return calloc != null ? calloc : (calloc = bound("calloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG)));
    }

    /**
     * {@return {@code void *realloc(void *address, size_t size)}: {@code realloc(NULL, n)} allocates,
     * {@code realloc(p, 0)} frees {@code p} and returns {@code NULL}, and a refusal leaves {@code p} as it was}
     */
    public synchronized MemorySegment realloc() {
        return realloc != null ? realloc : (realloc = bound("realloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG)));
    }

    /** {@return {@code void free(void *address)}: {@code free(NULL)} does nothing} */
    public synchronized MemorySegment free() {
        return free != null ? free : (free = bound("free", FunctionDescriptor.ofVoid(ADDRESS)));
    }

    /** {@return {@code void *aligned_alloc(size_t alignment, size_t size)}: {@code NULL} unless the alignment is a power of two} */
    public synchronized MemorySegment alignedAlloc() {
        return alignedAlloc != null ? alignedAlloc
                : (alignedAlloc = bound("alignedAlloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG)));
    }

    /**
     * A filled {@code sqlite3_mem_methods} for {@code sqlite3_config(SQLITE_CONFIG_MALLOC, methods)}:
     * {@code xMalloc}, {@code xFree}, {@code xRealloc}, {@code xSize} (a piece's exact size),
     * {@code xRoundup} (to 16 bytes), {@code xInit} and {@code xShutdown} (nothing to do), and
     * {@code pAppData} = {@link #context()}.
     * @param allocator where to put the 64-byte structure (it must outlive SQLite's use of it)
     * @return the structure
     */
    public MemorySegment sqliteMemMethods(SegmentAllocator allocator) {
        MemorySegment[] stubs;
        synchronized (this) {
            if (sqlite == null) {
                sqlite = new MemorySegment[] {
                    bound("sqliteMalloc", FunctionDescriptor.of(ADDRESS, JAVA_INT)),
                    free(),
                    bound("sqliteRealloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT)),
                    bound("sqliteSize", FunctionDescriptor.of(JAVA_INT, ADDRESS)),
                    Shapes.SQLITE_ROUNDUP, Shapes.SQLITE_INIT, Shapes.SQLITE_SHUTDOWN,
                };
            }
            stubs = sqlite;
        }
        MemorySegment methods = allocator.allocate(ADDRESS, 8);
        for (int i = 0; i < stubs.length; i++) {
            methods.setAtIndex(ADDRESS, i, stubs[i]);
        }
        methods.setAtIndex(ADDRESS, 7, context());
        return methods;
    }

    // ------------------------------------------------------------------ shapes with a context pointer

    /** {@return the value to pass as a library's {@code opaque} or {@code ud}: it names this heap to the shapes below} */
    public MemorySegment context() {
        return MemorySegment.ofAddress(context);
    }

    /** {@return zlib's and bzip2's {@code voidpf alloc(voidpf opaque, uInt items, uInt size)}: zeroed} */
    public MemorySegment zlibAlloc() {
        return Shapes.ZLIB_ALLOC;
    }

    /** {@return zlib's and bzip2's {@code void free(voidpf opaque, voidpf address)}} */
    public MemorySegment zlibFree() {
        return Shapes.ZLIB_FREE;
    }

    /** {@return {@code void *alloc(void *opaque, size_t size)}, as zstd's {@code ZSTD_customMem.customAlloc}} */
    public MemorySegment contextAlloc() {
        return Shapes.CONTEXT_ALLOC;
    }

    /** {@return {@code void free(void *opaque, void *address)}, as zstd's {@code ZSTD_customMem.customFree}} */
    public MemorySegment contextFree() {
        return Shapes.CONTEXT_FREE;
    }

    /**
     * {@return Lua's {@code void *lua_Alloc(void *ud, void *ptr, size_t osize, size_t nsize)}: frees
     * when {@code nsize} is 0, allocates when {@code ptr} is {@code NULL}, else reallocates}
     */
    public MemorySegment luaAlloc() {
        return Shapes.LUA_ALLOC;
    }

    // ------------------------------------------------------------------ counters

    /** {@return how many calls were refused ({@code NULL} returned)} */
    public long refusals() {
        return refusals.sum();
    }

    /** {@return how many frees or reallocations named no live piece of the region (ignored)} */
    public long badFrees() {
        return badFrees.sum();
    }

    @Override
    public String toString() {
        return "NativeHeap of region '" + name + "': " + refusals() + " refusals, " + badFrees() + " bad frees";
    }

    // ------------------------------------------------------------------ what every stub calls

    /** A piece's address, or 0 (refused). */
    long allocate(long byteSize, long alignment, boolean zeroed) {
        Region r = region.get();
        if (r == null || byteSize < 0 || alignment <= 0 || (alignment & (alignment - 1)) != 0) {
            refusals.increment();
            return 0;
        }
        try {
            MemorySegment piece = r.allocate(byteSize, Math.max(ALIGNMENT, alignment));
            if (zeroed && !zeroes) {
                piece.fill((byte) 0);
            }
            return piece.address();
        } catch (Throwable e) {
            refusals.increment();
            return 0;
        }
    }

    void release(long address) {
        if (address == 0) {
            return;
        }
        Region r = region.get();
        if (r == null) {
            refusals.increment();
            return;
        }
        try {
            r.free(r.pieceAt(address));
        } catch (IllegalArgumentException e) {
            badFree(address, e);
        } catch (Throwable e) {
            refusals.increment();
        }
    }

    /** C's {@code realloc}: the piece's new address, or 0 (refused: the piece is as it was; or freed, for size 0). */
    long resize(long address, long byteSize) {
        if (address == 0) {
            return allocate(byteSize, ALIGNMENT, false);
        }
        if (byteSize == 0) {
            release(address);
            return 0;
        }
        Region r = region.get();
        if (r == null || byteSize < 0) {
            refusals.increment();
            return 0;
        }
        try {
            return r.reallocate(r.pieceAt(address), byteSize).address();
        } catch (IllegalArgumentException e) { // no live piece there
            badFree(address, e);
            return 0;
        } catch (Throwable e) { // refused like allocate (the limit, the source...): the piece is intact
            refusals.increment();
            return 0;
        }
    }

    /** The exact size of the piece at {@code address}, or 0. */
    long sizeAt(long address) {
        Region r = region.get();
        try {
            return r == null || address == 0 ? 0 : r.pieceAt(address).byteSize();
        } catch (Throwable e) {
            return 0;
        }
    }

    private void badFree(long address, Throwable why) {
        badFrees.increment();
        Engine.nativeBadFree(name, address, why.getMessage());
        if (badFreeLogged.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "native code freed 0x" + Long.toHexString(address) + " in region '" + name
                    + "', which is no live piece of it; ignored (further ones are counted in badFrees()): "
                    + why.getMessage());
        }
    }

    // ------------------------------------------------------------------ the stubs

    /** A stub of libc's signature bound to this heap's context: calls {@code Upcalls.<name>(context, ...)}. */
    @SuppressWarnings("restricted") // an upcall stub: its target never throws, and it lives for the process
    private MemorySegment bound(String target, FunctionDescriptor descriptor) {
        MethodHandle handle = Shapes.target(target, descriptor);
        return LINKER.upcallStub(MethodHandles.insertArguments(handle, 0, context), descriptor, Arena.global());
    }

    /** The upcall targets: each finds its heap by context and never throws. */
    static final class Upcalls {
        private Upcalls() {
        }

        static MemorySegment malloc(long context, long size) {
            NativeHeap h = heap(context);
            return h == null ? MemorySegment.NULL : pointer(h.allocate(size, ALIGNMENT, false));
        }

        static MemorySegment calloc(long context, long count, long size) {
            NativeHeap h = heap(context);
            return h == null ? MemorySegment.NULL : pointer(h.allocate(product(count, size), ALIGNMENT, true));
        }

        static MemorySegment realloc(long context, MemorySegment address, long size) {
            NativeHeap h = heap(context);
            return h == null ? MemorySegment.NULL : pointer(h.resize(address.address(), size));
        }

        static void free(long context, MemorySegment address) {
            NativeHeap h = heap(context);
            if (h != null) {
                h.release(address.address());
            }
        }

        static MemorySegment alignedAlloc(long context, long alignment, long size) {
            NativeHeap h = heap(context);
            return h == null ? MemorySegment.NULL : pointer(h.allocate(size, alignment, false));
        }

        static MemorySegment sqliteMalloc(long context, int size) {
            return malloc(context, size);
        }

        static MemorySegment sqliteRealloc(long context, MemorySegment address, int size) {
            return realloc(context, address, size);
        }

        static int sqliteSize(long context, MemorySegment address) {
            NativeHeap h = heap(context);
            return h == null ? 0 : (int) Math.min(Integer.MAX_VALUE, h.sizeAt(address.address()));
        }

        static int sqliteRoundup(int size) {
            return size <= 0 ? 16 : (int) Math.min(Integer.MAX_VALUE & -16L, (size + 15L) & -16L);
        }

        static int sqliteInit(MemorySegment appData) {
            return 0; // SQLITE_OK
        }

        static void sqliteShutdown(MemorySegment appData) {
        }

        static MemorySegment zlibAlloc(MemorySegment opaque, int items, int size) {
            return calloc(opaque.address(), Integer.toUnsignedLong(items), Integer.toUnsignedLong(size));
        }

        static void zlibFree(MemorySegment opaque, MemorySegment address) {
            free(opaque.address(), address);
        }

        static MemorySegment contextAlloc(MemorySegment opaque, long size) {
            return malloc(opaque.address(), size);
        }

        static void contextFree(MemorySegment opaque, MemorySegment address) {
            free(opaque.address(), address);
        }

        static MemorySegment luaAlloc(MemorySegment ud, MemorySegment ptr, long oldSize, long newSize) {
            NativeHeap h = heap(ud.address());
            if (newSize == 0) {
                if (h != null) {
                    h.release(ptr.address());
                }
                return MemorySegment.NULL;
            }
            MemorySegment resized = h == null ? MemorySegment.NULL : pointer(h.resize(ptr.address(), newSize));
            // Lua takes a shrink that fails for a broken state: the piece, larger than asked, serves
            return resized.equals(MemorySegment.NULL) && ptr.address() != 0 && newSize <= oldSize ? ptr : resized;
        }

        private static NativeHeap heap(long context) {
            return HeapContexts.find(context);
        }

        /** {@code count * size} of two {@code size_t}s, or -1 (refused) if it does not fit. */
        private static long product(long count, long size) {
            try {
                return count < 0 || size < 0 ? -1 : Math.multiplyExact(count, size);
            } catch (ArithmeticException e) {
                return -1;
            }
        }

        /** An address a heap returned (0: refused) as the pointer C gets. */
        private static MemorySegment pointer(long address) {
            return address == 0 ? MemorySegment.NULL : MemorySegment.ofAddress(address);
        }
    }

    /** The stubs every heap shares, made when first asked for. */
    static final class Shapes {
        private Shapes() {
        }

        static final MemorySegment ZLIB_ALLOC = stub("zlibAlloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
        static final MemorySegment ZLIB_FREE = stub("zlibFree", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        static final MemorySegment CONTEXT_ALLOC = stub("contextAlloc", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        static final MemorySegment CONTEXT_FREE = stub("contextFree", FunctionDescriptor.ofVoid(ADDRESS, ADDRESS));
        static final MemorySegment LUA_ALLOC = stub("luaAlloc",
                FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
        static final MemorySegment SQLITE_ROUNDUP = stub("sqliteRoundup", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
        static final MemorySegment SQLITE_INIT = stub("sqliteInit", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        static final MemorySegment SQLITE_SHUTDOWN = stub("sqliteShutdown", FunctionDescriptor.ofVoid(ADDRESS));

        @SuppressWarnings("restricted") // as in bound
        private static MemorySegment stub(String target, FunctionDescriptor descriptor) {
            return LINKER.upcallStub(handle(target, descriptor.toMethodType()), descriptor, Arena.global());
        }

        /** A bound target: the context comes first. */
        static MethodHandle target(String target, FunctionDescriptor descriptor) {
            return handle(target, descriptor.toMethodType().insertParameterTypes(0, long.class));
        }

        private static MethodHandle handle(String target, MethodType type) {
            try {
                return MethodHandles.lookup().findStatic(Upcalls.class, target, type);
            } catch (ReflectiveOperationException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }
}
