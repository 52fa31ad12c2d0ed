package dev.regions.cli.nativelibs;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code regions demo native}: Lua's scripts give their results, the runaway one Lua's own
 * out-of-memory error within its cap and the host goes on, zlib's streams compress in regions of
 * their own, and every region is empty once its library is done (exit status 0 says so; the
 * command checks each figure). Lua must be installed ({@code .ci/run} installs it).
 */
class NativeDemoCommandTest {

    @Test
    void luaAndZlibRunInCappedRegionsAndTheRunawayScriptStopsAtItsCap() {
        StringWriter out = new StringWriter();
        CommandLine cl = new CommandLine(new NativeDemoCommand());
        cl.setOut(new PrintWriter(out, true));
        assertThat(cl.execute()).as(out.toString()).isZero();
        assertThat(out.toString())
                .contains("fibonacci  returned 46368", "words      returned 188893", "sort       returned 15005")
                .containsPattern("runaway +LUA_ERRMEM: not enough memory")
                .contains("zlib-9", "back to where they started");
    }
}
