package dev.regions.cli.interpreter;

import dev.regions.Region;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Consumer;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Runs a parsed program by walking its off-heap syntax tree: every node is read back from its
 * {@link MemorySegment} through {@link Node}'s layout, never from a Java copy. Statements run in
 * order under a program counter, as in a BASIC: a block's {@code if}, {@code else}, {@code while}
 * and {@code }} jump to each other through the indexes the parser wrote into their nodes.
 *
 * <p>Variables are 64-bit integers in an off-heap array allocated from the program's region, one
 * slot per name. A variable must be introduced by {@code let} before it is read or assigned.
 * A step limit stops endless loops.
 */
final class Evaluator {
    private final SyntaxTree tree;
    private final int[] statements;
    private final List<String> names;
    private final MemorySegment values;
    private final boolean[] defined;
    private final Consumer<String> out;
    private final long maxSteps;
    private long steps;

    /**
     * @param memory   the region the variables are allocated in (the program's)
     * @param out      receives each line the program prints
     * @param maxSteps the most statements the program may run
     */
    Evaluator(SyntaxTree tree, ParsedProgram program, Region memory, Consumer<String> out, long maxSteps) {
        this.tree = tree;
        this.statements = program.statements();
        this.names = program.variables();
        this.values = memory.allocate(JAVA_LONG, Math.max(1, names.size()));
        this.defined = new boolean[names.size()];
        this.out = out;
        this.maxSteps = maxSteps;
    }

    /**
     * Runs the program to its end.
     *
     * @return how many statements ran
     * @throws ScriptException on a run-time error
     */
    long run() {
        int pc = 0;
        while (pc < statements.length) {
            MemorySegment s = tree.node(statements[pc]);
            step(s);
            switch (Node.kind(s)) {
                case IF -> {
                    boolean yes = truth(s);
                    if (Node.right(s) != Node.NONE) {
                        if (yes) {
                            simple(tree.node(Node.right(s)));
                        }
                        pc++;
                    } else {
                        pc = yes ? pc + 1 : Node.jump(s) + 1;
                    }
                }
                case WHILE -> {
                    if (Node.right(s) != Node.NONE) {
                        MemorySegment body = tree.node(Node.right(s));
                        while (truth(s)) {
                            step(body);
                            simple(body);
                        }
                        pc++;
                    } else {
                        pc = truth(s) ? pc + 1 : Node.jump(s) + 1;
                    }
                }
                case ELSE -> pc = Node.jump(s) + 1;
                case END -> pc = Node.jump(s) == Node.NONE ? pc + 1 : Node.jump(s);
                default -> {
                    simple(s);
                    pc++;
                }
            }
        }
        return steps;
    }

    private void step(MemorySegment s) {
        if (++steps > maxSteps) {
            throw error(s, "stopped after " + maxSteps + " statements: an endless loop?");
        }
    }

    private boolean truth(MemorySegment conditional) {
        return eval(Node.left(conditional)) != 0;
    }

    /** print, let, assign or update. */
    private void simple(MemorySegment s) {
        switch (Node.kind(s)) {
            case PRINT -> {
                StringBuilder line = new StringBuilder();
                for (int arg = Node.left(s); arg != Node.NONE; ) {
                    MemorySegment a = tree.node(arg);
                    MemorySegment item = tree.node(Node.left(a));
                    if (!line.isEmpty()) {
                        line.append(' ');
                    }
                    if (Node.kind(item) == Node.Kind.STRING) {
                        line.append(tree.string((int) Node.value(item)));
                    } else {
                        line.append(eval(Node.left(a)));
                    }
                    arg = Node.right(a);
                }
                out.accept(line.toString());
            }
            case LET -> {
                int slot = slot(s);
                long value = eval(Node.right(s));
                values.setAtIndex(JAVA_LONG, slot, value);
                defined[slot] = true;
            }
            case ASSIGN -> {
                int slot = definedSlot(s);
                values.setAtIndex(JAVA_LONG, slot, eval(Node.right(s)));
            }
            case UPDATE -> {
                int slot = definedSlot(s);
                long value = apply(s, Operator.ofOrdinal(Node.op(s)), values.getAtIndex(JAVA_LONG, slot),
                        eval(Node.right(s)));
                values.setAtIndex(JAVA_LONG, slot, value);
            }
            default -> throw error(s, "not a simple statement: " + Node.kind(s));
        }
    }

    private int slot(MemorySegment assignment) {
        return (int) Node.value(tree.node(Node.left(assignment)));
    }

    private int definedSlot(MemorySegment assignment) {
        int slot = slot(assignment);
        if (!defined[slot]) {
            throw error(assignment, names.get(slot) + " is not defined (introduce it with let)");
        }
        return slot;
    }

    private long eval(int id) {
        MemorySegment n = tree.node(id);
        return switch (Node.kind(n)) {
            case NUMBER -> Node.value(n);
            case VARIABLE -> {
                int slot = (int) Node.value(n);
                if (!defined[slot]) {
                    throw error(n, names.get(slot) + " is not defined (introduce it with let)");
                }
                yield values.getAtIndex(JAVA_LONG, slot);
            }
            case NEGATE -> -eval(Node.left(n));
            case BINARY -> apply(n, Operator.ofOrdinal(Node.op(n)), eval(Node.left(n)), eval(Node.right(n)));
            default -> throw error(n, "not an expression: " + Node.kind(n));
        };
    }

    private long apply(MemorySegment n, Operator op, long a, long b) {
        try {
            return op.apply(a, b);
        } catch (ArithmeticException e) {
            throw error(n, "division by zero");
        }
    }

    private static ScriptException error(MemorySegment n, String message) {
        return new ScriptException("run-time error", Node.line(n), 0, message);
    }
}
