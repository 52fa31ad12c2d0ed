package dev.regions.cli.nativelibs;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The few functions of Lua 5.4's C API the demo calls (Debian's {@code liblua5.4-0}), through
 * downcalls: a state made with an allocator of the caller's ({@code lua_newstate}), the standard
 * libraries, running a chunk, reading its integer result or error message, closing.
 */
final class Lua {
    static final int OK = 0;
    static final int ERRMEM = 4;
    static final String LIBRARY = "liblua5.4.so.0";

    private final MethodHandle newState, openLibs, loadString, pcall, toInteger, toString, setTop, close;

    /** Loads the library; {@link IllegalArgumentException} (from the JDK) if it is not installed. */
    Lua() {
        Linker linker = Linker.nativeLinker();
        SymbolLookup lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        newState = handle(linker, lib, "lua_newstate", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS));
        openLibs = handle(linker, lib, "luaL_openlibs", FunctionDescriptor.ofVoid(ADDRESS));
        loadString = handle(linker, lib, "luaL_loadstring", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
        pcall = handle(linker, lib, "lua_pcallk",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS));
        toInteger = handle(linker, lib, "lua_tointegerx", FunctionDescriptor.of(JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS));
        toString = handle(linker, lib, "lua_tolstring", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS));
        setTop = handle(linker, lib, "lua_settop", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
        close = handle(linker, lib, "lua_close", FunctionDescriptor.ofVoid(ADDRESS));
    }

    private static MethodHandle handle(Linker linker, SymbolLookup lib, String name, FunctionDescriptor descriptor) {
        return linker.downcallHandle(lib.find(name).orElseThrow(), descriptor);
    }

    /** A new state allocating through {@code alloc} with {@code ud}, with the standard libraries; or NULL. */
    MemorySegment newState(MemorySegment alloc, MemorySegment ud) throws Throwable {
        MemorySegment state = (MemorySegment) newState.invokeExact(alloc, ud);
        if (!state.equals(MemorySegment.NULL)) {
            openLibs.invokeExact(state);
        }
        return state;
    }

    /** What a chunk gave: Lua's status, its integer result, or its error message. */
    record Outcome(int status, long result, String error) {
    }

    Outcome run(MemorySegment state, String chunk) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            int status = (int) loadString.invokeExact(state, arena.allocateFrom(chunk));
            if (status == OK) {
                status = (int) pcall.invokeExact(state, 0, 1, 0, 0L, MemorySegment.NULL);
            }
            long result = 0;
            String error = null;
            if (status == OK) {
                result = (long) toInteger.invokeExact(state, -1, MemorySegment.NULL);
            } else {
                MemorySegment message = (MemorySegment) toString.invokeExact(state, -1, MemorySegment.NULL);
                error = message.equals(MemorySegment.NULL) ? "?" : message.reinterpret(1024).getString(0);
            }
            setTop.invokeExact(state, 0);
            return new Outcome(status, result, error);
        }
    }

    void close(MemorySegment state) throws Throwable {
        close.invokeExact(state);
    }
}
