package dev.regions.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

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
    void checkedInterpreterCatchesThePlantedOverrunAndNamesItsSite() throws IOException {
        assertThat(execute("demo", "interpreter", "--checked")).isZero();
        String text = out.toString();
        assertThat(text).contains("fib(20) = 6765", "x = 19"); // the program ran unaware

        Matcher planted = Pattern.compile("node\\.reinterpret\\((\\d+)\\)\\.set\\(JAVA_BYTE, (\\d+), \\(byte\\) 0\\)\\n"
                + " +writes one byte past the end of piece #(\\d+), the print node of line 46 \\((\\d+) bytes\\)")
                .matcher(text);
        assertThat(planted.find()).as(text).isTrue();
        long size = Long.parseLong(planted.group(4));
        assertThat(size).isEqualTo(Node.LAYOUT.byteSize());
        assertThat(planted.group(1)).isEqualTo(String.valueOf(size + 1));
        assertThat(planted.group(2)).isEqualTo(String.valueOf(size));
        String piece = "piece #" + planted.group(3);

        // the message may be wrapped: read it with its line breaks and indentation as spaces
        String flat = text.replaceAll("\\s+", " ");
        String site = "dev.regions.cli.SyntaxTree.addNode(SyntaxTree.java:" + line("SyntaxTree.java",
                "region.allocate(Node.LAYOUT)") + ")";
        assertThat(flat).contains("verify() program.verify() after the run threw MemoryCorruptionException:"
                + " region 'program': the guard zone after " + piece + " (" + size + " bytes at 0x");
        assertThat(flat).containsPattern(Pattern.quote(piece + " (" + size + " bytes at 0x") + "\\p{XDigit}+"
                + Pattern.quote(") was overwritten: byte " + size + " from the piece's start (an overrun); allocated at "
                + site));
        assertThat(text.split("was overwritten", -1)).hasSize(2); // the close's finding is not printed again in full

        // the leak report of the program region, by site, before it closed
        long[] program = reportRow(text, "program");
        assertThat(text).contains("leaks    program.leakReport() before the close:\n"
                + "           region 'program': " + program[PIECES] + " live pieces, " + program[LIVE] + " bytes\n");
        assertThat(text).containsPattern("\\d+ pieces, \\d+ bytes at " + Pattern.quote(site));
        assertThat(text).contains("1 piece, ", " bytes at dev.regions.cli.Evaluator.<init>(Evaluator.java:");

        // the close found the overrun again and, strictClose, threw the leak: after giving everything back
        assertThat(text).contains(
                "program.close(): MemoryCorruptionException, the overrun verify() found",
                "program.close(): IllegalStateException (suppressed; strictClose), the leak report above",
                "global   after closing both regions, live 0 B and gross 0 B: back to where they started");
        assertThat(err.toString()).isEmpty();
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
    void checkedWithAProgramThatDoesNotParsePlantsNothing() {
        assertThat(execute("demo", "interpreter", "--checked", "-e", "print 1 +;")).isEqualTo(1);
        assertThat(out.toString()).contains("error    syntax error at line 1, column 10",
                "overrun  none planted: the program has no syntax tree",
                "verify() program.verify() after the run found nothing",
                "close()  both regions closed without a finding",
                "live 0 B and gross 0 B: back to where they started");
        assertThat(out.toString()).doesNotContain("MemoryCorruptionException");
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

    /** The number of the line of the demo's source file {@code file} that contains {@code code}. */
    private static int line(String file, String code) throws IOException {
        List<String> lines = Files.readAllLines(Path.of("src/main/java/dev/regions/cli", file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(code)) {
                return i + 1;
            }
        }
        throw new AssertionError(code + " is not in " + file);
    }

    @Test
    void interpreterRunsAProgramGivenOnTheCommandLine() {
        assertThat(execute("demo", "interpreter", "-e", "let x = 6 * 7; print \"answer\", x;", "--tree")).isZero();
        assertThat(out.toString()).contains("output   answer 42", "line 1: (let x (* 6 7))");
    }

    @Test
    void aBrokenProgramExitsWithOneAndSaysWhy() {
        assertThat(execute("demo", "interpreter", "-e", "print 1 +;")).isEqualTo(1);
        assertThat(out.toString()).contains("error    syntax error at line 1, column 10");
        assertThat(execute("demo", "interpreter", "--file", "no/such/file.txt")).isEqualTo(1);
        assertThat(err.toString()).contains("regions: no such file: no/such/file.txt");
    }

    @Test
    void serverTakesItsOptions() {
        assertThat(execute("demo", "server", "--threads", "2", "--requests", "500")).isZero();
        assertThat(out.toString()).contains("Server: 2 threads", "500 requests in", "500 checked");
    }

    @Test
    void badOptionsAndHelp() {
        assertThat(execute("demo", "server", "--threads", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--threads must be between 1 and 1024");
        assertThat(execute("--help")).isZero();
        assertThat(out.toString()).contains("Usage: regions", "demo");
    }
}
