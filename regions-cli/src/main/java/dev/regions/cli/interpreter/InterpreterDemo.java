package dev.regions.cli.interpreter;

import dev.regions.MemoryCorruptionException;
import dev.regions.PieceInfo;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.Regions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

/**
 * The interpreter demo, without its printing: lexes, parses (into a {@code program} and a
 * {@code scratch} region, see {@link Parser}) and runs a program, then closes both regions and
 * gathers the figures the report shows. A syntax or run-time error does not escape: it is
 * recorded in the result with the output printed before it, and the regions are closed all the
 * same.
 *
 * <p>Checked ({@code --checked}), both regions are built with {@link Region.Builder#checked}, every
 * allocation site recorded and {@link Region.Builder#strictClose}, and the demo plants a bug: once
 * the program is parsed, it writes one byte past the end of the last statement's node through a
 * segment widened with {@link MemorySegment#reinterpret(long)}. The program runs unaware (nothing
 * checks a write); {@link Region#verify()} after the run finds the damaged guard zone, and the
 * close finds it again. The result records what each said, and the program region's leak report.
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
     * @param openRegions  {@link Regions#report()} just before the demo closed its regions
     * @param checked      what the checked mode found; null in a normal run
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
            RegionStats globalAfter,
            String openRegions,
            Checked checked) {
    }

    /**
     * What a checked run showed.
     *
     * @param piece     the piece the overrun was planted in, described ("the print node of line
     *                  3"); null if none was (the program did not parse)
     * @param pieceId   that piece's id in its checked region, 0 if none
     * @param pieceSize that piece's size in bytes, 0 if none
     * @param verify    the message of the {@link MemoryCorruptionException} that
     *                  {@code program.verify()} threw after the run, or null if it threw none
     * @param leaks     {@code program.leakReport()} just before the close
     * @param closes    what each close threw, after giving the region's memory back: one
     *                  {@link Thrown} for the exception and one for each it suppressed
     */
    record Checked(String piece, long pieceId, long pieceSize, String verify, String leaks, List<Thrown> closes) {
    }

    /**
     * An exception a region's close threw.
     *
     * @param region     the region closed
     * @param type       the exception's simple class name
     * @param message    its message
     * @param suppressed whether it came suppressed in another
     */
    record Thrown(String region, String type, String message, boolean suppressed) {
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

    /** Parses and runs {@code source} in regions that are not checked. */
    static Result run(String source, long maxSteps) {
        return run(source, maxSteps, false);
    }

    /**
     * Parses and runs {@code source}.
     *
     * @param maxSteps the most statements the program may execute
     * @param checked  whether to build checked regions and plant an overrun (see the class comment)
     */
    static Result run(String source, long maxSteps, boolean checked) {
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
        String openRegions;
        String piece = null;
        long pieceId = 0;
        long pieceSize = 0;
        String verify = null;
        String leaks = null;
        List<Thrown> closes = new ArrayList<>();
        Region program = region("program", checked);
        try {
            Region scratch = region("scratch", checked);
            try {
                SyntaxTree tree = new SyntaxTree();
                try {
                    ParsedProgram parsed = new Parser(Lexer.tokenize(source), tree, program, scratch).parse();
                    parse = parsed.stats();
                    treePieces = tree.size();
                    sample = renderTrees(tree, parsed, trees);
                    if (checked && parsed.statements().length > 0) {
                        MemorySegment node = tree.node(parsed.statements()[parsed.statements().length - 1]);
                        pieceId = pieceId(program, node);
                        pieceSize = node.byteSize();
                        piece = "the " + Node.kind(node).name().toLowerCase(Locale.ROOT) + " node of line "
                                + Node.line(node);
                        writeOnePastTheEnd(node);
                    }
                    Evaluator evaluator = new Evaluator(tree, parsed, program, output::add, maxSteps);
                    steps = evaluator.run();
                } catch (ScriptException e) {
                    error = e.getMessage();
                }
                if (checked) {
                    try {
                        program.verify();
                    } catch (MemoryCorruptionException e) {
                        verify = e.getMessage();
                    }
                }
                programStats = program.stats();
                scratchStats = scratch.stats();
                openRegions = Regions.report();
                if (checked) {
                    leaks = program.leakReport();
                }
            } finally {
                close(scratch, closes);
            }
        } finally {
            close(program, closes);
        }
        return new Result(List.copyOf(output), error, parse, treePieces, steps, List.copyOf(trees), sample,
                programStats, scratchStats, globalBefore, Regions.globalStats(), openRegions,
                checked ? new Checked(piece, pieceId, pieceSize, verify, leaks, List.copyOf(closes)) : null);
    }

    private static Region region(String name, boolean checked) {
        Region.Builder builder = Region.builder().name(name);
        if (checked) {
            // every site recorded, so that a report names each one; a close with pieces still live
            // throws the leak report (after giving everything back) instead of logging it
            builder.checked(true).recordSites(1).strictClose(true);
        }
        return builder.build();
    }

    /** The id {@code region} gave {@code piece}, a live piece of a checked region. */
    private static long pieceId(Region region, MemorySegment piece) {
        for (PieceInfo p : region.livePieces()) {
            if (p.address() == piece.address()) {
                return p.id();
            }
        }
        throw new IllegalStateException("not a live piece of region '" + region.name() + "'");
    }

    /**
     * The planted bug, an off-by-one: a 0 written one byte past the end of {@code piece}, through
     * a segment that {@code reinterpret} made one byte longer (the piece itself would refuse it).
     * Only checked regions find it: there, it lands in the guard zone after the piece.
     */
    @SuppressWarnings("restricted") // deliberately wrong: the demo's planted overrun
    private static void writeOnePastTheEnd(MemorySegment piece) {
        MemorySegment widened = piece.reinterpret(piece.byteSize() + 1);
        widened.set(JAVA_BYTE, piece.byteSize(), (byte) 0);
    }

    /**
     * Closes {@code region}. A checked region's close gives its memory back, then throws what it
     * found (a damaged guard zone, the leak report): that goes into {@code closes}.
     */
    private static void close(Region region, List<Thrown> closes) {
        try {
            region.close();
        } catch (MemoryCorruptionException | IllegalStateException e) {
            if (region.scope().isAlive()) {
                throw e; // not closed: a piece is in use, which the demo never does
            }
            closes.add(new Thrown(region.name(), e.getClass().getSimpleName(), e.getMessage(), false));
            for (Throwable s : e.getSuppressed()) {
                closes.add(new Thrown(region.name(), s.getClass().getSimpleName(), s.getMessage(), true));
            }
        }
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
