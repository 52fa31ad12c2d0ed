package dev.regions.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
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
 * the program's output, what the parser's backtracking did to the regions, and their figures.
 * The work is {@link InterpreterDemo}'s; this class parses options and prints.
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
                ""},
        footer = {"", "Example: regions demo interpreter -e 'let x = 3 * (4 + 5); print \"x is\", x;'"})
final class InterpreterDemoCommand implements Callable<Integer> {
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
        return runAndReport(cl.getOut(), source, maxSteps, showSource, showTree);
    }

    /**
     * Runs {@code source} and prints the report, a syntax or run-time error in its place after the
     * program's output; returns the exit status (1 if the program failed).
     */
    static int runAndReport(PrintWriter out, String source, long maxSteps,
                            boolean showSource, boolean showTree) {
        out.println("Interpreter: a backtracking parser builds the syntax tree off-heap, then it runs");
        if (showSource) {
            List<String> lines = source.lines().toList();
            for (int i = 0; i < lines.size(); i++) {
                out.printf("  %3d | %s%n", i + 1, lines.get(i));
            }
        }
        InterpreterDemo.Result r = InterpreterDemo.run(source, maxSteps);
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
        Report.statsHeader(out);
        Report.statsRow(out, "program", r.program());
        Report.statsRow(out, "scratch", r.scratch());
        out.printf("  %-8s after closing both regions, live %s and gross %s: %s%n", "global",
                Report.bytes(r.globalAfter().liveBytes()), Report.bytes(r.globalAfter().grossBytes()),
                Report.backToStart(r.globalBefore(), r.globalAfter()));
        out.flush();
        return r.error() == null ? 0 : 1;
    }
}
