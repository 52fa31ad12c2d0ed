package dev.regions.cli.interpreter;

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

/**
 * {@code regions demo interpreter} on its own: the subcommand run without its parent, as
 * {@code demo interpreter ARGS} runs it ({@code demo --checked interpreter} is tested with the
 * whole command, in {@code RegionsCommandTest}).
 */
class InterpreterDemoCommandTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int execute(String... args) {
        CommandLine cl = new CommandLine(new InterpreterDemoCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    @Test
    void checkedInterpreterCatchesThePlantedOverrunAndNamesItsSite() throws IOException {
        assertThat(execute("--checked")).isZero();
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
        String site = "dev.regions.cli.interpreter.SyntaxTree.addNode(SyntaxTree.java:" + line("SyntaxTree.java",
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
        assertThat(text).contains("1 piece, ", " bytes at dev.regions.cli.interpreter.Evaluator.<init>(Evaluator.java:");

        // the close found the overrun again and, strictClose, threw the leak: after giving everything back
        assertThat(text).contains(
                "program.close(): MemoryCorruptionException, the overrun verify() found",
                "program.close(): IllegalStateException (suppressed; strictClose), the leak report above",
                "global   after closing both regions, live 0 B and gross 0 B: back to where they started");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkedWithAProgramThatDoesNotParsePlantsNothing() {
        assertThat(execute("--checked", "-e", "print 1 +;")).isEqualTo(1);
        assertThat(out.toString()).contains("error    syntax error at line 1, column 10",
                "overrun  none planted: the program has no syntax tree",
                "verify() program.verify() after the run found nothing",
                "close()  both regions closed without a finding",
                "live 0 B and gross 0 B: back to where they started");
        assertThat(out.toString()).doesNotContain("MemoryCorruptionException");
    }

    @Test
    void interpreterRunsAProgramGivenOnTheCommandLine() {
        assertThat(execute("-e", "let x = 6 * 7; print \"answer\", x;", "--tree")).isZero();
        assertThat(out.toString()).contains("output   answer 42", "line 1: (let x (* 6 7))");
    }

    @Test
    void aBrokenProgramExitsWithOneAndSaysWhy() {
        assertThat(execute("-e", "print 1 +;")).isEqualTo(1);
        assertThat(out.toString()).contains("error    syntax error at line 1, column 10");
        assertThat(execute("--file", "no/such/file.txt")).isEqualTo(1);
        assertThat(err.toString()).contains("regions: no such file: no/such/file.txt");
    }

    private static final int LIVE = 0;
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
        List<String> lines = Files.readAllLines(Path.of("src/main/java/dev/regions/cli/interpreter", file));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(code)) {
                return i + 1;
            }
        }
        throw new AssertionError(code + " is not in " + file);
    }
}
