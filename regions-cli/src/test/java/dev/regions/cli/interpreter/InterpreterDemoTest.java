package dev.regions.cli.interpreter;

import dev.regions.MemoryCorruptionException;
import dev.regions.Region;
import dev.regions.RegionStats;
import dev.regions.Regions;
import dev.regions.cli.Report;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The interpreter demo without its printing: the language's semantics, what the parser's
 * backtracking does to the scratch and program regions, errors, the checked mode's findings, and
 * that every region is closed at the end. The subcommand's output is {@code InterpreterDemoCommandTest}'s.
 */
class InterpreterDemoTest {

    private static InterpreterDemo.Result run(String program) {
        return InterpreterDemo.run(program, InterpreterDemo.DEFAULT_MAX_STEPS);
    }

    @Test
    void arithmeticFollowsPrecedenceAndParentheses() {
        InterpreterDemo.Result r = run("""
                let y = 5;
                let x = 3 * (4 + y);
                print x, 2 + 3 * 4, (2 + 3) * 4, 17 / 5, 17 % 5, -2 * -3, 10 - 4 - 3;
                print 1 < 2, 2 <= 1, 3 == 3, 3 != 3;
                """);
        assertThat(r.error()).isNull();
        assertThat(r.output()).containsExactly("27 14 20 3 2 6 3", "1 0 1 0");
    }

    @Test
    void theDemoProgramPrintsItsResults() {
        InterpreterDemo.Result r = run(InterpreterDemo.defaultProgram());
        assertThat(r.error()).isNull();
        assertThat(r.output()).containsExactly(
                "fib(20) = 6765", "even squares minus odd numbers, 1..10: 195", "primes below 50: 15", "x = 19");
    }

    @Test
    void blocksAndOneLineFormsRun() {
        InterpreterDemo.Result r = run("""
                let i = 0; let s = 0;
                while (i < 5) i += 1;
                if (i == 5) { s = 1; } else { s = 2; }
                if (i != 5) { s += 10; }
                while (s < 100) { s *= 3; }
                if (s > 100) print "big", s;
                """);
        assertThat(r.error()).isNull();
        assertThat(r.output()).containsExactly("big 243");
    }

    @Test
    void failedAlternativesAreResetOrFreedAndTheRestMerged() {
        // 'x += 1;' first tries 'assign', which builds the target node before it fails at '+=';
        // 'if (...) {' first tries the one-line if, which builds the condition before it fails at '{';
        // inside the one-line if, 'x -= 1' again fails 'assign' first: that node is freed, not reset.
        InterpreterDemo.Result r = run("""
                let x = 1;
                x += 1;
                if (x > 1) {
                    x *= 10;
                }
                if (x > 5) x -= 1;
                print x;
                """);
        assertThat(r.error()).isNull();
        assertThat(r.output()).containsExactly("19");
        ParseStats p = r.parse();
        assertThat(p.statements()).isEqualTo(7);
        assertThat(p.merges()).isEqualTo(7);
        assertThat(p.failedRules()).isEqualTo(p.ruleAttempts() - p.statements());
        // assign for 'x += 1' and 'x *= 10' (1 node each), if-line for 'if (x > 1) {' (3 nodes)
        assertThat(p.failedWithNodes()).isEqualTo(3);
        assertThat(p.discardedPieces()).isEqualTo(5);
        assertThat(p.discardedBytes()).isEqualTo(5 * Node.LAYOUT.byteSize());
        assertThat(p.innerFreed()).isEqualTo(1);
        // every piece the parser kept was merged into the program region; the scratch region ends empty
        assertThat(r.program().liveCount()).isEqualTo(r.treePieces() + 1); // + the variables' array
        assertThat(r.scratch().liveBytes()).isZero();
        assertThat(r.scratch().frees()).isEqualTo(1);
    }

    @Test
    void regionsAreClosedAndGlobalLiveBytesReturnToTheStart() {
        InterpreterDemo.Result r = run(InterpreterDemo.defaultProgram());
        assertThat(r.program().liveBytes()).isPositive();
        assertThat(r.globalAfter().liveBytes()).isEqualTo(r.globalBefore().liveBytes());
        assertThat(r.globalAfter().liveCount()).isEqualTo(r.globalBefore().liveCount());
        assertThat(r.globalAfter().grossBytes()).isEqualTo(r.globalBefore().grossBytes());
    }

    @Test
    void theReportOfOpenRegionsShowsTheProgramRegionBeforeItCloses() {
        InterpreterDemo.Result r = run(InterpreterDemo.defaultProgram());
        assertThat(r.checked()).isNull();
        assertThat(r.openRegions()).containsPattern("\\nprogram +confined to thread '[^']+' +"
                + Report.count(r.program().liveBytes()).replace(",", "\\,") + " +"
                + Report.count(r.program().grossBytes()).replace(",", "\\,") + " +[\\d,]+ +"
                + Report.count(r.program().liveCount()) + " +none\\n");
        assertThat(r.openRegions()).containsPattern("\\nscratch +confined to thread '[^']+' +0 ");
    }

