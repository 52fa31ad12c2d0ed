package dev.regions.cli.interpreter;

import java.lang.foreign.MemorySegment;
import java.util.List;

/**
 * Renders a statement's syntax tree as an S-expression, read back node by node from off-heap
 * memory: {@code let x = 3 * (4 + n);} prints as {@code (let x (* 3 (+ 4 n)))}. The demo uses it
 * to show that the tree really is in the region; {@code --tree} prints every statement.
 */
final class TreePrinter {
    private final SyntaxTree tree;
    private final List<String> names;

    TreePrinter(SyntaxTree tree, List<String> names) {
        this.tree = tree;
        this.names = names;
    }

    String render(int id) {
        StringBuilder out = new StringBuilder();
        render(id, out);
        return out.toString();
    }

    private void render(int id, StringBuilder out) {
        MemorySegment n = tree.node(id);
        switch (Node.kind(n)) {
            case NUMBER -> out.append(Node.value(n));
            case VARIABLE -> out.append(names.get((int) Node.value(n)));
            case STRING -> out.append('"').append(tree.string((int) Node.value(n))).append('"');
            case NEGATE -> list(out, "-", Node.left(n));
            case BINARY -> list(out, Operator.ofOrdinal(Node.op(n)).symbol, Node.left(n), Node.right(n));
            case LET -> list(out, "let", Node.left(n), Node.right(n));
            case ASSIGN -> list(out, "=", Node.left(n), Node.right(n));
            case UPDATE -> list(out, Operator.ofOrdinal(Node.op(n)).symbol + "=", Node.left(n), Node.right(n));
            case PRINT -> {
                out.append("(print");
                for (int arg = Node.left(n); arg != Node.NONE; arg = Node.right(tree.node(arg))) {
                    out.append(' ');
                    render(Node.left(tree.node(arg)), out);
                }
                out.append(')');
            }
            case ARGUMENT -> render(Node.left(n), out);
            case IF, WHILE -> {
                String head = Node.kind(n) == Node.Kind.IF ? "if" : "while";
                if (Node.right(n) == Node.NONE) {
                    list(out, head + "-block", Node.left(n));
                } else {
                    list(out, head, Node.left(n), Node.right(n));
                }
            }
            case ELSE -> out.append("(else)");
            case END -> out.append("(end)");
        }
    }

    private void list(StringBuilder out, String head, int... children) {
        out.append('(').append(head);
        for (int child : children) {
            out.append(' ');
            render(child, out);
        }
        out.append(')');
    }
}
