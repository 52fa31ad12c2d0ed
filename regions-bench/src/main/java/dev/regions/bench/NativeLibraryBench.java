package dev.regions.bench;

import dev.regions.NativeHeap;
import dev.regions.Region;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.TimeUnit;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * C libraries allocating in a region ({@link NativeHeap}) against their own default allocator
 * (issue 20), one operation per library, µs per operation:
 * <ul>
 * <li>{@code lua}: a script in a Lua 5.4 state made once per trial ({@code lua_newstate} with
 *     the region's {@code luaAlloc}, or {@code luaL_newstate}): builds a table of 2,000 strings and
 *     concatenates them.
 * <li>{@code zlib}: a 64 KiB stream: {@code deflateInit}, one {@code deflate}, {@code deflateEnd},
 *     with the region's {@code zalloc}/{@code zfree} or zlib's own ({@code Z_NULL}).
 * <li>{@code sqlite}: 200 rows inserted in a transaction into an in-memory table, then deleted;
 *     SQLite's allocator is set for the process ({@code sqlite3_config(SQLITE_CONFIG_MALLOC)}) by
 *     the fork, or left as it is.
 * </ul>
 * The region is a confined one of the benchmark's thread, no limit; zeroing (the default) or not.
 *
 * <pre>java -jar regions-bench/target/benchmarks.jar '\.NativeLibraryBench\.' -f 2 -wi 3 -w 1s -i 5 -r 1s</pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {ForkArgs.NATIVE_ACCESS, ForkArgs.EXECUTOR, ForkArgs.EXECUTOR_CLASS,
        ForkArgs.HEAP_MIN, ForkArgs.HEAP_MAX, ForkArgs.PRE_TOUCH})
public class NativeLibraryBench {
    private static final Linker LINKER = Linker.nativeLinker();

    @Param({"lua", "zlib", "sqlite"})
    public String library;

    /** {@code region}: zeroing, as users get it; {@code region-nozero}: {@code zeroing(false)}; {@code own}: the library's. */
    @Param({"region", "region-nozero", "own"})
    public String allocator;

    private Region region;
    private NativeHeap heap;
    private Arena arena;
    private Runnable operation;
    private Runnable teardown = () -> { };

