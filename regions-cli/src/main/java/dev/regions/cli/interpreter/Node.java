package dev.regions.cli.interpreter;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * One node of the interpreter's syntax tree: a 32-byte struct in a {@link MemorySegment}, a piece
 * of a region. This class is only the layout and its accessors; {@link SyntaxTree} owns the nodes.
 *
 * <pre>
 * offset  0      4      8              16     20     24     28     32
 *         +------+------+--------------+------+------+------+------+
 *         | kind | op   | value        | left | right| jump | line |
 *         +------+------+--------------+------+------+------+------+
 * </pre>
 *
 * Children are node <em>ids</em> (indexes in the {@link SyntaxTree}), never addresses: a node can
 * be read back only through the segment the region handed out, so a dead region's tree throws
 * {@link IllegalStateException} instead of being read through a raw pointer. {@link #NONE}
 * marks an absent child or jump.
 *
 * <table>
 * <caption>What each kind keeps in which field</caption>
 * <tr><th>kind</th><th>fields</th></tr>
 * <tr><td>NUMBER</td><td>value = the literal</td></tr>
 * <tr><td>VARIABLE</td><td>value = the variable's slot</td></tr>
 * <tr><td>STRING</td><td>value = id of the piece holding the text (UTF-8, NUL-terminated)</td></tr>
 * <tr><td>NEGATE</td><td>left = operand</td></tr>
 * <tr><td>BINARY</td><td>op = {@link Operator} ordinal, left, right = operands</td></tr>
 * <tr><td>LET, ASSIGN</td><td>left = VARIABLE, right = expression</td></tr>
 * <tr><td>UPDATE</td><td>op = operator of {@code +=} etc., left = VARIABLE, right = expression</td></tr>
 * <tr><td>PRINT</td><td>left = first ARGUMENT</td></tr>
 * <tr><td>ARGUMENT</td><td>left = STRING or expression, right = next ARGUMENT</td></tr>
 * <tr><td>IF, WHILE</td><td>left = condition, right = the statement of the one-line form
 *     (NONE for the block form), jump = index of the ELSE or END statement of the block form</td></tr>
 * <tr><td>ELSE</td><td>jump = index of the END statement</td></tr>
 * <tr><td>END</td><td>jump = index of the WHILE it closes, NONE for an IF or ELSE</td></tr>
 * </table>
 */
final class Node {
    private Node() {
    }

    enum Kind {
        NUMBER, VARIABLE, STRING, NEGATE, BINARY,
        LET, ASSIGN, UPDATE, PRINT, ARGUMENT, IF, WHILE, ELSE, END;

        private static final Kind[] ALL = values();
    }

    /** No child, no jump target. */
    static final int NONE = -1;

    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("kind"),
            JAVA_INT.withName("op"),
            JAVA_LONG.withName("value"),
            JAVA_INT.withName("left"),
            JAVA_INT.withName("right"),
            JAVA_INT.withName("jump"),
            JAVA_INT.withName("line"));

    private static final VarHandle KIND = LAYOUT.varHandle(groupElement("kind"));
    private static final VarHandle OP = LAYOUT.varHandle(groupElement("op"));
    private static final VarHandle VALUE = LAYOUT.varHandle(groupElement("value"));
    private static final VarHandle LEFT = LAYOUT.varHandle(groupElement("left"));
    private static final VarHandle RIGHT = LAYOUT.varHandle(groupElement("right"));
    private static final VarHandle JUMP = LAYOUT.varHandle(groupElement("jump"));
    private static final VarHandle LINE = LAYOUT.varHandle(groupElement("line"));

    /** Fills a freshly allocated node; {@code jump} starts as {@link #NONE}. */
    static void write(MemorySegment node, Kind kind, int op, long value, int left, int right, int line) {
        KIND.set(node, 0L, kind.ordinal());
        OP.set(node, 0L, op);
        VALUE.set(node, 0L, value);
        LEFT.set(node, 0L, left);
        RIGHT.set(node, 0L, right);
        JUMP.set(node, 0L, NONE);
        LINE.set(node, 0L, line);
    }

    static Kind kind(MemorySegment node) {
        return Kind.ALL[(int) KIND.get(node, 0L)];
    }

    static int op(MemorySegment node) {
        return (int) OP.get(node, 0L);
    }

    static long value(MemorySegment node) {
        return (long) VALUE.get(node, 0L);
    }

    static int left(MemorySegment node) {
        return (int) LEFT.get(node, 0L);
    }

    static int right(MemorySegment node) {
        return (int) RIGHT.get(node, 0L);
    }

    static int jump(MemorySegment node) {
        return (int) JUMP.get(node, 0L);
    }

    static void setJump(MemorySegment node, int jump) {
        JUMP.set(node, 0L, jump);
    }

    static int line(MemorySegment node) {
        return (int) LINE.get(node, 0L);
    }
}
