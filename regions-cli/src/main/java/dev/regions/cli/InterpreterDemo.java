package dev.regions.cli;

import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.Regions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The interpreter demo, without its printing: lexes, parses (into a {@code program} and a
 * {@code scratch} region, see {@link Parser}) and runs a program, then closes both regions and
 * gathers the figures the report shows. A syntax or run-time error does not escape: it is
 * recorded in the result with the output printed before it, and the regions are closed all the
 * same.
 */
final class InterpreterDemo {
    static final long DEFAULT_MAX_STEPS = 10_000_000;
    /** The longest tree rendering the summary shows as its sample. */
    private static final int SAMPLE_WIDTH = 64;

    private InterpreterDemo() {
    }

    /**
     * @param output     what the program printed, line by line (up to the error, if any)
     * @param error      the syntax or run-time error, or null
     * @param parse      what the parser did; null after a syntax error
     * @param treePieces off-heap pieces of the syntax tree (nodes and string literals)
     * @param steps      statements executed
     * @param trees      every statement's tree as read back from off-heap ("line N: (...)")
     * @param sample     one statement's tree, for the summary; null if none fits
     * @param program    the program region's figures, just before it closed
     * @param scratch    the scratch region's figures, just before it closed
     * @param globalBefore {@link Regions#globalStats()} before the demo
     * @param globalAfter  {@link Regions#globalStats()} after both regions closed
     */
    record Result(
            List<String> output,
            String error,
            ParseStats parse,
            int treePieces,
            long steps,
            List<String> trees,
            String sample,
            RegionStats program,
            RegionStats scratch,
            RegionStats globalBefore,
            RegionStats globalAfter) {
    }

    /** The program the demo runs when given none (a resource next to this class). */
    static String defaultProgram() {
        try (InputStream in = InterpreterDemo.class.getResourceAsStream("demo-program.txt")) {
            if (in == null) {
                throw new IllegalStateException("demo-program.txt is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Parses and runs {@code source}.
     *
     * @param maxSteps the most statements the program may execute
     */
    static Result run(String source, long maxSteps) {
        RegionStats globalBefore = Regions.globalStats();
        List<String> output = new ArrayList<>();
        List<String> trees = new ArrayList<>();
        String error = null;
        ParseStats parse = null;
        String sample = null;
        int treePieces = 0;
        long steps = 0;
        RegionStats programStats;
        RegionStats scratchStats;
        try (Region program = Region.builder().name("program").build();
             Region scratch = Region.builder().name("scratch").build()) {
            SyntaxTree tree = new SyntaxTree();
            try {
                ParsedProgram parsed = new Parser(Lexer.tokenize(source), tree, program, scratch).parse();
                parse = parsed.stats();
                treePieces = tree.size();
                sample = renderTrees(tree, parsed, trees);
                Evaluator evaluator = new Evaluator(tree, parsed, program, output::add, maxSteps);
                steps = evaluator.run();
            } catch (ScriptException e) {
                error = e.getMessage();
            }
            programStats = program.stats();
            scratchStats = scratch.stats();
        }
        return new Result(List.copyOf(output), error, parse, treePieces, steps, List.copyOf(trees), sample,
                programStats, scratchStats, globalBefore, Regions.globalStats());
    }

    /** Fills {@code trees} with every statement's tree; returns the richest that fits the summary. */
    private static String renderTrees(SyntaxTree tree, ParsedProgram parsed, List<String> trees) {
        TreePrinter printer = new TreePrinter(tree, parsed.variables());
        String sample = null;
        for (int id : parsed.statements()) {
            String line = "line " + Node.line(tree.node(id)) + ": " + printer.render(id);
            trees.add(line);
            if (line.length() <= SAMPLE_WIDTH && (sample == null || nesting(line) > nesting(sample)
                    || nesting(line) == nesting(sample) && line.length() > sample.length())) {
                sample = line;
            }
        }
        return sample;
    }

    private static long nesting(String rendering) {
        return rendering.chars().filter(c -> c == '(').count();
    }
}
