package dev.regions;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link NativeHeap}: a region as C's allocator, called the way native code calls it. The libc
 * shapes are called through downcalls of their own function pointers (what a C library does with
 * them); zlib, zstd and Lua 5.4 allocate through the context shapes, SQLite through its
 * {@code sqlite3_mem_methods} (Debian's {@code zlib1g}, {@code libzstd1}, {@code libsqlite3-0} and
 * {@code liblua5.4-0}; {@code .ci/run} installs Lua). A missing library fails the test: it is not
 * skipped.
 */
class NativeHeapTest {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final Arena LIBS = Arena.ofAuto();

    private static MethodHandle call(MemorySegment pointer, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(pointer, descriptor);
    }

    // ------------------------------------------------------------------ libc's signatures

    @Test
    void mallocReallocAndFreeFromNativeCodeWorkInTheRegionAndCountExactly() throws Throwable {
        try (Region region = Region.ofConfined()) {
            NativeHeap heap = region.nativeHeap();
            MethodHandle malloc = call(heap.malloc(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            MethodHandle realloc = call(heap.realloc(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
            MethodHandle free = call(heap.free(), FunctionDescriptor.ofVoid(ADDRESS));

            MemorySegment p = (MemorySegment) malloc.invokeExact(100L);
            assertThat(p.address() % 16).as("malloc's alignment").isZero();
            assertThat(region.pieceAt(p.address()).byteSize()).isEqualTo(100);
            assertThat(region.stats().liveBytes()).isEqualTo(100);
            region.pieceAt(p.address()).fill((byte) 7);

            MemorySegment q = (MemorySegment) realloc.invokeExact(p, 5_000L);
            MemorySegment grown = region.pieceAt(q.address());
            assertThat(grown.byteSize()).isEqualTo(5_000);
            assertThat(grown.asSlice(0, 100).toArray(JAVA_BYTE)).containsOnly((byte) 7);
            assertThat(region.stats().liveBytes()).isEqualTo(5_000);

            free.invokeExact(q);
            free.invokeExact(MemorySegment.NULL); // free(NULL) does nothing
            assertThat(region.stats().liveBytes()).isZero();
            assertThat(heap.refusals()).isZero();
            assertThat(heap.badFrees()).isZero();
        }
    }

    @Test
    void callocZeroesAndRefusesAnOverflowingProductWithNull() throws Throwable {
        try (Region region = Region.builder().zeroing(false).build()) {
            NativeHeap heap = region.nativeHeap();
            MethodHandle malloc = call(heap.malloc(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
            MethodHandle calloc = call(heap.calloc(), FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
            MethodHandle free = call(heap.free(), FunctionDescriptor.ofVoid(ADDRESS));
            MemorySegment dirty = (MemorySegment) malloc.invokeExact(64L);
            region.pieceAt(dirty.address()).fill((byte) -1);
            free.invokeExact(dirty); // its place serves the next piece of its class, dirty

            MemorySegment zeroed = (MemorySegment) calloc.invokeExact(8L, 8L);
            assertThat(region.pieceAt(zeroed.address()).toArray(JAVA_BYTE)).containsOnly((byte) 0);
            MemorySegment overflow = (MemorySegment) calloc.invokeExact(1L << 40, 1L << 40);
            assertThat(overflow).isEqualTo(MemorySegment.NULL);
            assertThat(heap.refusals()).isEqualTo(1);
            free.invokeExact(zeroed);
        }
    }

    @Test
    void alignedAllocAlignsAndRefusesAnAlignmentThatIsNoPowerOfTwo() throws Throwable {
        try (Region region = Region.ofConfined()) {
            NativeHeap heap = region.nativeHeap();
            MethodHandle aligned = call(heap.alignedAlloc(), FunctionDescriptor.of(ADDRESS, JAVA_LONG, JAVA_LONG));
            MemorySegment page = (MemorySegment) aligned.invokeExact(4096L, 100L);
            assertThat(page.address() % 4096).isZero();
            assertThat(region.pieceAt(page.address()).byteSize()).isEqualTo(100);
            assertThat((MemorySegment) aligned.invokeExact(24L, 100L)).isEqualTo(MemorySegment.NULL);
            assertThat(heap.refusals()).isEqualTo(1);
        }
    }

    @Test
    void limitsWrongThreadsClosedRegionsAndBadFreesAreNullOrIgnoredNeverFatal() throws Throwable {
        Region region = Region.builder().limit(1_000).build();
        NativeHeap heap = region.nativeHeap();
        MethodHandle malloc = call(heap.malloc(), FunctionDescriptor.of(ADDRESS, JAVA_LONG));
        MethodHandle realloc = call(heap.realloc(), FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG));
        MethodHandle free = call(heap.free(), FunctionDescriptor.ofVoid(ADDRESS));

        MemorySegment p = (MemorySegment) malloc.invokeExact(800L);
        assertThat((MemorySegment) malloc.invokeExact(800L)).as("over the limit").isEqualTo(MemorySegment.NULL);
        assertThat((MemorySegment) realloc.invokeExact(p, 2_000L)).as("grown over the limit").isEqualTo(MemorySegment.NULL);
        assertThat(region.pieceAt(p.address()).byteSize()).as("a refused realloc leaves the piece").isEqualTo(800);

        free.invokeExact(MemorySegment.ofAddress(p.address() + 16)); // inside the piece: no piece starts there
        free.invokeExact(MemorySegment.ofAddress(12345L));           // foreign
        assertThat(heap.badFrees()).isEqualTo(2);
        assertThat(region.stats().liveBytes()).as("bad frees change nothing").isEqualTo(800);

        AtomicReference<Object> fromAnotherThread = new AtomicReference<>();
        Thread other = new Thread(() -> {
            try {
                fromAnotherThread.set((MemorySegment) malloc.invokeExact(10L));
            } catch (Throwable e) {
                fromAnotherThread.set(e);
            }
        });
        other.start();
        other.join();
        assertThat(fromAnotherThread.get()).as("a confined region from another thread").isEqualTo(MemorySegment.NULL);

        free.invokeExact(p);
        region.close();
        assertThat((MemorySegment) malloc.invokeExact(10L)).as("after close").isEqualTo(MemorySegment.NULL);
        free.invokeExact(p); // after close: ignored, no crash
        assertThat(heap.refusals()).isEqualTo(5);
    }

    // ------------------------------------------------------------------ zlib

    /** zlib's {@code z_stream} on 64-bit Linux (LP64): 112 bytes. */
    private static final long Z_STREAM_SIZE = 112;
    private static final long NEXT_IN = 0, AVAIL_IN = 8, NEXT_OUT = 24, AVAIL_OUT = 32, TOTAL_OUT = 40;
    private static final long ZALLOC = 64, ZFREE = 72, OPAQUE = 80;
    private static final int Z_FINISH = 4, Z_STREAM_END = 1, Z_MEM_ERROR = -4, Z_OK = 0;

    private static final class Zlib {
        final SymbolLookup lib = SymbolLookup.libraryLookup("libz.so.1", LIBS);
        final MemorySegment version = (MemorySegment) invoke("zlibVersion", FunctionDescriptor.of(ADDRESS));
        final MethodHandle deflateInit = handle("deflateInit_", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        final MethodHandle deflate = handle("deflate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        final MethodHandle deflateEnd = handle("deflateEnd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        final MethodHandle inflateInit = handle("inflateInit_", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        final MethodHandle inflate = handle("inflate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        final MethodHandle inflateEnd = handle("inflateEnd", FunctionDescriptor.of(JAVA_INT, ADDRESS));

        MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(lib.find(name).orElseThrow(), descriptor);
        }

        Object invoke(String name, FunctionDescriptor descriptor) {
            try {
                return handle(name, descriptor).invoke();
            } catch (Throwable e) {
                throw new AssertionError(e);
            }
        }

        /** A z_stream that allocates in {@code heap}. */
        MemorySegment stream(Arena arena, NativeHeap heap) {
            MemorySegment z = arena.allocate(Z_STREAM_SIZE);
            z.set(ADDRESS, ZALLOC, heap.zlibAlloc());
            z.set(ADDRESS, ZFREE, heap.zlibFree());
            z.set(ADDRESS, OPAQUE, heap.context());
            return z;
        }

        /** Runs {@code z} once over all of {@code in} into {@code out}; returns the bytes written. */
        long run(MethodHandle step, MemorySegment z, MemorySegment in, MemorySegment out) throws Throwable {
            z.set(ADDRESS, NEXT_IN, in);
            z.set(JAVA_INT, AVAIL_IN, (int) in.byteSize());
            z.set(ADDRESS, NEXT_OUT, out);
            z.set(JAVA_INT, AVAIL_OUT, (int) out.byteSize());
            assertThat((int) step.invokeExact(z, Z_FINISH)).isEqualTo(Z_STREAM_END);
            return z.get(JAVA_LONG, TOTAL_OUT);
        }
    }

    @Test
    void zlibCompressesAndInflatesInARegionWhichIsEmptyAfterTheStreamsEnd() throws Throwable {
        Zlib zlib = new Zlib();
        try (Arena arena = Arena.ofConfined(); Region region = Region.builder().name("zlib").build()) {
            NativeHeap heap = region.nativeHeap();
            MemorySegment text = arena.allocate(1 << 20);
            for (long i = 0; i < text.byteSize(); i++) {
                text.set(JAVA_BYTE, i, (byte) ("regions " + (i / 97)).charAt((int) (i % 8)));
            }
            MemorySegment packed = arena.allocate(text.byteSize() + 1024);
            MemorySegment unpacked = arena.allocate(text.byteSize());

            MemorySegment d = zlib.stream(arena, heap);
            assertThat((int) zlib.deflateInit.invokeExact(d, 6, zlib.version, (int) Z_STREAM_SIZE)).isEqualTo(Z_OK);
            long deflateState = region.stats().liveBytes();
            assertThat(deflateState).as("zlib's deflate state, in the region").isGreaterThan(200_000);
            long packedSize = zlib.run(zlib.deflate, d, text, packed);
            assertThat((int) zlib.deflateEnd.invokeExact(d)).isEqualTo(Z_OK);
            assertThat(region.stats().liveBytes()).isZero();

            MemorySegment i = zlib.stream(arena, heap);
            assertThat((int) zlib.inflateInit.invokeExact(i, zlib.version, (int) Z_STREAM_SIZE)).isEqualTo(Z_OK);
            assertThat(zlib.run(zlib.inflate, i, packed.asSlice(0, packedSize), unpacked)).isEqualTo(text.byteSize());
            assertThat((int) zlib.inflateEnd.invokeExact(i)).isEqualTo(Z_OK);

            assertThat(unpacked.mismatch(text)).isEqualTo(-1);
            assertThat(packedSize).isLessThan(text.byteSize() / 10);
            RegionStats stats = region.stats();
            assertThat(stats.liveBytes()).as("empty after deflateEnd and inflateEnd").isZero();
            assertThat(stats.allocations()).isEqualTo(stats.frees()).isPositive();
            assertThat(heap.refusals()).isZero();
            assertThat(heap.badFrees()).isZero();
        }
    }

    @Test
    void aLimitIsZlibsMemErrorAndZlibWorksOnceTheLimitIsRaised() throws Throwable {
        Zlib zlib = new Zlib();
        try (Arena arena = Arena.ofConfined(); Region region = Region.builder().limit(64 << 10).build()) {
            NativeHeap heap = region.nativeHeap();
            MemorySegment d = zlib.stream(arena, heap);
            assertThat((int) zlib.deflateInit.invokeExact(d, 9, zlib.version, (int) Z_STREAM_SIZE)).isEqualTo(Z_MEM_ERROR);
            assertThat(heap.refusals()).isPositive();
            assertThat(region.stats().liveBytes()).as("zlib gave back what it got before the refusal").isZero();

            region.setLimit(0);
            MemorySegment again = zlib.stream(arena, heap);
            assertThat((int) zlib.deflateInit.invokeExact(again, 9, zlib.version, (int) Z_STREAM_SIZE)).isEqualTo(Z_OK);
            MemorySegment in = arena.allocateFrom("a stream once refused, then served");
            MemorySegment out = arena.allocate(256);
            assertThat(zlib.run(zlib.deflate, again, in, out)).isPositive();
            assertThat((int) zlib.deflateEnd.invokeExact(again)).isEqualTo(Z_OK);
            assertThat(region.stats().liveBytes()).isZero();
        }
    }

    // ------------------------------------------------------------------ Lua

    private static final int LUA_OK = 0, LUA_ERRMEM = 4;

    private static final class Lua {
        final SymbolLookup lib = SymbolLookup.libraryLookup("liblua5.4.so.0", LIBS);
        final MethodHandle newState = handle("lua_newstate", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        final MethodHandle openLibs = handle("luaL_openlibs", FunctionDescriptor.ofVoid(ADDRESS));
        final MethodHandle loadString = handle("luaL_loadstring", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        final MethodHandle pcall = handle("lua_pcallk",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
        final MethodHandle toInteger = handle("lua_tointegerx", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS));
        final MethodHandle setTop = handle("lua_settop", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        final MethodHandle close = handle("lua_close", FunctionDescriptor.ofVoid(ADDRESS));

        MethodHandle handle(String name, FunctionDescriptor descriptor) {
            return LINKER.downcallHandle(lib.find(name).orElseThrow(), descriptor);
        }

        /** Runs {@code script} in {@code state}: its status, and its one integer result if it had one. */
        long[] run(MemorySegment state, String script) throws Throwable {
            try (Arena arena = Arena.ofConfined()) {
                int status = (int) loadString.invokeExact(state, arena.allocateFrom(script));
                if (status == LUA_OK) {
                    status = (int) pcall.invokeExact(state, 0, 1, 0, 0L, MemorySegment.NULL);
                }
                long result = status == LUA_OK ? (long) toInteger.invokeExact(state, -1, MemorySegment.NULL) : 0;
                setTop.invokeExact(state, 0);
                return new long[] {status, result};
            }
        }
    }

    @Test
    void luaRunsInACappedRegionThatBlowsItsCapAsLuasOwnMemoryErrorAndGoesOn() throws Throwable {
        Lua lua = new Lua();
        try (Region region = Region.builder().name("lua").limit(4 << 20).build()) {
            NativeHeap heap = region.nativeHeap();
            MemorySegment state = (MemorySegment) lua.newState.invokeExact(heap.luaAlloc(), heap.context());
            assertThat(state).isNotEqualTo(MemorySegment.NULL);
            lua.openLibs.invokeExact(state);
            assertThat(region.stats().liveBytes()).as("Lua's state and libraries, in the region").isPositive();

            assertThat(lua.run(state, "local t = {} for i = 1, 10000 do t[i] = i * 2 end return t[10000]"))
                    .containsExactly(LUA_OK, 20_000);
            assertThat(lua.run(state, "local t = {} for i = 1, 1e8 do t[i] = ('x'):rep(64) .. i end return #t")[0])
                    .as("a script past the 4 MiB cap").isEqualTo(LUA_ERRMEM);
            assertThat(heap.refusals()).isPositive();
            assertThat(region.stats().liveBytes()).isLessThanOrEqualTo(4 << 20);

            assertThat(lua.run(state, "collectgarbage() return 6 * 7")).as("the state goes on").containsExactly(LUA_OK, 42);
            lua.close.invokeExact(state);
            assertThat(region.stats().liveBytes()).as("empty after lua_close").isZero();
            assertThat(heap.badFrees()).isZero();
        }
    }

    // ------------------------------------------------------------------ zstd

    @Test
    void zstdCompressesAndDecompressesThroughItsCustomMemInARegion() throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("libzstd.so.1", LIBS);
        java.lang.foreign.StructLayout customMem = java.lang.foreign.MemoryLayout.structLayout(
                ADDRESS.withName("customAlloc"), ADDRESS.withName("customFree"), ADDRESS.withName("opaque"));
        MethodHandle createC = LINKER.downcallHandle(lib.find("ZSTD_createCCtx_advanced").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, customMem));
        MethodHandle createD = LINKER.downcallHandle(lib.find("ZSTD_createDCtx_advanced").orElseThrow(),
                FunctionDescriptor.of(ADDRESS, customMem));
        MethodHandle compress = LINKER.downcallHandle(lib.find("ZSTD_compressCCtx").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_INT));
        MethodHandle decompress = LINKER.downcallHandle(lib.find("ZSTD_decompressDCtx").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG));
        MethodHandle isError = LINKER.downcallHandle(lib.find("ZSTD_isError").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_LONG));
        MethodHandle freeC = LINKER.downcallHandle(lib.find("ZSTD_freeCCtx").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        MethodHandle freeD = LINKER.downcallHandle(lib.find("ZSTD_freeDCtx").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG, ADDRESS));
        try (Arena arena = Arena.ofConfined(); Region region = Region.builder().name("zstd").build()) {
            NativeHeap heap = region.nativeHeap();
            MemorySegment mem = arena.allocate(customMem);
            mem.setAtIndex(ADDRESS, 0, heap.contextAlloc());
            mem.setAtIndex(ADDRESS, 1, heap.contextFree());
            mem.setAtIndex(ADDRESS, 2, heap.context());
            MemorySegment text = arena.allocate(256 << 10);
            for (long i = 0; i < text.byteSize(); i++) {
                text.set(JAVA_BYTE, i, (byte) ('a' + (i * 7 % 13)));
            }
            MemorySegment packed = arena.allocate(text.byteSize() + 4096);
            MemorySegment unpacked = arena.allocate(text.byteSize());

            MemorySegment cctx = (MemorySegment) createC.invokeExact(mem);
            long packedSize = (long) compress.invokeExact(cctx, packed, packed.byteSize(), text, text.byteSize(), 3);
            assertThat((int) isError.invokeExact(packedSize)).isZero();
            assertThat(region.stats().liveBytes()).as("zstd's compression context, in the region").isPositive();
            assertThat((long) freeC.invokeExact(cctx)).isZero();
            MemorySegment dctx = (MemorySegment) createD.invokeExact(mem);
            long size = (long) decompress.invokeExact(dctx, unpacked, unpacked.byteSize(), packed, packedSize);
            assertThat((long) freeD.invokeExact(dctx)).isZero();
            assertThat(size).isEqualTo(text.byteSize());
            assertThat(unpacked.mismatch(text)).isEqualTo(-1);
            assertThat(region.stats().liveBytes()).as("empty after ZSTD_freeCCtx and ZSTD_freeDCtx").isZero();
            assertThat(heap.refusals() + heap.badFrees()).isZero();
        }
    }

    // ------------------------------------------------------------------ SQLite

    private static final int SQLITE_CONFIG_MALLOC = 4, SQLITE_CONFIG_GETMALLOC = 5, SQLITE_OK = 0, SQLITE_NOMEM = 7;

    /**
     * SQLite's allocator is process-wide: the test saves the default methods, installs the region's,
     * and puts the default back at the end (no other test here uses SQLite).
     */
    @Test
    void sqliteRunsOnARegionWhoseLiveBytesAreSqlitesOwnFigureAndWhoseLimitIsSqliteNomem() throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("libsqlite3.so.0", LIBS);
        MethodHandle config = LINKER.downcallHandle(lib.find("sqlite3_config").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS), Linker.Option.firstVariadicArg(1));
        MethodHandle shutdown = LINKER.downcallHandle(lib.find("sqlite3_shutdown").orElseThrow(), FunctionDescriptor.of(JAVA_INT));
        MethodHandle open = LINKER.downcallHandle(lib.find("sqlite3_open").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle exec = LINKER.downcallHandle(lib.find("sqlite3_exec").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MethodHandle close = LINKER.downcallHandle(lib.find("sqlite3_close").orElseThrow(),
                FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MethodHandle memoryUsed = LINKER.downcallHandle(lib.find("sqlite3_memory_used").orElseThrow(),
                FunctionDescriptor.of(JAVA_LONG));
        try (Arena arena = Arena.ofShared(); Region region = Region.builder().name("sqlite").shared(true).build()) {
            MemorySegment defaults = arena.allocate(ADDRESS, 8);
            assertThat((int) shutdown.invokeExact()).isEqualTo(SQLITE_OK);
            assertThat((int) config.invokeExact(SQLITE_CONFIG_GETMALLOC, defaults)).isEqualTo(SQLITE_OK);
            NativeHeap heap = region.nativeHeap();
            assertThat((int) config.invokeExact(SQLITE_CONFIG_MALLOC, heap.sqliteMemMethods(arena))).isEqualTo(SQLITE_OK);
            try {
                MemorySegment dbOut = arena.allocate(ADDRESS);
                assertThat((int) open.invokeExact(arena.allocateFrom(":memory:"), dbOut)).isEqualTo(SQLITE_OK);
                MemorySegment db = dbOut.get(ADDRESS, 0);
                String fill = "create table t(k integer primary key, v text);"
                        + "with recursive n(i) as (select 1 union all select i + 1 from n where i < 20000)"
                        + " insert into t select i, printf('value %08d', i) from n;";
                assertThat((int) exec.invokeExact(db, arena.allocateFrom(fill), MemorySegment.NULL, MemorySegment.NULL,
                        MemorySegment.NULL)).isEqualTo(SQLITE_OK);
                assertThat(region.stats().liveBytes()).as("SQLite's own count of its memory")
                        .isEqualTo((long) memoryUsed.invokeExact()).isGreaterThan(500_000);

                region.setLimit(region.stats().liveBytes() + 64 * 1024);
                String more = "with recursive n(i) as (select 20001 union all select i + 1 from n where i < 200000)"
                        + " insert into t select i, printf('value %08d', i) from n;";
                assertThat((int) exec.invokeExact(db, arena.allocateFrom(more), MemorySegment.NULL, MemorySegment.NULL,
                        MemorySegment.NULL)).as("past the limit").isEqualTo(SQLITE_NOMEM);
                assertThat(heap.refusals()).isPositive();
                region.setLimit(0);
                assertThat((int) exec.invokeExact(db, arena.allocateFrom("insert into t values(1000000, 'after');"),
                        MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL)).as("after the limit was lifted")
                        .isEqualTo(SQLITE_OK);
                assertThat((int) close.invokeExact(db)).isEqualTo(SQLITE_OK);
                assertThat((int) shutdown.invokeExact()).isEqualTo(SQLITE_OK);
                assertThat(region.stats().liveBytes()).as("empty after sqlite3_close and sqlite3_shutdown").isZero();
                assertThat(heap.badFrees()).isZero();
            } finally {
                int down = (int) shutdown.invokeExact();
                int back = (int) config.invokeExact(SQLITE_CONFIG_MALLOC, defaults);
                assertThat(new int[] {down, back}).as("SQLite's default allocator back").containsOnly(SQLITE_OK);
            }
        }
    }
}
