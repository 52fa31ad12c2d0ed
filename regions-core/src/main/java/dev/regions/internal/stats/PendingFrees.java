package dev.regions.internal.stats;

import dev.regions.internal.util.Padded;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Pieces of a lane that other threads freed and the lane has not taken back yet (mimalloc's
 * {@code thread_free} list): a stack any thread pushes onto with one compare-and-set, and the
 * lane takes whole with one swap. Each node carries the bytes and pieces of the whole stack
 * below it, so the top says what waits: its {@link Ledger} subtracts that from the figures it
 * gives to other threads, which are then exact from the moment a free returns. What a node holds
 * besides is the lane's business ({@code RemoteFrees}); padded, since other threads write it
 * while the lane's thread writes its ledger.
 */
public final class PendingFrees extends Padded {
    private static final VarHandle TOP;

    static {
        try {
            TOP = MethodHandles.lookup().findVarHandle(PendingFrees.class, "top", Node.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @SuppressWarnings("unused") // through TOP
    private volatile Node top;

    /** One freed piece, and the stack's totals up to it. */
    public abstract static class Node {
        public final long byteSize;
        private long bytesBelow;
        private long countBelow;
        private Node next;

        protected Node(long byteSize) {
            this.byteSize = byteSize;
        }

        public final Node next() {
            return next;
        }
    }

    /** Pushes {@code node}, from any thread. */
    public void push(Node node) {
        Node first;
        do {
            first = (Node) TOP.getOpaque(this);
            node.next = first;
            node.bytesBelow = first == null ? node.byteSize : first.bytesBelow + node.byteSize;
            node.countBelow = first == null ? 1 : first.countBelow + 1;
        } while (!TOP.compareAndSet(this, first, node));
    }

    /** Whether some piece waits (a plain read: one pushed meanwhile shows on a later call). */
    public boolean any() {
        return TOP.getOpaque(this) != null;
    }

    /** Takes every waiting node, the latest first (the lane's thread, or with every lock held). */
    public Node takeAll() {
        return (Node) TOP.getAndSet(this, null);
    }

    /** Bytes waiting, read from any thread. */
    public long bytes() {
        Node first = (Node) TOP.getAcquire(this);
        return first == null ? 0 : first.bytesBelow;
    }

    /** Pieces waiting, read from any thread. */
    public long count() {
        Node first = (Node) TOP.getAcquire(this);
        return first == null ? 0 : first.countBelow;
    }
}
