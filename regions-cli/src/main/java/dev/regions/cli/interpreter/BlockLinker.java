package dev.regions.cli.interpreter;

import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Matches the demo language's blocks and writes the jumps between their statements. Like a
 * BASIC's, a block is not one node but statements of its own ({@code if (...) {},
 * {@code } else {}, {@code }}), parsed one at a time; this class keeps a stack of the blocks
 * still open and, as each statement is parsed, links it to the one it closes: an if-block or
 * else jumps to its else or end, the end of a while-block jumps back to the while.
 *
 * <p>The jumps are written into nodes that earlier merges already moved to the program's region:
 * the opener is reached by its node id, which stays valid across merges (see {@link SyntaxTree}),
 * so the linking is kept apart from the grammar and from the scratch region's reset and merge.
 * It only sees whole statements, so it cannot check anything a statement rule did not already
 * accept; a mismatch ({@code } else {} after a while, a {@code }} with nothing open, a block never
 * closed) is a {@link ScriptException} at the line of the statement concerned.
 */
final class BlockLinker {
    /** An open block: the statement index of its opener (if, while or else), and the opener's node id. */
    private record Open(int index, int id) {
    }

    private final SyntaxTree tree;
    /** The blocks opened and not yet closed, innermost first. */
    private final Deque<Open> open = new ArrayDeque<>();

    BlockLinker(SyntaxTree tree) {
        this.tree = tree;
    }

    /**
     * Links statement number {@code index}, whose root node is {@code id}, to the block it opens
     * or closes, if any.
     *
     * @throws ScriptException if it is an else without an open if block, or an end with no open block
     */
    void link(int index, int id) {
        MemorySegment node = tree.node(id);
        switch (Node.kind(node)) {
            case IF, WHILE -> {
                if (Node.right(node) == Node.NONE) {
                    open.push(new Open(index, id));
                }
            }
            case ELSE -> {
                Open block = open.poll();
                if (block == null || Node.kind(tree.node(block.id())) != Node.Kind.IF) {
                    throw new ScriptException("syntax error", Node.line(node), 0,
                            "'} else {' without an open if block");
                }
                Node.setJump(tree.node(block.id()), index);
                open.push(new Open(index, id));
            }
            case END -> {
                Open block = open.poll();
                if (block == null) {
                    throw new ScriptException("syntax error", Node.line(node), 0, "'}' without an open block");
                }
                MemorySegment opener = tree.node(block.id());
                Node.setJump(opener, index);
                if (Node.kind(opener) == Node.Kind.WHILE) {
                    Node.setJump(node, block.index());
                }
            }
            default -> {
            }
        }
    }

    /**
     * Checks, at the end of the program, that every block was closed.
     *
     * @throws ScriptException at the line of the innermost block still open
     */
    void checkAllClosed() {
        if (!open.isEmpty()) {
            MemorySegment opener = tree.node(open.peek().id());
            throw new ScriptException("syntax error", Node.line(opener), 0,
                    "the block opened here is never closed with '}'");
        }
    }
}