    @Setup(Level.Trial)
    public void setUp() throws Throwable {
        FastThreadExecutor.requireFastThread();
        region = Region.builder().name("native-bench").zeroing(!allocator.equals("region-nozero")).build();
        heap = region.nativeHeap();
        arena = Arena.ofConfined();
        switch (library) {
            case "lua" -> setUpLua();
            case "zlib" -> setUpZlib();
            case "sqlite" -> setUpSqlite();
            default -> throw new IllegalArgumentException(library);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        teardown.run();
        arena.close();
        region.close();
    }

    @Benchmark
    public void operation() {
        operation.run();
    }

    private boolean inRegion() {
        return allocator.startsWith("region");
    }

    private static MethodHandle handle(SymbolLookup lib, String name, FunctionDescriptor descriptor,
            Linker.Option... options) {
        return LINKER.downcallHandle(lib.find(name).orElseThrow(), descriptor, options);
    }

    private static RuntimeException failed(Throwable e) {
        return e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }

    // ------------------------------------------------------------------ Lua

    private void setUpLua() throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("liblua5.4.so.0", arena);
        MethodHandle loadString = handle(lib, "luaL_loadstring", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        MethodHandle pcall = handle(lib, "lua_pcallk",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
        MethodHandle setTop = handle(lib, "lua_settop", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        MethodHandle close = handle(lib, "lua_close", FunctionDescriptor.ofVoid(ADDRESS));
        MemorySegment state = inRegion()
                ? (MemorySegment) handle(lib, "lua_newstate", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS))
                        .invokeExact(heap.luaAlloc(), heap.context())
                : (MemorySegment) handle(lib, "luaL_newstate", FunctionDescriptor.of(ADDRESS)).invokeExact();
        handle(lib, "luaL_openlibs", FunctionDescriptor.ofVoid(ADDRESS)).invokeExact(state);
        MemorySegment script = arena.allocateFrom(
                "local t = {} for i = 1, 2000 do t[i] = 'item ' .. i end return #table.concat(t, ',')");
        operation = () -> {
            try {
                int status = (int) loadString.invokeExact(state, script);
                status |= (int) pcall.invokeExact(state, 0, 1, 0, 0L, MemorySegment.NULL);
                setTop.invokeExact(state, 0);
                if (status != 0) {
                    throw new IllegalStateException("Lua status " + status);
                }
            } catch (Throwable e) {
                throw failed(e);
            }
        };
        teardown = () -> {
            try {
                close.invokeExact(state);
            } catch (Throwable e) {
                throw failed(e);
            }
        };
    }

    // ------------------------------------------------------------------ zlib

    private void setUpZlib() throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("libz.so.1", arena);
        MemorySegment version = (MemorySegment) handle(lib, "zlibVersion", FunctionDescriptor.of(ADDRESS)).invokeExact();
        MethodHandle init = handle(lib, "deflateInit_", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle deflate = handle(lib, "deflate", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        MethodHandle end = handle(lib, "deflateEnd", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MemorySegment in = arena.allocate(64 << 10);
        for (long i = 0; i < in.byteSize(); i++) {
            in.set(JAVA_BYTE, i, (byte) ("stream " + (i / 53 % 71)).charAt((int) (i % 7)));
        }
        MemorySegment out = arena.allocate(in.byteSize() + 1024);
        MemorySegment z = arena.allocate(112); // z_stream, LP64
        operation = () -> {
            try {
                z.fill((byte) 0);
                if (inRegion()) {
                    z.set(ADDRESS, 64, heap.zlibAlloc());
                    z.set(ADDRESS, 72, heap.zlibFree());
                    z.set(ADDRESS, 80, heap.context());
                }
                int status = (int) init.invokeExact(z, 6, version, 112);
                z.set(ADDRESS, 0, in);
                z.set(JAVA_INT, 8, (int) in.byteSize());
                z.set(ADDRESS, 24, out);
                z.set(JAVA_INT, 32, (int) out.byteSize());
                int done = (int) deflate.invokeExact(z, 4);
                int ended = (int) end.invokeExact(z);
                if (status != 0 || done != 1 || ended != 0) {
                    throw new IllegalStateException("zlib " + status + "/" + done + "/" + ended);
                }
            } catch (Throwable e) {
                throw failed(e);
            }
        };
    }

    // ------------------------------------------------------------------ SQLite

    private void setUpSqlite() throws Throwable {
        SymbolLookup lib = SymbolLookup.libraryLookup("libsqlite3.so.0", arena);
        if (inRegion()) {
            MethodHandle config = handle(lib, "sqlite3_config", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS),
                    Linker.Option.firstVariadicArg(1));
            int down = (int) handle(lib, "sqlite3_shutdown", FunctionDescriptor.of(JAVA_INT)).invokeExact();
            int set = (int) config.invokeExact(4, heap.sqliteMemMethods(Arena.global())); // SQLITE_CONFIG_MALLOC
            if (down != 0 || set != 0) {
                throw new IllegalStateException("sqlite3_config: " + down + "/" + set);
            }
        }
        MethodHandle exec = handle(lib, "sqlite3_exec",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MethodHandle close = handle(lib, "sqlite3_close", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MemorySegment dbOut = arena.allocate(ADDRESS);
        int opened = (int) handle(lib, "sqlite3_open", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS))
                .invokeExact(arena.allocateFrom(":memory:"), dbOut);
        MemorySegment db = dbOut.get(ADDRESS, 0);
        MemorySegment create = arena.allocateFrom("create table t(k integer primary key, v text)");
        MemorySegment work = arena.allocateFrom("begin;"
                + " with recursive n(i) as (select 1 union all select i + 1 from n where i < 200)"
                + " insert into t select i, printf('row %08d of the benchmark', i) from n;"
                + " delete from t; commit;");
        int created = (int) exec.invokeExact(db, create, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
        if (opened != 0 || created != 0) {
            throw new IllegalStateException("sqlite3_open/create: " + opened + "/" + created);
        }
        operation = () -> {
            try {
                int status = (int) exec.invokeExact(db, work, MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL);
                if (status != 0) {
                    throw new IllegalStateException("sqlite3_exec: " + status);
                }
            } catch (Throwable e) {
                throw failed(e);
            }
        };
        teardown = () -> {
            try {
                int closed = (int) close.invokeExact(db);
                if (closed != 0) {
                    throw new IllegalStateException("sqlite3_close: " + closed);
                }
            } catch (Throwable e) {
                throw failed(e);
            }
        };
    }
}