    @Test
    void aCheckedRunFindsTheOverrunOneBytePastThePieceAndReportsTheLeaks() {
        InterpreterDemo.Result r = InterpreterDemo.run(InterpreterDemo.defaultProgram(),
                InterpreterDemo.DEFAULT_MAX_STEPS, true);
        assertThat(r.error()).isNull();
        assertThat(r.output()).containsExactly(
                "fib(20) = 6765", "even squares minus odd numbers, 1..10: 195", "primes below 50: 15", "x = 19");
        InterpreterDemo.Checked c = r.checked();
        assertThat(c.piece()).isEqualTo("the print node of line 46");
        assertThat(c.pieceSize()).isEqualTo(Node.LAYOUT.byteSize());
        assertThat(c.verify()).startsWith("region 'program': the guard zone after piece #" + c.pieceId() + " ("
                        + c.pieceSize() + " bytes at 0x")
                .contains("was overwritten: byte " + c.pieceSize() + " from the piece's start (an overrun); "
                        + "allocated at dev.regions.cli.interpreter.SyntaxTree.addNode(SyntaxTree.java:");
        assertThat(c.leaks()).startsWith("region 'program': " + r.program().liveCount() + " live pieces, "
                + r.program().liveBytes() + " bytes");
        // the close found the same overrun, and threw the leak (strictClose) with it
        assertThat(c.closes()).containsExactly(
                new InterpreterDemo.Thrown("program", MemoryCorruptionException.class.getSimpleName(), c.verify(),
                        false),
                new InterpreterDemo.Thrown("program", IllegalStateException.class.getSimpleName(), c.leaks(), true));
        assertThat(r.globalAfter().liveBytes()).isEqualTo(r.globalBefore().liveBytes());
        assertThat(r.globalAfter().grossBytes()).isEqualTo(r.globalBefore().grossBytes());
    }

    @Test
    void syntaxErrorsNameTheLineAndWhatWasExpected() {
        RegionStats before = Regions.globalStats();
        InterpreterDemo.Result r = run("let x = 1;\nlet y = (x + ;\n");
        assertThat(r.error()).isEqualTo(
                "syntax error at line 2, column 14: expected '-', a number, a name or '(' but found ';'");
        assertThat(r.parse()).isNull();
        assertThat(Regions.globalStats().liveBytes()).isEqualTo(before.liveBytes());
        assertThat(run("print 1;\n}\n").error()).isEqualTo("syntax error at line 2: '}' without an open block");
        assertThat(run("while (1) {\nprint 1;\n").error())
                .isEqualTo("syntax error at line 1: the block opened here is never closed with '}'");
    }

    @Test
    void blocksThatDoNotNestAreSyntaxErrorsAtTheirLine() {
        assertThat(run("let x = 0;\nwhile (x < 1) {\n} else {\n}\n").error())
                .isEqualTo("syntax error at line 3: '} else {' without an open if block");
        assertThat(run("if (1) {\n} else {\n} else {\n}\n").error())
                .isEqualTo("syntax error at line 3: '} else {' without an open if block");
        assertThat(run("if (1) {\nwhile (1) {\n}\n").error())
                .isEqualTo("syntax error at line 1: the block opened here is never closed with '}'");
    }

    @Test
    void runTimeErrorsKeepTheOutputPrintedBeforeThem() {
        InterpreterDemo.Result r = run("print 1;\nlet z = 0;\nprint 10 / z;\n");
        assertThat(r.output()).containsExactly("1");
        assertThat(r.error()).isEqualTo("run-time error at line 3: division by zero");
        assertThat(run("y = 2;").error())
                .isEqualTo("run-time error at line 1: y is not defined (introduce it with let)");
        assertThat(InterpreterDemo.run("let i = 0; while (1) i += 1;", 1_000).error())
                .isEqualTo("run-time error at line 1: stopped after 1000 statements: an endless loop?");
    }

    @Test
    void theTreeIsReadBackFromOffHeapNodes() {
        InterpreterDemo.Result r = run("let n = 20; let x = 3 * (4 + n) - 7 / 2; print \"x =\", x;");
        assertThat(r.trees()).containsExactly(
                "line 1: (let n 20)",
                "line 1: (let x (- (* 3 (+ 4 n)) (/ 7 2)))",
                "line 1: (print \"x =\" x)");
        assertThat(r.sample()).isEqualTo("line 1: (let x (- (* 3 (+ 4 n)) (/ 7 2)))");
    }

    @Test
    void mergedNodesSurviveLaterResetsOfTheScratchRegionAndDieWithTheProgram() {
        Region program = Region.ofConfined();
        try (Region scratch = Region.ofConfined()) {
            SyntaxTree tree = new SyntaxTree();
            // statement 2 ('x += 1;') resets the scratch region after each failed rule, after
            // statement 1 was merged out of it
            ParsedProgram parsed = new Parser(Lexer.tokenize("let x = 1; x += 1;"), tree, program, scratch).parse();
            assertThat(parsed.stats().failedWithNodes()).isEqualTo(1);
            MemorySegment first = tree.node(parsed.statements()[0]);
            MemorySegment second = tree.node(parsed.statements()[1]);
            assertThat(Node.kind(first)).isEqualTo(Node.Kind.LET);
            assertThat(Node.kind(second)).isEqualTo(Node.Kind.UPDATE);
            assertThat(program.stats().liveCount()).isEqualTo(tree.size());
            assertThat(scratch.stats().liveCount()).isZero();
            program.close();
            assertThat(first.scope().isAlive()).isFalse();
            assertThatThrownBy(() -> Node.kind(second)).isInstanceOf(IllegalStateException.class);
        }
    }
}
