package dev.regions.cli.interpreter;

import dev.regions.cli.Report;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code regions demo interpreter}: runs a program of the demo language (its own, or one given
 * with {@code -e} or {@code --file}) through the region-backed parser and evaluator, and prints
 * the program's output, what the parser's backtracking did to the regions, their figures, the
 * report of the open regions before they close and the global figures after. With
 * {@code --checked}, also what the checked mode caught: the planted overrun and the leak report.
 * The work is {@link InterpreterDemo}'s; this class parses options and prints.
 *
 * <p>Public (with {@link #runDefault}) only for {@code regions demo} in {@code dev.regions.cli},
 * which lists it as a subcommand and runs it with the defaults; the rest of the package is not
 * seen outside it.
 */
@Command(name = "interpreter",
        mixinStandardHelpOptions = true,
        description = {
                "Parses a program into an off-heap syntax tree, then runs it.",
                "",
                "A backtracking parser tries the grammar's rules for each statement in",
                "order, building nodes in a scratch region: a rule that fails is thrown",
                "away with scratch.reset(), the one that matches is merged into the",
                "program's region with program.merge(scratch). The program then runs by",
                "walking the tree in off-heap memory.",
                "",
                "The language: 64-bit integers, + - * / %% ( ), < <= > >= == !=,",
                "  let x = ...;  x = ...;  x += ...;  print \"text\", x, ...;",
                "  if (...) statement;  if (...) { ... } else { ... }",
                "  while (...) statement;  while (...) { ... }  # comment",
                "",
                "At the end: Regions.report() of the regions still open, just before the",
                "demo closes them, then the global figures once they are closed.",
                "",
                "With --checked, both regions are built checked(true), with recordSites(1)",
                "and strictClose(true): a guard zone around every piece, every allocation",
                "site recorded. The demo then plants a bug: once the program is parsed, it",
                "writes one byte past the end of a node of the tree, through a segment",
                "widened with reinterpret(). The program runs unaware; program.verify()",
                "after the run, and the close again, throw MemoryCorruptionException",
                "naming the piece, the damaged byte and where the piece was allocated.",
                "It also prints the program region's leak report before the close.",
                ""},
        footer = {"", "Examples: regions demo interpreter -e 'let x = 3 * (4 + 5); print \"x is\", x;'",
                "          regions demo interpreter --checked"})
public final class InterpreterDemoCommand implements Callable<Integer> {
    /** How wide the text after a label may be. */
    private static final int WIDTH = 96;

    @Spec
    CommandSpec spec;

    @Option(names = {"-e", "--eval"}, paramLabel = "PROGRAM",
            description = "Run this program text instead of the demo's.")
    String eval;

    @Option(names = {"-f", "--file"}, paramLabel = "FILE",
            description = "Run the program in this file instead of the demo's.")
    Path file;

    @Option(names = "--source", description = "Print the program, with line numbers, before running it.")
    boolean showSource;

    @Option(names = "--tree", description = "Print every statement's syntax tree, read back from off-heap memory.")
    boolean showTree;

    @Option(names = "--max-steps", paramLabel = "N", defaultValue = "10000000",
            description = "Stop the program after N statements (default: ${DEFAULT-VALUE}).")
    long maxSteps;

    @Option(names = "--checked",
            description = "Use checked regions, plant a one-byte overrun in the syntax tree and show it caught.")
    boolean checked;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (eval != null && file != null) {
            throw new CommandLine.ParameterException(cl, "give a program with --eval or --file, not both");
        }
        if (maxSteps < 1) {
            throw new CommandLine.ParameterException(cl, "--max-steps must be at least 1, not " + maxSteps);
        }
        String source;
        try {
            source = eval != null ? eval : file != null ? Files.readString(file) : InterpreterDemo.defaultProgram();
        } catch (NoSuchFileException e) {
            cl.getErr().println("regions: no such file: " + file);
            return 1;
        } catch (IOException e) {
            cl.getErr().println("regions: cannot read " + file + ": " + e.getMessage());
            return 1;
        }
        return runAndReport(cl.getOut(), source, maxSteps, showSource, showTree,
                checked || parentChecked());
    }

    /**
     * Whether the parent, {@code demo}, was given {@code --checked} ({@code demo --checked
     * interpreter}): read by name from its spec, so this package needs no type of the parent's.
     */
    private boolean parentChecked() {
        CommandSpec parent = spec.parent();
        OptionSpec option = parent == null ? null : parent.findOption("--checked");
        return option != null && Boolean.TRUE.equals(option.getValue());
    }

    /**
     * Runs the demo's own program with the default options, as {@code regions demo} does, and
     * prints the report; returns the exit status (see {@link #runAndReport}).
     */
    public static int runDefault(PrintWriter out, boolean checked) {
        return runAndReport(out, InterpreterDemo.defaultProgram(), InterpreterDemo.DEFAULT_MAX_STEPS, false, false,
                checked);
    }

    /**
     * Runs {@code source} and prints the report, a syntax or run-time error in its place after the
     * program's output; returns the exit status (1 if the program failed, or if checked regions
     * did not catch the planted overrun).
     */
    static int runAndReport(PrintWriter out, String source, long maxSteps,
                            boolean showSource, boolean showTree, boolean checked) {
        out.println("Interpreter: a backtracking parser builds the syntax tree off-heap, then it runs");
        if (checked) {
            out.printf("  %-8s regions built checked(true), recordSites(1), strictClose(true):%n", "checked");
            out.printf("  %-8s a guard zone around every piece, every allocation site recorded%n", "");
        }
        if (showSource) {
            List<String> lines = source.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                out.printf("  %3d | %s%n", i + 1, lines.get(i));
            }
        }
        InterpreterDemo.Result r = InterpreterDemo.run(source, maxSteps, checked);
        String label = "output";
        for (String line : r.output()) {
            out.printf("  %-8s %s%n", label, line);
            label = "";
        }
        if (r.error() != null) {
            out.printf("  %-8s %s%n", "error", r.error());
        }
        ParseStats p = r.parse();
        if (p != null) {
            out.printf("  %-8s %s; %s tried, %s did not match: scratch.reset() after each%n",
                    "parse", Report.count(p.statements(), "statement"), Report.count(p.ruleAttempts(), "rule"),
                    Report.count(p.failedRules()));
            out.printf("  %-8s (%s had built part of a tree: %s, %s, thrown away at once);%n",
                    "", Report.count(p.failedWithNodes()), Report.count(p.discardedPieces(), "piece"),
                    Report.bytes(p.discardedBytes()));
            out.printf("  %-8s %s into 'program'; inside statements, %s failed (%s freed)%n",
                    "", Report.count(p.merges(), "merge"), Report.count(p.innerFailures(), "alternative"),
                    Report.count(p.innerFreed(), "piece"));
            out.printf("  %-8s %s off-heap; the run executed %s%s%n", "tree",
                    Report.count(r.treePieces(), "piece"), Report.count(r.steps(), "statement"),
                    showTree ? "; read back:" : "");
            if (showTree) {
                for (String tree : r.trees()) {
                    out.printf("  %-8s %s%n", "", tree);
                }
            } else if (r.sample() != null) {
                out.printf("  %-8s read back: %s%n", "", r.sample());
            }
        }
        InterpreterDemo.Checked c = r.checked();
        if (c != null) {
            printFinding(out, c);
        }
        Report.statsHeader(out);
        Report.statsRow(out, "program", r.program());
        Report.statsRow(out, "scratch", r.scratch());
        Report.openRegions(out, "before the demo closes its regions", r.openRegions());
        if (c != null) {
            printLeaksAndCloses(out, c);
        }
        out.printf("  %-8s after closing both regions, live %s and gross %s: %s%n", "global",
                Report.bytes(r.globalAfter().liveBytes()), Report.bytes(r.globalAfter().grossBytes()),
                Report.backToStart(r.globalBefore(), r.globalAfter()));
        out.flush();
        boolean caught = c == null || c.piece() == null || c.verify() != null;
        return r.error() == null && caught ? 0 : 1;
    }

    /** The planted overrun, and what {@code verify()} said of it. */
    private static void printFinding(PrintWriter out, InterpreterDemo.Checked c) {
        if (c.piece() == null) {
            out.printf("  %-8s none planted: the program has no syntax tree%n", "overrun");
        } else {
            out.printf("  %-8s planted after parsing: node.reinterpret(%d).set(JAVA_BYTE, %d, (byte) 0)%n", "overrun",
                    c.pieceSize() + 1, c.pieceSize());
            out.printf("  %-8s writes one byte past the end of piece #%d, %s (%d bytes);%n", "",
                    c.pieceId(), c.piece(), c.pieceSize());
            out.printf("  %-8s the program ran unaware%n", "");
        }
        if (c.verify() != null) {
            out.printf("  %-8s program.verify() after the run threw MemoryCorruptionException:%n", "verify()");
            Report.labelled(out, 8, "", Report.wrap(c.verify(), WIDTH));
        } else {
            out.printf("  %-8s program.verify() after the run found nothing%n", "verify()");
        }
    }

    /** The program region's leak report before the close, and what each close threw. */
    private static void printLeaksAndCloses(PrintWriter out, InterpreterDemo.Checked c) {
        out.printf("  %-8s program.leakReport() before the close:%n", "leaks");
        Report.labelled(out, 8, "", c.leaks().lines().toList());
        if (c.closes().isEmpty()) {
            out.printf("  %-8s both regions closed without a finding%n", "close()");
            return;
        }
        out.printf("  %-8s each region gave all its memory back, then threw what it found:%n", "close()");
        for (InterpreterDemo.Thrown t : c.closes()) {
            String what = t.message().equals(c.verify()) ? "the overrun verify() found"
                    : t.message().equals(c.leaks()) ? "the leak report above"
                    : t.message();
            Report.labelled(out, 8, "", Report.wrap(t.region() + ".close(): " + t.type()
                    + (t.suppressed() ? " (suppressed; strictClose)" : "") + ", " + what, WIDTH));
        }
    }
}
