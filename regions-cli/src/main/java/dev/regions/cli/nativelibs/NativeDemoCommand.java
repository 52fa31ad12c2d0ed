package dev.regions.cli.nativelibs;

import dev.regions.NativeHeap;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.Regions;
import dev.regions.cli.Report;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.concurrent.Callable;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * {@code regions demo native}: C libraries allocating in regions through
 * {@link Region#nativeHeap()}. Lua 5.4 runs each script in a state of its own whose memory is a
 * region capped at 2 MiB: one script runs away, gets Lua's own out-of-memory error, and the host
 * goes on with the next. zlib compresses streams, each in a region of its own. Each region's
 * figures are printed, with {@code Regions.report()} while the last ones are open and the global
 * live bytes back at their start once all are closed.
 *
 * <p>Needs Debian's {@code liblua5.4-0} and {@code zlib1g}: says so and exits with 2 if Lua is
 * missing. Public only for {@code regions demo}, which lists it as a subcommand.
 */
@Command(name = "native",
        mixinStandardHelpOptions = true,
        description = {
                "C libraries allocating in capped, measured regions (Region.nativeHeap()).",
                "",
                "Lua 5.4 runs each script in a state of its own, its memory a region capped",
                "at 2 MiB: a runaway script gets Lua's out-of-memory error and the host goes",
                "on. zlib compresses streams, each in a region of its own. Needs liblua5.4-0.",
                ""})
public final class NativeDemoCommand implements Callable<Integer> {
    static final long LUA_CAP = 2 << 20;
    private static final String[][] SCRIPTS = {
        {"fibonacci", "local function fib(n) if n < 2 then return n end return fib(n - 1) + fib(n - 2) end"
                + " return fib(24)"},
        {"words", "local t = {} for i = 1, 20000 do t[#t + 1] = 'word' .. i end return #table.concat(t, ' ')"},
        {"runaway", "local t = {} for i = 1, 1e9 do t[i] = ('x'):rep(100) .. i end return #t"},
        {"sort", "local t = {} for i = 1, 30000 do t[i] = (i * 7919) % 30011 end table.sort(t) return t[15000]"},
    };
    private static final int[] ZLIB_LEVELS = {1, 6, 9};

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        try {
            return run(spec.commandLine().getOut());
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) { // invokeExact's declared Throwable
            throw new IllegalStateException(t);
        }
    }

    /** Runs the demo; returns the exit status (2 if Lua is missing, 1 if a figure is wrong). */
    static int run(PrintWriter out) throws Throwable {
        Lua lua;
        try {
            lua = new Lua();
        } catch (IllegalArgumentException missing) {
            out.println("regions demo native needs Lua 5.4 (" + Lua.LIBRARY + "): apt-get install liblua5.4-0");
            out.flush();
            return 2;
        }
        RegionStats before = Regions.globalStats();
        int wrong = 0;
        out.printf("Lua 5.4: each script in a state of its own, its memory a confined region capped at %s%n",
                Report.bytes(LUA_CAP));
        out.printf(Locale.ROOT, "  %-10s %-44s %10s %10s %9s%n", "script", "outcome", "peak live", "gross", "refusals");
        Region last = null;
        for (String[] script : SCRIPTS) {
            Region region = Region.builder().name("lua-" + script[0]).limit(LUA_CAP).build();
            NativeHeap heap = region.nativeHeap();
            MemorySegment state = lua.newState(heap.luaAlloc(), heap.context());
            Lua.Outcome outcome = lua.run(state, script[1]);
            String said = outcome.status() == Lua.OK ? "returned " + outcome.result()
                    : (outcome.status() == Lua.ERRMEM ? "LUA_ERRMEM: " : "error: ") + outcome.error();
            RegionStats s = region.stats();
            out.printf(Locale.ROOT, "  %-10s %-44s %10s %10s %9s%n", script[0], said, Report.bytes(s.peakLiveBytes()),
                    Report.bytes(s.grossBytes()), Report.count(heap.refusals()));
            wrong += s.peakLiveBytes() > LUA_CAP ? 1 : 0;
            if (last != null) {
                last.close();
            }
            lua.close(state);
            wrong += region.stats().liveBytes() == 0 ? 0 : 1; // lua_close gave every piece back
            last = region;
        }
        out.println("  (after each lua_close its region is empty; the runaway's state went on to close cleanly)");

        out.println();
        out.println("zlib: 256 KiB streams, each compressed in a region of its own");
        Zlib zlib = new Zlib();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocate(256 << 10);
            for (long i = 0; i < text.byteSize(); i++) {
                text.set(JAVA_BYTE, i, (byte) ("region " + (i / 61 % 89) + ", ").charAt((int) (i % 9)));
            }
            MemorySegment packed = arena.allocate(text.byteSize() + 1024);
            out.printf(Locale.ROOT, "  %-10s %10s %10s %10s %12s%n", "level", "in", "out", "peak live", "allocations");
            for (int level : ZLIB_LEVELS) {
                Region region = Region.builder().name("zlib-" + level).build();
                NativeHeap heap = region.nativeHeap();
                long size = zlib.compress(text, packed, level, heap.zlibAlloc(), heap.zlibFree(), heap.context());
                RegionStats s = region.stats();
                out.printf(Locale.ROOT, "  %-10d %10s %10s %10s %12s%n", level, Report.bytes(text.byteSize()),
                        Report.bytes(size), Report.bytes(s.peakLiveBytes()), Report.count(s.allocations()));
                wrong += s.liveBytes() == 0 && size > 0 ? 0 : 1; // deflateEnd gave every piece back
                if (level == ZLIB_LEVELS[ZLIB_LEVELS.length - 1]) {
                    Report.openRegions(out, "with the last Lua and zlib regions open", Regions.report());
                }
                region.close();
            }
        }
        last.close();
        RegionStats after = Regions.globalStats();
        out.printf("  %-9s after closing every region, live %s and gross %s: %s%n", "global",
                Report.bytes(after.liveBytes()), Report.bytes(after.grossBytes()), Report.backToStart(before, after));
        out.flush();
        return wrong == 0 ? 0 : 1;
    }
}
