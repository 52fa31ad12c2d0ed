package dev.regions.cli.interpreter;

import dev.regions.Region;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The interpreter's syntax tree: every node (a {@link Node} struct) and string literal is a
 * piece allocated off-heap from a {@link Region}; this class keeps the segments in a list whose
 * index is the node's <em>id</em>, the id nodes use to refer to their children. The list is the
 * only on-heap part, and it holds no data of the tree, only the segments to reach it.
 *
 * <p>The parser allocates into its scratch region and undoes a failed attempt in one of two ways,
 * the two the original allocator offered: {@link #freeFrom} hands each piece back with
 * {@link Region#free} (for a small inner alternative), {@link #dropFrom} forgets the pieces after
 * the caller reset the whole region (for a failed statement rule). A piece's id stays valid when a
 * merge moves the piece to the program's region; once that region closes, reading a node throws
 * {@link IllegalStateException}.
 */
final class SyntaxTree {
    private final List<MemorySegment> pieces = new ArrayList<>();

    /** Allocates and fills a node in {@code region}; returns its id. */
    int addNode(Region region, Node.Kind kind, int op, long value, int left, int right, int line) {
        MemorySegment node = region.allocate(Node.LAYOUT);
        Node.write(node, kind, op, value, left, right, line);
        pieces.add(node);
        return pieces.size() - 1;
    }

    /** Copies {@code text} into {@code region} (UTF-8, NUL-terminated); returns the piece's id. */
    int addString(Region region, String text) {
        pieces.add(region.allocateFrom(text));
        return pieces.size() - 1;
    }

    MemorySegment node(int id) {
        return pieces.get(id);
    }

    String string(int id) {
        return pieces.get(id).getString(0);
    }

    /** The number of pieces (nodes and strings); also the id the next piece will get. */
    int size() {
        return pieces.size();
    }

    /**
     * Frees, newest first, every piece with an id from {@code mark} on; they must be live pieces
     * of {@code region}.
     *
     * @return how many pieces were freed
     */
    int freeFrom(Region region, int mark) {
        int freed = 0;
        for (int id = pieces.size() - 1; id >= mark; id--) {
            region.free(pieces.remove(id));
            freed++;
        }
        return freed;
    }

    /** Forgets every piece with an id from {@code mark} on: the caller has reset their region. */
    void dropFrom(int mark) {
        pieces.subList(mark, pieces.size()).clear();
    }
}
