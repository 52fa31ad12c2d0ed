package dev.regions.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The {@code regions} command as the launcher runs it: {@code demo} with both demos, its
 * {@code --checked} passed to the interpreter and refused by the server, the usage. Each demo's
 * own subcommand is tested in its package ({@code InterpreterDemoCommandTest},
 * {@code ServerDemoCommandTest}).
 */
class RegionsCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cl = RegionsCommand.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void demoRunsBothDemosAndReportsGlobalLiveBytesBackToTheStart() {
        assertThat(execute("demo")).isZero();
        String text = out.toString();
        assertThat(text).contains("Interpreter:", "fib(20) = 6765", "Server: 4 threads", "0 wrong");
        assertThat(text.split("back to where they started", -1)).hasSize(3); // once per demo
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void eachDemoEndsWithTheReportOfItsOpenRegionsAndTheGlobalFiguresAtZero() {
        assertThat(execute("demo")).isZero();
        String text = out.toString();

        // the interpreter's regions, as Regions.report() saw them before the demo closed them:
        // the figures agree with the demo's own table (bytes under 10 KiB print exactly there)
        assertThat(text).contains("Regions.report() before the demo closes its regions:");
        long[] program = reportRow(text, "program");
        assertThat(program[LIVE]).isPositive();
        assertThat(program[GROSS]).isGreaterThanOrEqualTo(program[LIVE]);
        assertThat(program[PIECES]).isPositive();
        assertThat(text).containsPattern("\\n  program +" + Pattern.quote(Report.bytes(program[LIVE]))
                + " +" + Report.count(program[PIECES]) + " ");
        long[] scratch = reportRow(text, "scratch");
        assertThat(scratch[LIVE]).isZero(); // every statement was merged out of it
        assertThat(scratch[GROSS]).isPositive(); // it keeps its block until it closes

        // the server's cache, once the requests were done: the request regions are all closed
        assertThat(text).contains("Regions.report() once the requests were done, before the cache closes:");
        long[] cache = reportRow(text, "cache");
        assertThat(cache[LIVE]).isPositive();
        assertThat(cache[GROSS]).isGreaterThanOrEqualTo(cache[LIVE]);
        assertThat(text).containsPattern("\\n  cache +[0-9.]+ KiB +" + Report.count(cache[PIECES]) + " ");
        assertThat(text).contains("    total: 1 regions");

        // after everything is closed
        assertThat(text.split("live 0 B and gross 0 B: back to where they started", -1)).hasSize(3);
        assertThat(text).contains("All regions closed: global live 0 B, 0 pieces, gross 0 B;");
        // not checked: nothing planted, nothing caught
        assertThat(text).doesNotContain("overrun", "MemoryCorruptionException", "leakReport", "verify()");
    }

    @Test
    void checkedIsAcceptedOnDemoForTheInterpreterOnly() {
        assertThat(execute("demo", "--checked")).isZero();
        String text = out.toString();
        assertThat(text).contains("overrun  planted after parsing", "threw MemoryCorruptionException",
                "Server: 4 threads", "0 wrong", "All regions closed: global live 0 B, 0 pieces, gross 0 B;");
        assertThat(text.split("back to where they started", -1)).hasSize(3);

        out.getBuffer().setLength(0);
        assertThat(execute("demo", "--checked", "interpreter", "-e", "let x = 1; print x;")).isZero();
        assertThat(out.toString()).contains("output   1", "the print node of line 1", "(an overrun)");

        assertThat(execute("demo", "--checked", "server")).isEqualTo(2);
        assertThat(err.toString()).contains("--checked is for the interpreter demo, not the server");
    }

    @Test
    void helpListsTheDemo() {
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: regions", "demo");
    }

    private static final int LIVE = 0;
    private static final int GROSS = 1;
    private static final int PIECES = 3;

    /** A region's row of the Regions.report() in {@code text}: live, gross, peak bytes and pieces. */
    private static long[] reportRow(String text, String region) {
        Matcher m = Pattern.compile("\\n    " + region + " +(confined to thread '[^']*'|shared) +([\\d,]+) +([\\d,]+)"
                + " +([\\d,]+) +([\\d,]+) +none\\n").matcher(text);
        assertThat(m.find()).as("a report row for '%s' in:%n%s", region, text).isTrue();
        long[] row = new long[4];
        for (int i = 0; i < 4; i++) {
            row[i] = Long.parseLong(m.group(i + 2).replace(",", ""));
        }
        return row;
    }
}
